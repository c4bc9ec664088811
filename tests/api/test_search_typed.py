"""Typed search: the matched field is an enum, the hit's node a union of the concrete
types (a key point is a KeyPoint), the last Latin word matches as a prefix, and
filters narrow by kind, tag, date and article, with paging both ways."""

from __future__ import annotations

import pytest

from loader.tokens import match_expression
from tests.api.helpers import gql

HITS = """query ($q: String!, $first: Int, $after: String, $last: Int, $before: String,
                 $kinds: [SearchKind!], $filter: SearchFilter) {
  search(query: $q, first: $first, after: $after, last: $last, before: $before,
         kinds: $kinds, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { field article { slug date tags }
      node { __typename ... on KeyPoint { text trend { title } } ... on Node { id } } } }
  }
}"""


def search(client, q: str, **variables) -> dict:
    return gql(client, HITS, {"q": q, **variables})["data"]["search"]


def nodes(result: dict) -> list[dict]:
    return [edge["node"] for edge in result["edges"]]


def test_a_key_point_match_is_the_key_point(content_client):
    hits = nodes(search(content_client, "芯片", first=50, kinds=["KEY_POINT"]))
    assert hits and all(h["field"] == "TEXT" for h in hits)
    assert all(h["node"]["__typename"] == "KeyPoint" and h["node"]["trend"]["title"] for h in hits)
    assert any("芯片" in h["node"]["text"] for h in hits)


def test_the_node_is_the_concrete_type_of_its_kind(content_client):
    kinds = {"ARTICLE": "Article", "TREND": "Trend", "KEY_POINT": "KeyPoint", "ROUTE": "Route",
             "ADVICE": "Advice", "SECTION": "Section"}
    seen = set()
    for kind, type_name in kinds.items():
        hits = nodes(search(content_client, "AI", first=100, kinds=[kind]))
        assert all(hit["node"]["__typename"] == type_name for hit in hits)
        seen |= {type_name} if hits else set()
    assert len(seen) >= 4


@pytest.mark.parametrize("typed, whole", [("priv", "privacy"), ("platfo", "platform")])
def test_the_last_latin_word_matches_as_a_prefix(content_client, typed, whole):
    assert search(content_client, typed)["totalCount"] == search(content_client, whole)["totalCount"] > 0


@pytest.mark.parametrize("query, expression", [
    ("infer", '"infer" *'), ("ai pri", '"ai" AND "pri" *'), ("c++", '"c"'), ("C#", '"c"'),
    ("ai.", '"ai"'), ("a", '"a"'), ("gpt4", '"gpt4" *'),
    ("infer* ai", '"infer" * AND "ai" *'), ("infer* a", '"infer" * AND "a"'),
    ("a*", '"a"'), ("c++*", '"c"'), ("(infer*) ai", '"infer" * AND "ai" *'),
    ("infer*, a", '"infer" * AND "a"'), ("“infer*” a", '"infer" * AND "a"'), ("(a) b", '"a" AND "b"')])
def test_only_a_whole_trailing_word_of_two_or_more_letters_is_a_prefix(query, expression):
    assert match_expression(query) == expression


def test_filters_narrow_by_tag_date_and_article(content_client):
    everything = nodes(search(content_client, "AI", first=100))
    slug = everything[0]["article"]["slug"]
    by_article = nodes(search(content_client, "AI", first=100, filter={"article": slug}))
    assert by_article and {h["article"]["slug"] for h in by_article} == {slug}
    tag = next(h["article"]["tags"][0] for h in everything if h["article"]["tags"])
    by_tag = nodes(search(content_client, "AI", first=100, filter={"tags": [tag.upper()]}))
    assert by_tag and all(tag in h["article"]["tags"] for h in by_tag)
    date = everything[0]["article"]["date"]
    by_date = nodes(search(content_client, "AI", first=100,
                           filter={"dateFrom": date, "dateTo": date}))
    assert by_date and {h["article"]["date"] for h in by_date} == {date}
    assert len(by_date) < len(everything) or len({h["article"]["date"] for h in everything}) == 1


def test_kinds_and_filter_kinds_narrow_together(content_client):
    articles = search(content_client, "AI", first=100, kinds=["ARTICLE"])["totalCount"]
    both = search(content_client, "AI", first=100, kinds=["ARTICLE", "TREND"],
                  filter={"kinds": ["ARTICLE"]})
    assert both["totalCount"] == articles > 0
    disjoint = search(content_client, "AI", first=100, kinds=["ARTICLE"], filter={"kinds": ["TREND"]})
    assert disjoint["totalCount"] == 0 and disjoint["edges"] == []


def test_paging_backward_gives_the_same_hits_in_the_same_order(content_client):
    forward = nodes(search(content_client, "AI", first=100))
    ids = [h["node"]["id"] if "id" in h["node"] else h["node"]["text"] for h in forward]
    tail = search(content_client, "AI", last=3)
    assert [h["node"].get("id", h["node"].get("text")) for h in nodes(tail)] == ids[-3:]
    assert tail["pageInfo"]["hasPreviousPage"] is True and tail["pageInfo"]["hasNextPage"] is False
    before = search(content_client, "AI", last=2, before=tail["pageInfo"]["startCursor"])
    assert [h["node"].get("id", h["node"].get("text")) for h in nodes(before)] == ids[-5:-3]
