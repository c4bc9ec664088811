"""Schema-level rules: limits, suggestions, descriptions, and the committed SDL."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema as parse_sdl
from graphql import get_introspection_query
from graphql.type import GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

from api.config import Settings
from api.schema import export_sdl
from tests.api.helpers import REPO, codes, make_client

# The deepest legitimate query: every nested list under articles (depth 7 with source).
EVERYTHING = """query Everything($first: Int) {
  articles(first: $first) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node {
      id slug title date year description tags intro summary summaryHeading body excerpt
      wordCount readingTimeMinutes headings { level text anchor line }
      source { path startLine endLine }
      sections { id heading body source { path startLine endLine } }
      trends {
        id position label title anchor statusIntro source { path startLine endLine }
        keyPoints { position label text source { path startLine endLine } }
        routes { id position label name intro pros cons source { path startLine endLine } }
        advice { id position title text source { path startLine endLine } }
        sections { id heading body source { path startLine endLine } }
      }
    } }
  }
}"""


def post(client, query, variables=None):
    return client.post("/graphql", json={"query": query, "variables": variables})


def test_committed_schema_matches_the_code():
    committed = (REPO / "schema.graphql").read_text("utf-8")
    assert committed == export_sdl(), (
        "schema.graphql is out of date with the code: run `make schema` and commit the result.")


def test_every_type_field_and_argument_is_described():
    schema = parse_sdl(export_sdl())
    missing = []
    for name, t in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not t.description:
            missing.append(name)
        if isinstance(t, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for fname, f in t.fields.items():
                if not f.description:
                    missing.append(f"{name}.{fname}")
                for aname, arg in getattr(f, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{fname}({aname})")
        if isinstance(t, GraphQLEnumType):
            missing += [f"{name}.{v}" for v, val in t.values.items() if not val.description]
    assert missing == []


def test_contract_fields_are_non_null_where_guaranteed():
    schema = parse_sdl(export_sdl())
    article = schema.type_map["Article"]
    for field in ["id", "slug", "title", "date", "tags", "body",
                  "excerpt", "wordCount", "readingTimeMinutes", "headings", "trends", "sections",
                  "source"]:
        assert str(article.fields[field].type).endswith("!"), field
    # What the source may lack is nullable: absent is null, never "".
    for type_name, field in [("Article", "description"), ("Article", "intro"),
                             ("Article", "summary"), ("Trend", "intro"), ("Trend", "statusIntro"),
                             ("Trend", "statusOutro"), ("Trend", "routesIntro"),
                             ("Trend", "adviceIntro"), ("Trend", "adviceOutro"),
                             ("Route", "intro"), ("Advice", "label"), ("Advice", "text"),
                             ("KeyPoint", "label"), ("KeyPoint", "text"), ("RoutePoint", "text"),
                             ("Section", "heading")]:
        assert not str(schema.type_map[type_name].fields[field].type).endswith("!"), field
    assert str(schema.type_map["Route"].fields["pros"].type) == "[String!]!"
    assert str(schema.query_type.fields["articles"].type) == "ArticleConnection!"
    assert str(schema.query_type.fields["search"].type) == "SearchHitConnection!"
    assert str(schema.query_type.fields["nodes"].type) == "[Node]!"
    assert schema.mutation_type is None


def test_the_deepest_legitimate_query_passes(seed_client):
    r = post(seed_client, EVERYTHING, {"first": 100})
    assert r.status_code == 200 and "errors" not in r.json(), r.json()
    assert len(r.json()["data"]["articles"]["edges"][0]["node"]["trends"]) == 3


def test_graphiql_introspection_passes(seed_client):
    query = get_introspection_query(descriptions=True, specified_by_url=True,
                                    directive_is_repeatable=True, schema_description=True,
                                    input_value_deprecation=True)
    r = post(seed_client, query)
    assert r.status_code == 200 and "errors" not in r.json()
    assert r.json()["data"]["__schema"]["queryType"]["name"] == "Query"


def nested(depth: int) -> str:
    inner = "title"
    for _ in range(depth):
        inner = f"trends {{ article {{ {inner} }} }}"
    return f'{{ article(slug: "x") {{ {inner} }} }}'


def test_depth_limit(seed_client):
    assert post(seed_client, nested(4)).status_code == 200  # depth 9
    for depth in (5, 25):  # depth 11 and 51
        r = post(seed_client, nested(depth))
        assert r.status_code == 400 and set(codes(r.json())) == {"QUERY_TOO_COMPLEX"}
        assert "depth" in r.json()["errors"][0]["message"]


@pytest.mark.parametrize("query, data", [
    ("{ }", {}),
    ("query { ...F } fragment F on Query { }", {}),
    ("{ __typename ... { } }", {"__typename": "Query"}),
    ('{ article(slug: "2024-ai-trends") { } }', {"article": {}}),
    ("{ articles(first: 1) { nodes { trends { } } totalCount } }",
     {"articles": {"nodes": [{"trends": [{}, {}, {}]}], "totalCount": 1}}),
])
def test_empty_selection_sets_are_answered(seed_client, query, data):
    """graphql-core 3.3 parses empty selection sets (the grammar it is moving to) and
    executes them; Strawberry's depth rule took the deepest of none: a 500."""
    r = post(seed_client, query)
    assert r.status_code == 200 and r.json()["data"] == data, r.text


def test_depth_limit_holds_beside_an_empty_selection_set(seed_client):
    r = post(seed_client, nested(5)[:-1] + " years { } }")
    assert r.status_code == 400 and set(codes(r.json())) == {"QUERY_TOO_COMPLEX"}, r.text
    assert post(seed_client, nested(4)[:-1] + " years { } }").status_code == 200


def test_alias_limit(seed_client):
    ok = "{ " + " ".join(f"a{i}: years {{ year }}" for i in range(20)) + " }"
    assert post(seed_client, ok).status_code == 200
    for count in (21, 1000):
        many = "{ " + " ".join(f"a{i}: years {{ year }}" for i in range(count)) + " }"
        r = post(seed_client, many)
        assert r.status_code == 400 and codes(r.json()) == ["QUERY_TOO_COMPLEX"]


def test_token_limit(seed_client):
    ok = "{ years { year } " + "tags { name } " * 240 + "}"  # 965 tokens, no aliases needed
    assert post(seed_client, ok).status_code == 200
    many = "{ years { year } " + "tags { name } " * 260 + "}"  # 1045 tokens
    r = post(seed_client, many)
    assert r.status_code == 400 and codes(r.json()) == ["QUERY_TOO_COMPLEX"]


def test_deep_introspection_is_refused(seed_client):
    inner = "name"
    for _ in range(8):
        inner = f"fields {{ type {{ ofType {{ {inner} }} }} }}"
    r = post(seed_client, f'{{ __type(name: "Article") {{ {inner} }} }}')
    assert r.status_code == 400 and set(codes(r.json())) == {"QUERY_TOO_COMPLEX"}
    r = post(seed_client, "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }")
    assert r.status_code == 400 and set(codes(r.json())) == {"QUERY_TOO_COMPLEX"}
    chain = "name"
    for _ in range(50):
        chain = f"ofType {{ {chain} }}"
    r = post(seed_client, f'{{ __type(name: "Article") {{ fields {{ type {{ {chain} }} }} }} }}')
    assert r.status_code == 400 and codes(r.json()) == ["QUERY_TOO_COMPLEX"]
    assert "introspection" in r.json()["errors"][0]["message"]


def test_suggestions_only_outside_production(seed_db):
    with make_client(seed_db) as dev:
        message = post(dev, "{ artcles { totalCount } }").json()["errors"][0]["message"]
        assert "Did you mean" in message
    with make_client(seed_db, production=True) as prod:
        body = post(prod, "{ artcles { totalCount } }").json()
        assert "Did you mean" not in body["errors"][0]["message"]
        assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


def test_limits_are_configurable(seed_db):
    with make_client(seed_db, max_depth=3, max_aliases=1, default_page_size=2,
                     max_page_size=5) as client:
        assert codes(post(client, nested(2)).json()) == ["QUERY_TOO_COMPLEX"]
        assert codes(post(client, "{ a: years { year } b: years { year } }").json()) == [
            "QUERY_TOO_COMPLEX"]
        assert codes(post(client, "{ articles(first: 6) { totalCount } }").json()) == [
            "PAGE_SIZE_EXCEEDED"]
        trends = post(client, "{ trends { nodes { title } } }").json()["data"]["trends"]["nodes"]
        assert len(trends) == 2


def test_settings_defaults_are_the_documented_ones():
    s = Settings()
    assert (s.default_page_size, s.max_page_size) == (20, 100)
    assert s.max_depth >= 8 and s.max_aliases >= 10 and s.max_tokens >= 1000
    assert isinstance(Path(s.db_path), Path)
