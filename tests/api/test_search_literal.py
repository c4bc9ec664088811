"""Search: punctuation inside a term is literal (c++, c#, node.js), around it is not."""

from __future__ import annotations

import pytest

from tests.api.helpers import SEED, build_db, gql, make_client
from tests.api.test_search import search, unmark

ARTICLE = """---
title: Languages and runtimes in 2025
description: Which languages and runtimes teams pick.
date: 2025-03-01
tags: [languages]
---

# Languages and runtimes in 2025

Which languages and runtimes teams pick, and why.

## 1. Systems languages

### Current state

- **Rust adoption**: new services start in Rust more often.
- **Legacy code**: most of it is still C.

### Comparing approaches

#### Route A: Rewrite

- Pros: memory safety from day one.
- Cons: a long migration.

#### Route B: Harden

- Pros: no rewrite.
- Cons: C＋＋ stays in production.

### Recommendations

1. **Audit the C++ code**: start with the parsers.
2. **Keep the C code small**: wrap it.
3. **Try C# for tools**: the runtime is mature.
4. **Run node.js services behind a proxy**: and patch often.
5. **Node js clusters**: one process per core.
6. **Pin GPT-3.5 prompts**: they drift.
7. **Log GPT 3 5 calls**: the same model, spelled apart.
8. **Check e-mail and e–mail headers**: both spellings occur.
9. **Budget 50% for tests**: it pays back.

## Summary

Pick the language that fits the team.
"""


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    files = {"languages.md": ARTICLE, SEED.name: SEED.read_text("utf-8")}  # no c, no +
    with make_client(build_db(tmp_path_factory.mktemp("literal"), files)) as c:
        yield c


def found(client, query) -> set[str]:
    """What the hits are: an advice's or a route's title, a key point's label."""
    result = search(client, query)
    assert result["totalCount"] == len(result["nodes"]), query
    names = set()
    for hit in result["nodes"]:
        node = hit["node"]
        names.add(node.get("title") or node.get("name") or node.get("label"))
    return names


AUDIT, KEEP, TRY = "Audit the C++ code", "Keep the C code small", "Try C# for tools"
NODE_JS, NODE, HARDEN = "Run node.js services behind a proxy", "Node js clusters", "Harden"
C_WORD = {AUDIT, KEEP, TRY, HARDEN, "Legacy code"}
PIN, LOG, MAIL, BUDGET = "Pin GPT-3.5 prompts", "Log GPT 3 5 calls", \
    "Check e-mail and e–mail headers", "Budget 50% for tests"


@pytest.mark.parametrize("query, expected", [
    # the word c stands in all of them; c++ (in any width) in two, c# in one
    ("c", C_WORD),
    ("c++", {AUDIT, HARDEN}), ("C++", {AUDIT, HARDEN}), ("ｃ＋＋", {AUDIT, HARDEN}),
    ("c#", {TRY}),
    # punctuation no text the words find holds is a slip or other syntax: the words alone
    ("c+++", C_WORD), ("c#++", C_WORD), ("+c", C_WORD), ("c++ +code", {AUDIT}),
    # punctuation around a term, as in running text, is not part of it
    ("c++,", {AUDIT, HARDEN}), ("（C++）", {AUDIT, HARDEN}), ('"c++"', {AUDIT, HARDEN}),
    ("「c++」。", {AUDIT, HARDEN}), ("*c++*", {AUDIT, HARDEN}), ("^c++", {AUDIT, HARDEN}),
    ("rust.", {"Rust adoption"}), ("(rust)", {"Rust adoption"}),
    # node.js as written; node js wherever the words stand together
    ("node.js", {NODE_JS}), ("node js", {NODE_JS, NODE}), ("node", {NODE_JS, NODE}),
    ("gpt-3.5", {PIN}), ("gpt 3 5", {PIN, LOG}),
    # parts joined by a hyphen or dash are the index's: either spelling
    ("e-mail", {MAIL}), ("e–mail", {MAIL}),
    # punctuation alone is scanned for as written; a full stop or quote alone is nothing
    ("++", {AUDIT, HARDEN}), ("＋＋", {AUDIT, HARDEN}), ("#", {TRY}), ("50%", {BUDGET}),
    ("%", {BUDGET}), (".", set()), ('"', set()), ("，", set()), ("c++ 50%", set()),
    ("c++ code", {AUDIT}),
])
def test_terms_are_literal_where_the_index_cannot_tell(client, query, expected):
    assert found(client, query) == expected


@pytest.mark.parametrize("query, marked", [("privacy+", "Rust"), ("rust+", "Rust"),
                                           ("*rust", "Rust"), ("c+++", None)])
def test_snippets_mark_the_words_of_punctuation_no_text_holds(client, query, marked):
    snippets = [hit["snippet"] for hit in search(client, query)["nodes"]]
    if query == "privacy+":
        assert not snippets  # no text holds the word privacy either
        return
    if marked is None:  # a lone letter is not marked: every c in every word would be
        assert snippets and not any("<mark>" in snippet for snippet in snippets), snippets
        return
    assert snippets and all(f"<mark>{marked}</mark>" in snippet for snippet in snippets), snippets


def test_a_trailing_star_asks_for_a_prefix(client):
    assert found(client, "adopt*") == found(client, "adopt") == {"Rust adoption"}
    assert found(client, "adopt* rust") == {"Rust adoption"}


def test_snippets_mark_the_literal_term_not_its_word(client):
    hits = search(client, "c++")["nodes"]
    marked = [hit["snippet"] for hit in hits]
    assert any("<mark>C++</mark>" in snippet for snippet in marked), marked
    assert any("<mark>C＋＋</mark>" in snippet for snippet in marked), marked
    assert all(snippet.count("<mark>") == 1 for snippet in marked), marked  # "code" is not c


def test_scores_rank_the_literal_hits(client):
    hits = search(client, "c++")["nodes"]
    assert all(hit["score"] > 0 for hit in hits)
    assert all("c++" in unmark(hit["plain"]).lower().replace("＋", "+") for hit in hits)


@pytest.mark.parametrize("query", ["c++", "c+++", "++", "c", "50%", "node.js", "*c++*"])
def test_list_filters_use_the_same_terms(client, query):
    listed = gql(client, "query ($q: String!) { articles(filter: {query: $q}) { nodes { slug } } }",
                 {"q": query})["data"]["articles"]["nodes"]
    hits = search(client, query)["nodes"]
    assert listed and {a["slug"] for a in listed} == {h["article"]["slug"] for h in hits}, query


def test_a_connection_keeps_the_docs_of_its_last_few_scans(tmp_path):
    from api import search as search_module
    from api.store import Snapshot

    snapshot = Snapshot.open(build_db(tmp_path, {"languages.md": ARTICLE}))
    conn = snapshot.conn
    direct = {row[0] for row in conn.execute(*search_module._scanned_docs("++", None))}
    assert direct  # read straight from the texts, with no connection to keep them
    sql, params = search_module.matching_docs("++", conn)
    assert "json_each" in sql and {row[0] for row in conn.execute(sql, params)} == direct
    assert list(conn.kept_rows) == [("scan", conn.drafts_hidden, ("++",))]
    for query in ["#", "%", "++", "・", "＋＋"]:
        search_module.matching_docs(query, conn)
    assert [key[2] for key in conn.kept_rows] == [("#",), ("%",), ("・",), ("++",)]  # ＋＋ is ++
    search_module.matching_docs("c++", conn)  # the texts holding c++ among the word c's
    assert list(conn.kept_rows)[-1][0] == "pieces"
    snapshot.close()


@pytest.mark.parametrize("query", ["++", "c++"])
def test_pages_of_kept_rows_go_through_every_hit_once(client, query):
    everything = search(client, query)
    seen, after = [], None
    while True:
        page = gql(client, """query ($q: String!, $after: String) {
          search(query: $q, first: 1, after: $after) {
            totalCount pageInfo { hasNextPage endCursor } nodes { score node { __typename } } } }""",
                   {"q": query, "after": after})["data"]["search"]
        assert page["totalCount"] == everything["totalCount"] == 2
        seen.extend(hit["score"] for hit in page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [hit["score"] for hit in everything["nodes"]]
