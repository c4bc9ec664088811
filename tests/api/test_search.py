"""Search: CJK bigrams, English, mixed queries, hostile syntax, snippets and kinds."""

from __future__ import annotations

import html
import re

import pytest

from api.search import snippet
from loader.tokens import runs
from tests.api.helpers import gql

SEARCH = """query ($q: String!, $first: Int, $after: String, $kinds: [SearchKind!]) {
  search(query: $q, first: $first, after: $after, kinds: $kinds) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      field score snippet plain: snippet(format: PLAIN)
      article { slug }
      node {
        __typename
        ... on Node { id }
        ... on Article { title }
        ... on KeyPoint { label text trend { title } }
        ... on Trend { title keyPoints { text } }
        ... on Route { name pros cons }
        ... on Advice { title text }
        ... on Section { heading }
      }
    }
  }
}"""


def search(client, q, **variables):
    body = gql(client, SEARCH, {"q": q, "first": 100, **variables})
    return body["data"]["search"]


def unmark(text: str) -> str:
    return html.unescape(re.sub(r"</?mark>", "", text))


@pytest.mark.parametrize("term", ["芯片", "隐私"])
def test_two_character_cjk_terms(seed_client, term):
    result = search(seed_client, term)
    assert result["totalCount"] == len(result["nodes"]) > 0
    for hit in result["nodes"]:
        assert f"<mark>{term}</mark>" in hit["snippet"]
        assert term in hit["plain"] and "<mark>" not in hit["plain"]
        assert hit["article"]["slug"] == "2024-ai-trends"


def test_hits_are_section_level(seed_client):
    hits = search(seed_client, "网络连接")["nodes"]
    route_hits = [h for h in hits if h["node"]["__typename"] == "Route"]
    assert route_hits, hits
    assert route_hits[0]["node"]["name"] == "云端计算优先路线"
    assert route_hits[0]["field"] == "CONS"
    key_point = [h for h in search(seed_client, "FlashAttention")["nodes"]
                 if h["node"]["__typename"] == "KeyPoint"]
    assert key_point and key_point[0]["field"] == "TEXT"
    assert key_point[0]["node"]["label"] == "生成质量与效率的优化"
    assert key_point[0]["node"]["trend"]["title"] == "生成式 AI 的深度扩展与场景化应用"
    advice = search(seed_client, "TensorRT")["nodes"]
    assert [h["node"]["__typename"] for h in advice] == ["Advice"]
    assert advice[0]["node"]["title"] == "学习硬件优化技术"


def test_english_is_case_insensitive(seed_client):
    lower = search(seed_client, "openai")
    upper = search(seed_client, "OpenAI")
    assert lower["totalCount"] == upper["totalCount"] > 0
    assert "<mark>OpenAI</mark>" in lower["nodes"][0]["snippet"]


def test_mixed_query_needs_every_term(seed_client):
    mixed = search(seed_client, "Google 芯片")["nodes"]
    assert mixed
    for hit in mixed:
        text = hit["plain"]
        assert "Google" in text or "google" in text.lower()
    only_google = search(seed_client, "Google")["totalCount"]
    assert len(mixed) < only_google
    assert search(seed_client, "GPT-4")["totalCount"] > 0


def test_scores_are_best_first(seed_client):
    scores = [h["score"] for h in search(seed_client, "芯片")["nodes"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


@pytest.mark.parametrize("hostile", [
    '"', '""', '"芯片', "NEAR(", "NEAR(芯片 隐私)", "*", "芯*", "AND", "芯片 AND", "OR NOT",
    "-", "-芯片", "^", "^芯片", "(", ")", "[芯片]", "{}", "a:b", "col:芯片", "'", "\\", "%", "_",
    "\x00", "🙂", "   ", "",
])
def test_hostile_syntax_never_errors(seed_client, hostile):
    result = search(seed_client, hostile)
    assert result["totalCount"] == len(result["nodes"])


def test_fts_operators_are_literal(seed_client):
    # If "OR" were an operator this would match every doc with either word.
    plain = search(seed_client, "芯片")["totalCount"]
    assert search(seed_client, "芯片 OR 隐私")["totalCount"] < plain
    # '"芯片"' is the term 芯片 with quotes around it: its words still match.
    assert search(seed_client, '"芯片"')["totalCount"] == plain


def test_one_cjk_character_matches_anywhere(seed_client):
    hits = search(seed_client, "片")["nodes"]
    assert hits and all("片" in h["plain"] for h in hits)
    # 片 ends the bigram 芯片, so the index alone could miss it: every doc with 片 is found.
    assert len(hits) >= search(seed_client, "芯片")["totalCount"]


def test_kinds_filter(seed_client):
    routes = search(seed_client, "成本", kinds=["ROUTE"])["nodes"]
    assert routes and {h["node"]["__typename"] for h in routes} == {"Route"}
    both = search(seed_client, "成本", kinds=["ROUTE", "ADVICE"])["nodes"]
    assert {h["node"]["__typename"] for h in both} == {"Route", "Advice"}
    assert len(search(seed_client, "成本")["nodes"]) >= len(both)


def test_search_pages(seed_client):
    total = search(seed_client, "AI")["totalCount"]
    assert total > 3
    first = gql(seed_client, SEARCH, {"q": "AI", "first": 2})["data"]["search"]
    second = gql(seed_client, SEARCH, {"q": "AI", "first": 2,
                                       "after": first["pageInfo"]["endCursor"]})["data"]["search"]
    assert len(first["nodes"]) == 2 and first["pageInfo"]["hasNextPage"]
    def hits(page):
        return {(h["node"]["__typename"], h["field"], h["plain"]) for h in page["nodes"]}

    assert hits(first).isdisjoint(hits(second))


def test_every_kind_listed_gives_the_same_hits_as_no_kinds(seed_client):
    """Without `kinds` the index counts alone; with every kind listed the hits are
    joined to their documents first. Both give the same hits and pages."""
    every_kind = ["ARTICLE", "TREND", "KEY_POINT", "ROUTE", "ADVICE", "SECTION"]

    def walk(**variables):
        seen, after = [], None
        while True:
            page = gql(seed_client, SEARCH, {**variables, "first": 2, "after": after})[
                "data"]["search"]
            seen += [(h["field"], h["plain"]) for h in page["nodes"]]
            if not page["pageInfo"]["hasNextPage"]:
                return page["totalCount"], seen
            after = page["pageInfo"]["endCursor"]

    for q in ("AI", "成本", "模型"):
        total, hits = walk(q=q)
        assert hits and total == len(hits)
        assert walk(q=q, kinds=every_kind) == (total, hits)


def test_search_query_length_limit(seed_client):
    body = gql(seed_client, SEARCH, {"q": "芯" * 201}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_snippet_escapes_html_and_marks_matches():
    text = "<script>alert(1)</script> uses 芯片 & 芯片"
    out = snippet(text, "芯片", highlight=True)
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert out.count("<mark>芯片</mark>") == 2 and "&amp;" in out
    assert snippet(text, "芯片", highlight=False) == text


def test_snippet_window_centres_on_first_match():
    text = "甲" * 500 + "芯片" + "乙" * 500
    out = snippet(text, "芯片", highlight=True, width=60)
    assert "<mark>芯片</mark>" in out and out.startswith("…") and out.endswith("…")
    assert len(unmark(out)) <= 62


def test_one_cjk_character_finds_what_the_literal_scan_finds(content_db):
    """Every CJK character of the content, searched alone through the index (with the
    bigrams that end with it, from its vocabulary), finds exactly the docs whose
    folded text holds it, as the literal scan does; and in each field that filters
    by text. Characters in Traditional forms are looked for too."""
    from api import search as search_module
    from api.store import Snapshot
    from loader.fold import fold
    from loader.search_docs import search_text_sql
    from loader.tokens import is_cjk, trimmed

    snapshot = Snapshot.open(content_db)
    conn = snapshot.conn
    texts = {row[0]: fold(row[1] or "") for row in
             conn.execute(f"SELECT d.id, {search_text_sql('d')} FROM search_docs d")}
    chars = sorted({ch for text in texts.values() for ch in text if is_cjk(ch)})
    assert len(chars) > 300
    at_run_ends = 0
    for char in chars + ["隱", "體", "鑫"]:  # two Traditional forms; one found nowhere
        sql, params = search_module.matching_docs(char, conn)
        assert "instr" not in sql, "answered by the index, not a scan"
        found = {row[0] for row in conn.execute(sql, params)}
        expected = {doc for doc, text in texts.items() if fold(char) in text}
        assert found == expected, char
        prefix_only = {row[0] for row in conn.execute(
            "SELECT rowid FROM search_fts WHERE search_fts MATCH ?", [f'"{fold(char)}" *'])}
        at_run_ends += bool(expected - prefix_only)
        hit_filter = search_module.HitFilter()
        assert search_module.count_hits(conn, char, hit_filter) == len(expected), char
    assert at_run_ends > 10  # characters only the bigrams ending with them find
    snapshot.close()


@pytest.fixture(scope="module")
def store_without_bigrams(content_db, tmp_path_factory):
    """content_db as a loader that kept no bigram table wrote it (schema 8)."""
    import sqlite3

    db = tmp_path_factory.mktemp("without-bigrams") / "content.db"
    source, copy = sqlite3.connect(content_db), sqlite3.connect(db)
    source.backup(copy)
    source.close()
    copy.execute("DROP TABLE search_bigrams")
    copy.commit()
    copy.close()
    return db


def test_a_store_without_its_bigrams_reads_the_index_vocabulary(content_db,
                                                                 store_without_bigrams):
    """A store written before the loader kept its bigrams is searched through the
    index's vocabulary, read once: every CJK character finds the same hits, with the
    same scores, as on the store that keeps them."""
    from api import search as search_module
    from api.index_vocabulary import IndexVocabulary, StoredBigrams, vocabulary_of
    from api.store import Snapshot

    kept, read = Snapshot.open(content_db), Snapshot.open(store_without_bigrams)
    assert isinstance(vocabulary_of(kept.conn), StoredBigrams)
    assert isinstance(vocabulary_of(read.conn), IndexVocabulary)
    assert vocabulary_of(read.conn) is vocabulary_of(read.conn)
    from loader.search_docs import search_text_sql
    from loader.tokens import is_cjk, trimmed

    chars = sorted({ch for (text,) in kept.conn.execute(
        f"SELECT {search_text_sql('d')} FROM search_docs d") for ch in text or "" if is_cjk(ch)})
    assert len(chars) > 300
    ends = 0
    for char in chars:
        endings = vocabulary_of(kept.conn).endings(char)
        assert endings == vocabulary_of(read.conn).endings(char), char
        ends += bool(endings)
        hits = []
        for conn in (kept.conn, read.conn):
            sql, params = search_module._hits(conn, char)
            hits.append(conn.execute(f"SELECT h.id, h.score FROM {sql} ORDER BY h.id",
                                     params).fetchall())
        assert hits[0] and [tuple(r) for r in hits[0]] == [tuple(r) for r in hits[1]], char
    assert ends > 100
    kept.close()
    read.close()


def test_one_cjk_character_in_a_list_filter(content_client):
    """The filters by text (here trends') take the same way as search."""
    body = gql(content_client, '{ trends(first: 100, filter: {query: "片"}) '
                               '{ totalCount nodes { title intro statusIntro keyPoints { text } '
                               'routes { name intro pros cons } advice { text } } } }')
    trends = body["data"]["trends"]
    assert trends["totalCount"] == len(trends["nodes"]) > 0


@pytest.fixture(scope="module")
def joined_db(tmp_path_factory):
    """The seed article with no space between Latin letters or digits and Chinese
    (``AI芯片``, ``5G基站``), as many writers have it."""
    from tests.api.helpers import SEED, build_db

    between = re.compile(r"(?<=[A-Za-z0-9]) (?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff]) (?=[A-Za-z0-9])")
    text = SEED.read_text("utf-8")
    front, body = text.split("\n---\n", 1)
    lines = [line if line.startswith("#") else between.sub("", line) for line in body.split("\n")]
    return build_db(tmp_path_factory.mktemp("joined"),
                    {SEED.name: front + "\n---\n" + "\n".join(lines)})


def test_a_term_with_a_lone_cjk_character_scans_only_the_texts_holding_it(joined_db, monkeypatch):
    """``AI芯`` (typed on the way to ``AI芯片``) is matched literally, as the scan always
    did, but only among the texts the index says hold its CJK characters: the same
    docs as scanning every text, for slices of the content around such characters."""
    import random

    from api import search as search_module
    from api.store import Snapshot
    from loader.fold import fold
    from loader.search_docs import search_text_sql
    from loader.tokens import is_cjk, trimmed

    snapshot = Snapshot.open(joined_db)
    conn = snapshot.conn
    scanned = []  # the scans' own SQL, whose rows a connection keeps (_kept_rows)
    keep = search_module._kept_rows
    monkeypatch.setattr(search_module, "_kept_rows", lambda conn, key, sql, params, columns: (
        scanned.append(sql), keep(conn, key, sql, params, columns))[1])
    texts = {row[0]: fold(row[1] or "") for row in
             conn.execute(f"SELECT d.id, {search_text_sql('d')} FROM search_docs d")}
    pieces = set()
    for text in texts.values():  # a CJK character with a Latin neighbour, and around it
        for at, char in enumerate(text):
            beside = text[at - 1:at] + text[at + 1:at + 2]
            if is_cjk(char) and any(c.isascii() and c.isalnum() for c in beside):
                for width in (1, 2, 3):
                    pieces.add(text[max(0, at - width):at + width].strip())
    pieces = sorted(p for p in pieces if " " not in p and len(runs(p)) > 1
                    and any(cjk and len(run) == 1 for run, cjk in runs(p)))
    random.Random(13).shuffle(pieces)
    queries = pieces[:150] + ["ai芯", "芯ai", "x芯y", "5g基", "芯a 片"]
    assert len(queries) > 60
    hits = 0
    for query in queries:
        sql, params = search_module.matching_docs(query, conn)
        assert "instr" in scanned[-1] and "search_fts" in scanned[-1], query  # narrowed
        found = {row[0] for row in conn.execute(sql, params)}
        expected = {doc for doc, text in texts.items()  # punctuation around a term is not in it
                    if all(trimmed(term) in text for term in fold(query).split())}
        assert found == expected, query
        hits += bool(found)
    assert hits > 60  # the slices are found where they stand
    snapshot.close()


KANA = "ジョン・スミス、カ゠キ、k・z、メ゙ソッド"


@pytest.fixture(scope="module")
def kana_client(tmp_path_factory):
    """The seed with a line of characters that count as CJK here (kana) but that
    the index's tokenizer splits on (・ ゠ and a combining mark)."""
    from tests.api.helpers import SEED, build_db, make_client

    text = SEED.read_text("utf-8").replace(
        "\n2024 年，人工智能领域持续蓬勃发展", f"\n{KANA}\n\n2024 年，人工智能领域持续蓬勃发展", 1)
    assert KANA in text
    with make_client(build_db(tmp_path_factory.mktemp("kana"), {SEED.name: text})) as client:
        yield client


@pytest.mark.parametrize("query", ["・", "゠", "\u3099", "k・", "・ス", "ン・ス", "ソ", "ジ"])
def test_characters_the_index_splits_on_are_found_by_the_scan(kana_client, query):
    """They are never in the index, so it cannot find them: the literal scan does, and
    a term holding them is not narrowed by them."""
    result = search(kana_client, query)
    assert result["totalCount"] >= 1 and any(
        query in unmark(hit["snippet"]) or query in KANA for hit in result["nodes"]), query
    intro = gql(kana_client, '{ articles(filter: {query: "%s"}) { totalCount } }' % query)
    assert intro["data"]["articles"]["totalCount"] == 1, query


def test_a_term_given_twice_is_asked_once(seed_client):
    from loader.tokens import match_expression

    once = match_expression("片", endings=lambda char: ["芯" + char])
    assert match_expression("片 片 片", endings=lambda char: ["芯" + char]) == once
    assert search(seed_client, " ".join(["片"] * 60))["totalCount"] == \
        search(seed_client, "片")["totalCount"] > 0
