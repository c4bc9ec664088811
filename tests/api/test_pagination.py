"""Relay pagination: both directions, cursors, page-size limits (checked, never clipped)."""

from __future__ import annotations

import pytest

from api.pagination import decode_cursor, encode_cursor
from tests.api.helpers import build_db, codes, gql, make_client, seed_copies

PAGE = """query ($first: Int, $after: String, $last: Int, $before: String) {
  articles(first: $first, after: $after, last: $last, before: $before, orderBy: [TITLE_ASC]) {
    totalCount
    edges { cursor node { slug } }
    nodes { slug }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


@pytest.fixture(scope="module")
def many_client(tmp_path_factory):
    db = build_db(tmp_path_factory.mktemp("many"), seed_copies(25))
    with make_client(db) as client:
        yield client


def page(client, **variables):
    return gql(client, PAGE, variables)["data"]["articles"]


def test_default_page_size_is_20(many_client):
    p = page(many_client)
    assert p["totalCount"] == 25
    assert len(p["edges"]) == 20
    assert p["pageInfo"]["hasNextPage"] is True
    assert p["pageInfo"]["hasPreviousPage"] is False


def test_forward_walk_visits_everything_once_in_order(many_client):
    seen, after = [], None
    while True:
        p = page(many_client, first=7, after=after)
        seen.extend(n["slug"] for n in p["nodes"])
        assert [e["node"]["slug"] for e in p["edges"]] == [n["slug"] for n in p["nodes"]]
        if not p["pageInfo"]["hasNextPage"]:
            break
        after = p["pageInfo"]["endCursor"]
    assert seen == sorted(f"copy-{i:03d}" for i in range(25))


def test_backward_walk_matches_forward(many_client):
    seen, before = [], None
    while True:
        p = page(many_client, last=6, before=before)
        seen[:0] = [n["slug"] for n in p["nodes"]]
        if not p["pageInfo"]["hasPreviousPage"]:
            break
        before = p["pageInfo"]["startCursor"]
    assert seen == sorted(f"copy-{i:03d}" for i in range(25))


def test_page_info_in_the_middle(many_client):
    first = page(many_client, first=5)
    second = page(many_client, first=5, after=first["pageInfo"]["endCursor"])
    assert second["pageInfo"]["hasPreviousPage"] is True
    assert second["nodes"][0]["slug"] == "copy-005"
    back = page(many_client, last=5, before=second["pageInfo"]["startCursor"])
    assert back["nodes"] == first["nodes"]
    assert back["pageInfo"]["hasNextPage"] is True


def test_last_without_before_is_the_tail(many_client):
    p = page(many_client, last=3)
    assert [n["slug"] for n in p["nodes"]] == ["copy-022", "copy-023", "copy-024"]
    assert p["pageInfo"]["hasNextPage"] is False and p["pageInfo"]["hasPreviousPage"] is True


def test_empty_page(many_client):
    p = page(many_client, first=0)
    assert p["nodes"] == [] and p["pageInfo"]["startCursor"] is None
    assert p["totalCount"] == 25
    # Nothing on the page, but 25 after it (Relay: hasNextPage when more edges follow).
    assert p["pageInfo"]["hasNextPage"] is True


def test_max_page_size_100_is_allowed(many_client):
    assert len(page(many_client, first=100)["nodes"]) == 25


@pytest.mark.parametrize("variables, code", [
    ({"first": 101}, "PAGE_SIZE_EXCEEDED"),
    ({"first": 1000000000}, "PAGE_SIZE_EXCEEDED"),
    ({"last": 101}, "PAGE_SIZE_EXCEEDED"),
    ({"first": -1}, "BAD_USER_INPUT"),
    ({"last": -5}, "BAD_USER_INPUT"),
    ({"first": 2, "last": 2}, "BAD_USER_INPUT"),
    ({"after": "not-a-cursor"}, "BAD_CURSOR"),
    ({"before": "%%%"}, "BAD_CURSOR"),
    ({"after": encode_cursor("sig", ["2025-01-01", 3])[:-2] + "zz"}, "BAD_CURSOR"),
])
def test_invalid_pagination_is_an_error_with_a_code(many_client, variables, code):
    body = gql(many_client, PAGE, variables, expect_errors=True, status=200)
    assert codes(body) == [code]
    assert body["data"] is None
    assert body["errors"][0]["path"] == ["articles"]


def test_page_size_error_names_the_limit(many_client):
    body = gql(many_client, PAGE, {"first": 500}, expect_errors=True)
    error = body["errors"][0]
    assert "100" in error["message"]
    assert error["extensions"]["maximum"] == 100


def test_cursor_round_trip_and_opacity():
    for values in (["2025-01-01", 1], ["标题", 99], [3.5, 123456]):
        cursor = encode_cursor("sig", values)
        assert "sig" not in cursor and "2025" not in cursor and "," not in cursor
        assert decode_cursor(cursor, "after", "sig", 2) == values


def test_a_cursor_of_another_order_or_filter_is_a_bad_cursor(many_client):
    by_title = page(many_client, first=3)["pageInfo"]["endCursor"]
    other = gql(many_client, """query ($after: String) { articles(first: 3, after: $after,
        orderBy: [DATE_DESC]) { nodes { slug } } }""", {"after": by_title}, expect_errors=True)
    assert codes(other) == ["BAD_CURSOR"] and "another list" in other["errors"][0]["message"]
    filtered = gql(many_client, """query ($after: String) { articles(first: 3, after: $after,
        orderBy: [TITLE_ASC], filter: {year: 2025}) { nodes { slug } } }""", {"after": by_title},
                   expect_errors=True)
    assert codes(filtered) == ["BAD_CURSOR"]
    trends = gql(many_client, """query ($after: String) { trends(first: 3, after: $after) {
        nodes { title } } }""", {"after": by_title}, expect_errors=True)
    assert codes(trends) == ["BAD_CURSOR"]


def test_nested_connections_page_too(content_client):
    body = gql(content_client, "{ routes(first: 2) { totalCount nodes { name } "
                               "pageInfo { hasNextPage endCursor } } }")
    routes = body["data"]["routes"]
    assert len(routes["nodes"]) == 2 and routes["totalCount"] > 2
    nxt = gql(content_client, "query($a: String) { routes(first: 2, after: $a) { nodes { name } } }",
              {"a": routes["pageInfo"]["endCursor"]})
    assert nxt["data"]["routes"]["nodes"] != routes["nodes"]


@pytest.mark.parametrize("field", ["trends", "routes", "advice"])
@pytest.mark.parametrize("store", ["many_client", "content_client"])
def test_lists_of_several_keys_walk_both_ways_with_their_page_info(request, store, field):
    """Orders of several keys, with rows tied on the first (the copies share a date)
    and not (the content's articles): each cursor's bound on the first key
    (api.pagination.Order.beyond) and the probe for the other side keep every row,
    once, in order, and every flag right."""
    client = request.getfixturevalue(store)
    query = """query ($first: Int, $after: String, $last: Int, $before: String) {
      list: %s(first: $first, after: $after, last: $last, before: $before) {
        totalCount nodes { id }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }""" % field

    def at(**variables):
        return gql(client, query, variables)["data"]["list"]

    total = at(first=1)["totalCount"]
    assert total > 7
    forward, after, pages = [], None, 0
    while True:
        p = at(first=3, after=after)
        forward += [n["id"] for n in p["nodes"]]
        assert p["pageInfo"]["hasPreviousPage"] is (pages > 0)
        pages += 1
        if not p["pageInfo"]["hasNextPage"]:
            break
        after = p["pageInfo"]["endCursor"]
    backward, before, pages = [], None, 0
    while True:
        p = at(last=2, before=before)
        backward[:0] = [n["id"] for n in p["nodes"]]
        assert p["pageInfo"]["hasNextPage"] is (pages > 0)
        pages += 1
        if not p["pageInfo"]["hasPreviousPage"]:
            break
        before = p["pageInfo"]["startCursor"]
    assert forward == backward and len(set(forward)) == len(forward) == total


def test_a_cursor_of_a_one_character_filter_outlives_a_load(tmp_path):
    """The filter's SQL lists bigrams from the index's vocabulary, which a load
    changes (a new 笔芯): cursors are signed with the filter as given, not its SQL."""
    import os

    from tests.api.helpers import SEED

    seed = SEED.read_text("utf-8")
    db = build_db(tmp_path / "one", {SEED.name: seed, "copy.md": seed})
    query = """query ($after: String) { trends(first: 1, after: $after, filter: {query: "芯"}) {
      nodes { id } pageInfo { endCursor hasNextPage } } }"""
    with make_client(db, reload_check_seconds=0, response_cache_size=0) as client:
        first = gql(client, query)["data"]["trends"]
        assert first["pageInfo"]["hasNextPage"], first
        more = seed.replace("\n2024 年，", "\n笔芯的比喻。\n\n2024 年，", 1)
        assert "笔芯" in more
        os.replace(build_db(tmp_path / "two", {SEED.name: seed, "copy.md": seed,
                                               "refills.md": more}), db)
        second = gql(client, query, {"after": first["pageInfo"]["endCursor"]})["data"]["trends"]
        assert second["nodes"] and second["nodes"] != first["nodes"]
