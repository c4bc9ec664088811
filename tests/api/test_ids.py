"""Global IDs: opaque, stable across reloads, and node/nodes round trips for every type."""

from __future__ import annotations

import base64

import pytest

from api import ids
from api.errors import ApiError
from tests.api.helpers import build_db, codes, gql, make_client, SEED

EVERY_ID = """{ articles(first: 100) { nodes { id slug sections { id heading }
  trends { id title sections { id } routes { id name } advice { id title } } } } }"""

NODE = """query ($id: ID!) { node(id: $id) { __typename id
  ... on Article { slug } ... on Trend { title } ... on Route { name }
  ... on Advice { title } ... on Section { heading } } }"""


def collect_ids(client) -> list[tuple[str, str, str]]:
    """(id, typename, a distinguishing field) for every node reachable from articles."""
    out = []
    for a in gql(client, EVERY_ID)["data"]["articles"]["nodes"]:
        out.append((a["id"], "Article", a["slug"]))
        out += [(s["id"], "Section", s["heading"]) for s in a["sections"]]
        for t in a["trends"]:
            out.append((t["id"], "Trend", t["title"]))
            out += [(r["id"], "Route", r["name"]) for r in t["routes"]]
            out += [(v["id"], "Advice", v["title"]) for v in t["advice"]]
            out += [(s["id"], "Section", None) for s in t["sections"]]
    return out


def test_node_round_trip_for_every_object(content_client):
    all_ids = collect_ids(content_client)
    assert {t for _, t, _ in all_ids} >= {"Article", "Trend", "Route", "Advice", "Section"}
    assert len({i for i, _, _ in all_ids}) == len(all_ids)  # unique
    for global_id, typename, label in all_ids:
        node = gql(content_client, NODE, {"id": global_id})["data"]["node"]
        assert node["__typename"] == typename and node["id"] == global_id
        if label is not None:
            assert label in node.values()


def test_nodes_keeps_order_and_nulls(content_client):
    all_ids = collect_ids(content_client)[:10]
    missing = ids.encode("Route", "no-such-article/9/r9")
    asked = [i for i, _, _ in all_ids] + [missing]
    body = gql(content_client, "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": asked})
    got = body["data"]["nodes"]
    assert [n["id"] if n else None for n in got] == asked[:-1] + [None]


def test_unknown_but_well_formed_id_is_null(content_client):
    body = gql(content_client, NODE, {"id": ids.encode("Article", "no-such-slug")})
    assert body["data"]["node"] is None


@pytest.mark.parametrize("bad", [
    "", "garbage", "!!!", base64.urlsafe_b64encode(b"Nope:x").decode(),
    base64.urlsafe_b64encode(b"Article").decode(), base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    "QXJ0aWNsZTo", "x" * 600, "🙂",
])
def test_invalid_ids_are_bad_user_input(content_client, bad):
    body = gql(content_client, NODE, {"id": bad}, expect_errors=True, status=200)
    assert codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["path"] == ["node"]
    body = gql(content_client, "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
               {"ids": [bad]}, expect_errors=True)
    assert codes(body) == ["BAD_USER_INPUT"]


def test_nodes_limit(content_client):
    body = gql(content_client, "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
               {"ids": [ids.encode("Article", "x")] * 101}, expect_errors=True)
    assert codes(body) == ["BAD_USER_INPUT"]


def test_ids_are_opaque_and_decode():
    global_id = ids.encode("Trend", "2024-ai-trends/1")
    assert "Trend" not in global_id and "=" not in global_id
    assert ids.decode(global_id) == ("Trend", "2024-ai-trends/1")
    with pytest.raises(ApiError):
        ids.decode("Zm9v")


def test_ids_survive_a_reload(tmp_path):
    text = SEED.read_text("utf-8")
    first = build_db(tmp_path / "one", {"2024-ai-trends.md": text})
    # Another article added: internal row ids shift, global IDs must not.
    second = build_db(tmp_path / "two", {"0000-first.md": text, "2024-ai-trends.md": text})
    query = '{ article(slug: "2024-ai-trends") { id trends { id routes { id } advice { id } } } }'
    with make_client(first) as a, make_client(second) as b:
        assert gql(a, query)["data"] == gql(b, query)["data"]
