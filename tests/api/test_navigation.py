"""Article.previous, Article.next and Article.related: what every article page needs."""

from __future__ import annotations

import random

import pytest

from tests.api.helpers import build_db, gql, make_client

ARTICLE = """---
title: {title}
date: {date}
description: d
tags: [{tags}]
{extra}---

# {title}

## 1. Trend

### Current state

- **P**: text
"""


def _files(specs: list[tuple[str, str, str, str]]) -> dict[str, str]:
    return {f"{slug}.md": ARTICLE.format(title=slug.upper(), date=date, tags=tags, extra=extra)
            for slug, date, tags, extra in specs}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db = build_db(tmp_path_factory.mktemp("navigation"), _files([
        ("a", "2025-01-01", "ai, chips", ""),
        ("b", "2025-02-01", "AI, edge", ""),
        ("c", "2025-02-01", "web", ""),  # same date as b: the id breaks the tie
        ("d", "2025-03-01", "ai, chips, edge", ""),
        ("hidden", "2025-02-15", "ai, chips, edge", "draft: true\n"),
        ("e", "2025-04-01", "cooking", ""),
    ]))
    with make_client(db) as test_client:
        yield test_client


def test_previous_and_next_follow_the_date_order(client):
    data = gql(client, """{ articles(first: 10, orderBy: DATE_ASC) {
        nodes { slug previous { slug } next { slug } } } }""")["data"]["articles"]["nodes"]
    order = [n["slug"] for n in data]
    assert "hidden" not in order, "a draft is nobody's neighbour"
    for index, node in enumerate(data):
        expected_previous = order[index - 1] if index else None
        expected_next = order[index + 1] if index + 1 < len(order) else None
        assert (node["previous"] or {}).get("slug") == expected_previous
        assert (node["next"] or {}).get("slug") == expected_next


def test_related_by_shared_tags_then_newest(client):
    related = {a["slug"]: [r["slug"] for r in a["related"]] for a in gql(client, """{
        articles(first: 10) { nodes { slug related(first: 3) { slug } } } }""")["data"][
        "articles"]["nodes"]}
    assert related["a"] == ["d", "b", "e"], "2 shared, 1 shared (AI = ai), then the newest"
    assert related["e"] == ["d", "c", "b"], "nothing shared: the newest"
    assert all(slug not in others for slug, others in related.items())


def test_related_checks_its_argument(client):
    body = gql(client, '{ article(slug: "a") { related(first: 50) { slug } } }',
               expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_navigation_costs_statements_per_family_not_per_article(client):
    statements: list[str] = []
    holder = client.app.state.holder
    conn = holder.current().conn
    conn.set_trace_callback(statements.append)
    try:
        gql(client, """{ articles(first: 10) { nodes { previous { slug trends { title } }
            next { slug } related(first: 2) { slug } } } }""")
    finally:
        conn.set_trace_callback(None)
    # A count and a page, then per level: neighbours, related (and its filler), trends.
    assert len(statements) <= 8, statements


# The statement related articles were ranked with before api/shared_tags.py: the
# reference the in-memory ranking must agree with.
_RANKED_IN_SQL = """
SELECT r.source, a.slug FROM (
  SELECT source, target, row_number() OVER (
    PARTITION BY source ORDER BY shared DESC, a.date DESC, a.id DESC) AS rank
  FROM (SELECT t.article_id AS source, o.article_id AS target, count(*) AS shared
        FROM article_tags t JOIN article_tags o
          ON o.folded = t.folded AND o.article_id != t.article_id
        GROUP BY t.article_id, o.article_id) p
  JOIN articles a ON a.id = p.target
) r JOIN articles a ON a.id = r.target WHERE r.rank <= ?
ORDER BY r.source, r.rank
"""


def _in_sql(conn, first: int) -> dict[str, list[str]]:
    slugs = dict(conn.execute("SELECT id, slug FROM articles"))
    newest = [slug for (slug,) in conn.execute(
        "SELECT slug FROM articles ORDER BY date DESC, id DESC")]
    found: dict[str, list[str]] = {slug: [] for slug in slugs.values()}
    for source, slug in conn.execute(_RANKED_IN_SQL, [first]):
        found[slugs[source]].append(slug)
    for source, rows in found.items():  # then the newest others
        rows += [s for s in newest if s not in rows and s != source][:first - len(rows)]
    return found


@pytest.mark.parametrize("drafts", [False, True])
def test_related_ranks_as_the_statement_it_replaced(tmp_path, drafts):
    rng = random.Random(7)
    pool = ["AI", "ai", "Ａｉ", "chips", "edge", "web", "安全", "cooking"]
    specs = []
    for index in range(60):
        tags = ", ".join(rng.choice(pool) for _ in range(rng.randint(0, 4)))  # repeats too
        date = f"2025-0{rng.randint(1, 3)}-0{rng.randint(1, 4)}"  # many ties
        specs.append((f"s{index}", date, tags, "draft: true\n" if index % 9 == 4 else ""))
    db = build_db(tmp_path, _files(specs))
    with make_client(db, drafts=drafts) as test_client:
        conn = test_client.app.state.holder.current().conn
        for first in (1, 5, 20):
            expected = _in_sql(conn, first)
            nodes = gql(test_client, "query($first: Int!) { articles(first: 100) { nodes { "
                        "slug related(first: $first) { slug } } } }", {"first": first},
                        )["data"]["articles"]["nodes"]
            assert len(nodes) == len(expected) == (60 if drafts else 53)
            for node in nodes:
                assert [r["slug"] for r in node["related"]] == expected[node["slug"]], node["slug"]


@pytest.mark.parametrize("drafts", [False, True])
def test_neighbours_follow_the_list_order_through_many_articles_of_one_date(tmp_path, drafts):
    # Most articles share a date, so the id decides; drafts between them are skipped
    # by a public server and served by a preview one.
    specs = [(f"n{index}", "2025-02-01" if index % 7 else f"2025-0{1 + index % 3}-15", "",
              "draft: true\n" if index % 5 == 2 else "") for index in range(40)]
    db = build_db(tmp_path, _files(specs))
    with make_client(db, drafts=drafts) as test_client:
        nodes = gql(test_client, "{ articles(first: 100, orderBy: DATE_ASC) { nodes { slug "
                    "previous { slug } next { slug } } } }")["data"]["articles"]["nodes"]
    order = [node["slug"] for node in nodes]
    assert len(order) == (40 if drafts else 32)
    for index, node in enumerate(nodes):
        assert (node["previous"] or {}).get("slug") == (order[index - 1] if index else None)
        assert (node["next"] or {}).get("slug") == (
            order[index + 1] if index + 1 < len(order) else None)
