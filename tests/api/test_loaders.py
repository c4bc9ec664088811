"""No N+1: the SQL statements of a request are bounded by nesting depth, not by row count."""

from __future__ import annotations

import pytest

from tests.api.helpers import build_db, gql, make_client, seed_copies

NESTED = """{
  articles(first: 100) {
    totalCount
    nodes {
      slug sections { heading article { slug } }
      trends {
        title article { slug }
        keyPoints { text }
        routes { name pros cons trend { title } article { slug } }
        advice { title trend { title } article { slug } }
        sections { heading trend { title } }
      }
    }
  }
}"""

SEARCH = """{ search(query: "芯片", first: 100) { totalCount nodes { node { ... on Node { id }
  ... on Route { trend { title } } ... on Advice { trend { title } }
  ... on KeyPoint { trend { title } } } article { slug } } } }"""


@pytest.fixture(scope="module")
def dbs(tmp_path_factory):
    return {n: build_db(tmp_path_factory.mktemp(f"copies{n}"), seed_copies(n)) for n in (3, 100)}


def ours(statement: str) -> bool:
    """Statements the API issued. The trace also reports FTS5's internal reads (prefixed
    with "--", or naming its shadow tables as 'main'.'search_fts_*'): those are per-row
    work inside one of our statements, like reading index pages, not extra round trips."""
    return not statement.startswith("--") and "'main'." not in statement


def count_statements(db, query) -> tuple[int, dict, list[str]]:
    with make_client(db, response_cache_size=0) as client:
        conn = client.app.state.holder.current().conn
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        try:
            body = gql(client, query)
        finally:
            conn.set_trace_callback(None)
    statements = [s for s in statements if ours(s)]
    return len(statements), body["data"], statements


def test_statement_count_does_not_grow_with_rows(dbs):
    small, small_data, small_sql = count_statements(dbs[3], NESTED)
    large, large_data, large_sql = count_statements(dbs[100], NESTED)
    assert len(small_data["articles"]["nodes"]) == 3
    assert len(large_data["articles"]["nodes"]) == 100
    routes = sum(len(t["routes"]) for a in large_data["articles"]["nodes"] for t in a["trends"])
    assert routes == 600  # 100 articles x 3 trends x 2 routes, all resolved
    assert small == large, (small_sql, large_sql)
    # Count and page, then at most one statement per relation field of the query
    # (15 of them in NESTED: sections, trends, keyPoints, routes, pros, cons,
    # advice, trend sections, and 7 back-references to a trend or an article).
    assert large <= 2 + 15, large_sql


def test_search_statements_are_bounded(dbs):
    small, small_data, small_sql = count_statements(dbs[3], SEARCH)
    large, large_data, large_sql = count_statements(dbs[100], SEARCH)
    assert large_data["search"]["totalCount"] > 100 > small_data["search"]["totalCount"]
    # count + page + one lookup per node table + articles + trends of routes/advice
    assert small <= 9 and large <= 9, (small_sql, large_sql)
    # A one-character term looks up the bigrams that end with it by the key of the
    # store's table, in each request: it never reads the index's whole vocabulary.
    with make_client(dbs[100], response_cache_size=0) as client:
        conn = client.app.state.holder.current().conn
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        try:
            for _ in range(3):
                assert gql(client, SEARCH.replace("芯片", "片"))["data"]["search"]["totalCount"]
        finally:
            conn.set_trace_callback(None)
    assert not any("search_vocabulary" in s for s in statements)
    lookups = [s for s in statements if "FROM search_bigrams" in s]
    assert lookups == ["SELECT firsts FROM search_bigrams WHERE last = '片'"] * len(lookups)
    assert 3 <= len(lookups) <= 2 * 3  # the page's expression and the count's


def test_every_batch_is_one_in_statement(dbs):
    _, _, statements = count_statements(dbs[100], NESTED)
    lookups = [s for s in statements if "json_each" in s]
    assert lookups, statements
    assert len(lookups) == len(set(lookups))  # no statement repeats per parent


def test_node_lists_batch_too(dbs):
    with make_client(dbs[100], response_cache_size=0) as client:
        ids = [n["id"] for n in gql(client, "{ advice(first: 100) { nodes { id } } }")
               ["data"]["advice"]["nodes"]]
    query = "query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Advice { trend { title } } } }"
    with make_client(dbs[100], response_cache_size=0) as client:
        conn = client.app.state.holder.current().conn
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        try:
            body = gql(client, query, {"ids": ids})
        finally:
            conn.set_trace_callback(None)
    statements = [s for s in statements if ours(s)]
    assert [n["id"] for n in body["data"]["nodes"]] == ids
    assert len(statements) == 2, statements  # advice by key, then trends by id


def test_time_limit_stops_synchronous_nested_work(dbs):
    """Nested lists resolve without yielding to the event loop; the time limit
    must still stop a request that asks for too much of them, early."""
    import time

    many = "{ " + " ".join(f"a{i}: " + NESTED.strip()[1:-1].strip() for i in range(16)) + " }"

    def run(limit: float) -> tuple[float, dict]:
        with make_client(dbs[100], response_cache_size=0, max_execution_seconds=limit,
                         max_aliases=20, max_tokens=4000) as client:
            client.post("/graphql", json={"query": "{ articles(first: 1) { totalCount } }"})
            before = client.get("/healthz").json()["execution"]
            started = time.perf_counter()  # warm: the snapshot is open, the app started
            body = client.post("/graphql", json={"query": many}).json()
            elapsed = time.perf_counter() - started
            after = client.get("/healthz").json()["execution"]
            # Stopped by the time limit in the root fields' plans: counted as timed out.
            timed_out = [e for e in body.get("errors", ()) if e["extensions"]["code"] == "TIMEOUT"]
            assert after["timedOut"] - before["timedOut"] == (1 if timed_out else 0), after
            assert after["compiled"] - before["compiled"] == (0 if timed_out else 1), after
            return elapsed, body

    full_time, full = run(60.0)
    assert "errors" not in full
    limited_time, limited = run(0.05)
    assert [e["extensions"]["code"] for e in limited["errors"]] == ["TIMEOUT"]
    assert limited["data"] is None
    # Side by side in one run: stopped early, not after doing all the work.
    assert limited_time < full_time / 3, (limited_time, full_time)


BODIES = """{ articles(first: 100) { nodes { slug body excerpt(length: 40)
  html: body(format: HTML) trends { article { body(format: PLAIN) } } } } }"""


def test_article_bodies_load_once_per_family_and_only_when_asked(dbs):
    """Article rows leave the body out; asking for it costs one statement per family."""
    _, data, without = count_statements(dbs[100], "{ articles(first: 100) { nodes { slug title } } }")
    assert len(data["articles"]["nodes"]) == 100
    assert not any("body_md" in s for s in without), without
    small, _, small_sql = count_statements(dbs[3], BODIES)
    large, large_data, large_sql = count_statements(dbs[100], BODIES)
    assert small == large, (small_sql, large_sql)
    body_statements = [s for s in large_sql if "body_md" in s]
    # One for the page's articles, one for the family of the trends' articles.
    assert len(body_statements) == 2, body_statements
    node = large_data["articles"]["nodes"][0]
    assert node["body"].startswith("#") and node["html"].startswith("<")
    assert node["trends"][0]["article"]["body"] and len(node["excerpt"]) <= 40


def test_a_batch_loader_loads_the_keys_of_one_turn_together():
    import asyncio

    from api.loaders import BatchLoader

    calls: list[list] = []

    def load(keys):
        calls.append(list(keys))
        return [f"value of {k}" for k in keys]

    async def main():
        loader = BatchLoader(load)
        first = await asyncio.gather(*(loader.load(k) for k in ["a", "b", "a", "c"]))
        alone = await loader.load("d")
        again = await asyncio.gather(loader.load("b"), loader.load("e"))
        return first, alone, again

    first, alone, again = asyncio.run(main())
    assert first == ["value of a", "value of b", "value of a", "value of c"]
    assert alone == "value of d" and again == ["value of b", "value of e"]
    assert calls == [["a", "b", "c"], ["d"], ["e"]]  # a loaded key is never asked again


def test_a_batch_loaders_error_reaches_every_waiter_of_its_batch():
    import asyncio

    from api.loaders import BatchLoader

    calls: list[list] = []

    def load(keys):
        calls.append(list(keys))
        raise RuntimeError(f"cannot load {keys}")

    async def main():
        loader = BatchLoader(load)
        return await asyncio.gather(loader.load(1), loader.load(2), return_exceptions=True)

    outcomes = asyncio.run(main())
    assert [str(o) for o in outcomes] == ["cannot load [1, 2]"] * 2
    assert calls == [[1, 2]]


def test_an_article_looked_up_by_slug_reads_its_body_with_it(dbs):
    """One statement for article(slug) with its body and excerpt; the body is the
    one a list reads for its whole family."""
    count, data, statements = count_statements(
        dbs[3], '{ articles(first: 3) { nodes { slug body excerpt(length: 80) } } }')
    listed = data["articles"]["nodes"]
    for node in listed:
        count, data, statements = count_statements(
            dbs[3], f'{{ article(slug: "{node["slug"]}") {{ body excerpt(length: 80) }} }}')
        assert data["article"] == {"body": node["body"], "excerpt": node["excerpt"]}
        assert count == 1, statements


@pytest.mark.parametrize("template", [
    '{{ a: node(id: "{0}") {{ id }} b: nodes(ids: ["{1}"]) {{ id }} }}',
    '{{ b: nodes(ids: ["{1}"]) {{ id }} a: node(id: "{0}") {{ id }} }}',
    '{{ a: node(id: "{0}") {{ ... on Article {{ trends {{ title }} }} }} '
    'b: nodes(ids: ["{1}"]) {{ ... on Article {{ trends {{ title }} }} }} }}',
])
def test_node_beside_nodes_is_one_batch(dbs, template):
    """A lookup waits for the lookups that `nodes` gathers (they ask their keys a
    turn later): one statement for both, in either order, and their relations one
    family."""
    _, data, _ = count_statements(dbs[3], "{ articles(first: 2) { nodes { id } } }")
    first, second = (node["id"] for node in data["articles"]["nodes"])
    query = template.format(first, second)
    nested = "trends" in query
    for _ in range(3):  # the third is proven (api.prepared)
        count, data, statements = count_statements(dbs[3], query)
        assert data["a"]["id" if not nested else "trends"] and data["b"][0]
        assert count == (2 if nested else 1), statements
