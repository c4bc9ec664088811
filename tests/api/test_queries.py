"""Filters and orderings of the list fields, checked against what the content really holds."""

from __future__ import annotations

from tests.api.helpers import gql, make_client

ALL = "{ articles(first: 100) { nodes { slug title date year tags } } }"


def all_articles(client):
    return gql(client, ALL)["data"]["articles"]["nodes"]


def slugs(client, args: str) -> list[str]:
    body = gql(client, f"{{ articles(first: 100, {args}) {{ nodes {{ slug }} }} }}")
    return [n["slug"] for n in body["data"]["articles"]["nodes"]]


def test_default_order_is_newest_first(content_client):
    nodes = all_articles(content_client)
    assert len(nodes) >= 3
    assert [n["date"] for n in nodes] == sorted((n["date"] for n in nodes), reverse=True)


def test_orderings(content_client):
    nodes = all_articles(content_client)
    by_date = sorted(nodes, key=lambda n: (n["date"], n["slug"]))
    assert slugs(content_client, "orderBy: [DATE_ASC]") == [n["slug"] for n in by_date]
    by_title = sorted(nodes, key=lambda n: (n["title"], n["slug"]))
    assert slugs(content_client, "orderBy: [TITLE_ASC]") == [n["slug"] for n in by_title]
    by_title_desc = sorted(nodes, key=lambda n: n["title"], reverse=True)
    assert slugs(content_client, "orderBy: [TITLE_DESC]") == [n["slug"] for n in by_title_desc]


def test_tag_filter_is_any_of(content_client):
    nodes = all_articles(content_client)
    tags = sorted({t for n in nodes for t in n["tags"]})
    assert tags
    for tag in tags:
        expected = {n["slug"] for n in nodes if tag in n["tags"]}
        assert set(slugs(content_client, f'filter: {{tags: ["{tag}"]}}')) == expected
    pair = tags[:2]
    expected = {n["slug"] for n in nodes if set(n["tags"]) & set(pair)}
    got = slugs(content_client, 'filter: {tags: [%s]}' % ", ".join(f'"{t}"' for t in pair))
    assert set(got) == expected
    assert slugs(content_client, 'filter: {tags: ["no-such-tag"]}') == []


def test_date_and_year_filters(content_client):
    nodes = all_articles(content_client)
    dates = sorted(n["date"] for n in nodes)
    middle = dates[len(dates) // 2]
    assert set(slugs(content_client, f'filter: {{dateFrom: "{middle}"}}')) == {
        n["slug"] for n in nodes if n["date"] >= middle}
    assert set(slugs(content_client, f'filter: {{dateTo: "{middle}"}}')) == {
        n["slug"] for n in nodes if n["date"] <= middle}
    for year in sorted({n["year"] for n in nodes}):  # in the lists' order, every year
        assert slugs(content_client, f"filter: {{year: {year}}}") == [
            n["slug"] for n in nodes if n["year"] == year]
    for year in (1999, 0, -1, 1, 999, 9999, 10000, 2147483647):
        assert slugs(content_client, f"filter: {{year: {year}}}") == []
    both = slugs(content_client, f'filter: {{dateFrom: "{dates[0]}", dateTo: "{dates[0]}"}}')
    assert set(both) == {n["slug"] for n in nodes if n["date"] == dates[0]}


def test_full_text_article_filter(content_client):
    assert slugs(content_client, 'filter: {query: "RISC-V"}') == ["2024-ai-trends"]
    assert "2024-ai-trends" not in slugs(content_client, 'filter: {query: "端侧"}')
    assert slugs(content_client, 'filter: {query: "端侧", year: 1999}') == []


def test_routes_whose_cons_mention_cost(content_client):
    body = gql(content_client, '{ routes(first: 100, filter: {cons: "成本"}) '
                               '{ totalCount nodes { name cons pros } } }')
    routes = body["data"]["routes"]["nodes"]
    assert routes and body["data"]["routes"]["totalCount"] == len(routes)
    assert all(any("成本" in c for c in r["cons"]) for r in routes)
    names = {r["name"] for r in routes}
    assert "大模型优先路线" in names
    # "小模型专用路线" mentions 成本 only in its pros: the cons filter must not pick it.
    assert "小模型专用路线" not in names
    every = gql(content_client, "{ routes(first: 100) { nodes { name cons } } }")
    expected = {r["name"] for r in every["data"]["routes"]["nodes"]
                if any("成本" in c for c in r["cons"])}
    assert names == expected


def test_routes_pros_and_article_filters(content_client):
    body = gql(content_client, '{ routes(first: 100, filter: {pros: "成本", '
                               'article: {query: "RISC-V"}}) { nodes { name article { slug } } } }')
    nodes = body["data"]["routes"]["nodes"]
    assert {n["name"] for n in nodes} == {"小模型专用路线", "边缘计算优先路线", "被动监测路线"}
    assert {n["article"]["slug"] for n in nodes} == {"2024-ai-trends"}


def test_trends_and_advice_filters(content_client):
    trends = gql(content_client, '{ trends(first: 100, filter: {query: "芯片"}) '
                                 '{ nodes { title article { slug } } } }')["data"]["trends"]["nodes"]
    assert "AI 芯片的创新与算力竞争升级" in [t["title"] for t in trends]
    advice = gql(content_client, '{ advice(first: 100, filter: {query: "RISC-V"}) '
                                 '{ nodes { title } } }')["data"]["advice"]["nodes"]
    assert [a["title"] for a in advice] == ["关注开源 RISC-V 社区"]
    seed_only = gql(content_client, '{ advice(first: 100, filter: {article: {query: "RISC-V"}}) '
                                    '{ totalCount } }')
    assert seed_only["data"]["advice"]["totalCount"] == 9


def test_cross_article_lists_are_in_article_then_position_order(content_client):
    body = gql(content_client, "{ trends(first: 100) { nodes { position article { slug date } } } }")
    nodes = body["data"]["trends"]["nodes"]
    keys = [(n["article"]["date"], n["article"]["slug"], n["position"]) for n in nodes]
    assert keys == sorted(keys, key=lambda k: (-int(k[0].replace("-", "")), k[1], k[2]))


def test_filter_text_is_bounded(content_client):
    body = gql(content_client, '{ routes(filter: {cons: "%s"}) { totalCount } }' % ("成" * 201),
               expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_rows_by_gives_the_same_rows_however_the_values_are_passed(content_db):
    """Up to MARKS_UP_TO values go as parameters, more as one JSON array: the
    rows are the same, in the same order, and each count has one statement."""
    import sqlite3

    from api import queries

    conn = sqlite3.connect(content_db)
    conn.row_factory = sqlite3.Row
    try:
        ids = [r[0] for r in conn.execute("SELECT id FROM route_points ORDER BY id")]
        assert len(ids) > queries.MARKS_UP_TO + 1
        for count in (1, queries.MARKS_UP_TO, queries.MARKS_UP_TO + 1, len(ids)):
            wanted = list(reversed(ids[:count]))
            rows = queries.rows_by(conn, "route_points", "id", wanted, order="id DESC")
            expected = conn.execute("SELECT * FROM route_points WHERE id <= ? ORDER BY id DESC",
                                    (ids[count - 1],)).fetchall()
            assert [tuple(r) for r in rows] == [tuple(r) for r in expected]
        assert not queries.rows_by(conn, "route_points", "id", [-1])
    finally:
        conn.close()


LISTS = ("trends", "routes", "advice")
FILTERS = ("", "filter: {article: {year: 2024}}", 'filter: {article: {tags: ["AI"]}}',
           'filter: {query: "AI"}', 'filter: {article: {year: 2024}, query: "AI"}')


def paged_through(client, field: str, arguments: str) -> int:
    """How many nodes paging through ``field`` with ``arguments`` finds."""
    found, after = 0, None
    while True:
        cursor = f', after: "{after}"' if after else ""
        page = gql(client, f"{{ {field}(first: 7{cursor}{', ' if arguments else ''}{arguments}) "
                           "{ nodes { id } pageInfo { hasNextPage endCursor } } }")
        connection = page["data"][field]
        found += len(connection["nodes"])
        if not connection["pageInfo"]["hasNextPage"]:
            return found
        after = connection["pageInfo"]["endCursor"]


def test_total_count_is_what_paging_through_finds(content_client):
    """A count joins only the tables its filter reads (api.queries.Source.count_from):
    the same number as the rows a page query, with every join, gives."""
    counted = set()
    for field in LISTS:
        for arguments in FILTERS:
            query = f"{{ {field}({arguments or 'first: 1'}) {{ totalCount }} }}"
            total = gql(content_client, query)["data"][field]["totalCount"]
            assert total == paged_through(content_client, field, arguments), (field, arguments)
            counted.add(total)
    assert len(counted) > 3  # the filters do filter


def test_a_count_runs_when_asked_once_and_joins_what_its_filter_reads(content_db):
    with make_client(content_db, response_cache_size=0) as client:
        conn = client.app.state.holder.current().conn
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        try:
            def counts(query: str) -> list[str]:
                statements.clear()
                gql(client, query)
                return [s for s in statements if s.startswith("SELECT count(*)")]
            assert counts("{ advice(first: 2) { nodes { id } } }") == []
            assert counts("{ advice(first: 2) { a: totalCount b: totalCount } }") == \
                ["SELECT count(*) FROM advice v"]
            [joined] = counts("{ routes(filter: {article: {year: 2024}}) { totalCount } }")
            assert "JOIN articles a" in joined and "trends" not in joined
            [text] = counts('{ trends(filter: {query: "AI"}) { totalCount } }')
            assert "JOIN" not in text
        finally:
            conn.set_trace_callback(None)
