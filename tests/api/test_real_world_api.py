"""The real-world fixtures over the API: the new fields, folding search and tags."""

from __future__ import annotations

import re
import sqlite3

import opencc
import pytest

from loader.fold import fold
from loader.load import load_content
from loader.search_docs import search_text_sql
from loader.tokens import runs
from tests.api.helpers import gql, make_client
from tests.support.paths import REAL_WORLD


# To search each term in the other script too.
_TRADITIONAL = opencc.OpenCC("s2t")


@pytest.fixture(scope="module")
def real_world_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("real-world-api") / "content.db"
    load_content(REAL_WORLD, db)
    return db


@pytest.fixture(scope="module")
def client(real_world_db):
    with make_client(real_world_db) as test_client:
        yield test_client


def test_frontmatter_fields_are_typed(client):
    article = gql(client, """{ article(slug: "zh-hans-03-hugo-plain-pros") {
        date publishedAt updatedDate updatedAt authors language tags extra draft } }""")[
        "data"]["article"]
    assert article == {
        "date": "2025-05-20", "publishedAt": "2025-05-20T14:30:00+08:00",
        "updatedDate": "2025-06-03", "updatedAt": "2025-06-03T10:00:00+08:00",
        "authors": ["张三"], "language": "zh-Hans",
        "tags": ["数据库", "云原生", "PostgreSQL", "向量检索"],
        "extra": {"cover": "/images/2025/cloud-database-cover.png",
                  "categories": ["数据库", "趋势分析"]},
        "draft": False}


def test_languages_are_told_from_the_script(client):
    data = gql(client, "{ articles(first: 100) { edges { node { slug language } } } }")["data"]
    by_slug = {e["node"]["slug"]: e["node"]["language"] for e in data["articles"]["edges"]}
    assert by_slug["zh-hant-01-seed-structure"] == "zh-Hant"  # no lang key
    assert by_slug["ja-01-seed-structure"] == "ja"  # no lang key
    assert by_slug["zh-hant-02-plain-pros-paren-advice"] == "zh-Hant"  # lang: zh-TW
    assert by_slug["en-02-devtools-unnumbered"] == "en"


def test_typed_route_points_keep_their_labels(client):
    route = gql(client, """{ article(slug: "zh-hant-03-nested-pros-numbered-points") {
        trends { routes { name pros cons points { kind label position text(format: PLAIN) } } } } }
        """)["data"]["article"]["trends"][0]["routes"][0]
    kinds = [p["kind"] for p in route["points"]]
    assert kinds == ["PRO"] * len(route["pros"]) + ["CON"] * len(route["cons"])
    assert any(p["label"] for p in route["points"]), "nested points keep their bold labels"
    assert [p["text"] for p in route["points"] if p["kind"] == "PRO"] == \
        [re.sub(r"\s+", " ", t) for t in gql(client, """{ article(slug:
        "zh-hant-03-nested-pros-numbered-points") { trends { routes { pros(format: PLAIN) } } } }
        """)["data"]["article"]["trends"][0]["routes"][0]["pros"]]


def test_intro_heading_and_trailing_sections(client):
    article = gql(client, """{ article(slug: "zh-hans-06-preface-references") {
        introHeading summaryHeading sections { heading } trends { intro(format: PLAIN) } } }""")[
        "data"]["article"]
    assert article["introHeading"] == "前言" and article["summaryHeading"] == "写在最后"
    assert [s["heading"] for s in article["sections"]] == ["参考资料", "延伸阅读"]
    assert all(t["intro"] for t in article["trends"]), "each trend opens with a paragraph"


@pytest.mark.parametrize("query, text", [("隐私", "隱私"), ("隱私", "隐私"),
                                         ("ｎｐｕ", "NPU"), ("risc-v", "RISC-V")])
def test_search_folds_script_width_and_case(client, query, text):
    hits = gql(client, """query ($q: String!) { search(query: $q, first: 100) {
        edges { node { snippet } } } }""", {"q": query})["data"]["search"]["edges"]
    marked = [m for e in hits for m in re.findall(r"<mark>(.*?)</mark>", e["node"]["snippet"])]
    assert text in marked, f"{query!r} should find and mark {text!r}"


def test_tag_filters_ignore_case_and_script(client):
    def count(tag: str) -> int:
        return gql(client, "query ($t: String!) { articles(filter: {tags: [$t]}) { totalCount } }",
                   {"t": tag})["data"]["articles"]["totalCount"]

    assert count("postgresql") == count("PostgreSQL") == count(" POSTGRESQL ") >= 1
    assert count("邊緣運算") == count("边缘运算") >= 1


def test_two_character_recall_is_complete_across_scripts(real_world_db, client):
    """Every 2-character CJK term: the search finds exactly the docs whose folded
    text contains it (the same as a substring scan), in either script."""
    conn = sqlite3.connect(real_world_db)
    docs = conn.execute(f"SELECT d.id, {search_text_sql('d')} FROM search_docs d JOIN articles a "
                        "ON a.id = d.article_id WHERE a.draft = 0").fetchall()
    conn.close()
    folded = {doc_id: fold(text) for doc_id, text in docs}
    terms = sorted({run[i:i + 2] for text in folded.values() for run, cjk in runs(text)
                    if cjk for i in range(len(run) - 1)})
    sample = terms[:: max(1, len(terms) // 40)]
    for term in sample:
        expected = sum(1 for text in folded.values() if term in text)
        for spelling in {term, _TRADITIONAL.convert(term)}:
            found = gql(client, "query ($q: String!) { search(query: $q) { totalCount } }",
                        {"q": spelling})["data"]["search"]["totalCount"]
            assert found == expected, (term, spelling)

