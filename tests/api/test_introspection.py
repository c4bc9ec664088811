"""Introspection answers kept across content reloads (api.introspection)."""

from __future__ import annotations

import os

import pytest
from graphql import get_introspection_query, parse

from api.introspection import reads_only_the_schema
from api.schema import ContentSchema
from tests.api.helpers import SEED, build_db, copy_db, make_client

GRAPHIQL = get_introspection_query(descriptions=True, specified_by_url=True,
                                   directive_is_repeatable=True, schema_description=True,
                                   input_value_deprecation=True)


@pytest.fixture
def executions(monkeypatch) -> list[str]:
    """The texts Strawberry's execute runs, in order."""
    texts: list[str] = []
    real = ContentSchema.execute

    async def execute(self, query, *args, **kwargs):
        texts.append(query)
        return await real(self, query, *args, **kwargs)
    monkeypatch.setattr(ContentSchema, "execute", execute)
    return texts


def body_without_version(response) -> dict:
    body = response.json()
    body["extensions"].pop("contentVersion")
    body["extensions"].pop("requestId", None)
    return body


def test_graphiqls_introspection_is_answered_once_across_reloads(tmp_path, seed_db, executions):
    db = copy_db(seed_db, tmp_path / "db.sqlite")
    with make_client(db, reload_check_seconds=0) as client:
        first = client.post("/graphql", json={"query": GRAPHIQL})
        assert first.status_code == 200 and "errors" not in first.json()
        two = build_db(tmp_path / "two", {"a.md": SEED.read_text("utf-8"),
                                          "b.md": SEED.read_text("utf-8")})
        os.replace(two, db)
        assert client.post("/graphql", json={"query": "{ articles { totalCount } }"}) \
            .json()["data"]["articles"]["totalCount"] == 2  # the new content is served
        again = client.post("/graphql", json={"query": GRAPHIQL})
        assert again.json()["extensions"]["contentVersion"] != \
            first.json()["extensions"]["contentVersion"]
        assert body_without_version(again) == body_without_version(first)
    assert executions.count(GRAPHIQL) == 1


@pytest.fixture(scope="module")
def uncached_client(content_db):
    """The response cache off: every request reaches the endpoint's execution."""
    with make_client(content_db, response_cache_size=0) as client:
        yield client


@pytest.mark.parametrize("query", [
    "query Q { ...F } fragment F on Query { __type(name: \"Article\") { name fields { name } } }",
    "{ ... on Query { __schema { queryType { name } } } t: __typename }",
    "query ($skip: Boolean!) { __typename __schema @skip(if: $skip) { types { name } } }",
])
def test_what_reads_only_the_schema_is_answered_from_memory(uncached_client, executions, query):
    variables = {"skip": False} if "$skip" in query else None
    answers = [uncached_client.post("/graphql", json={"query": query, "variables": variables})
               for _ in range(3)]
    assert len({a.content.replace(a.headers["x-request-id"].encode(), b"") for a in answers}) == 1
    assert "errors" not in answers[0].json()
    assert executions.count(query) == 1
    if variables:  # other variables: another answer, made by graphql-core
        other = uncached_client.post("/graphql", json={"query": query,
                                                       "variables": {"skip": True}})
        assert "__schema" not in other.json()["data"]
        assert executions.count(query) == 2


@pytest.mark.parametrize("query", [
    "{ __typename articles { totalCount } }",
    "query { ...F } fragment F on Query { __typename articles(first: 1) { totalCount } }",
    '{ __type(name: "Article") { name } articles { totalCount } }',
])
def test_what_reads_content_is_executed_each_time(tmp_path, seed_db, executions, query):
    """By graphql-core (plans off, so that nothing else answers): a reload shows."""
    db = copy_db(seed_db, tmp_path / "db.sqlite")
    with make_client(db, reload_check_seconds=0, response_cache_size=0,
                     compiled_execution=False) as client:
        def total() -> int:
            body = client.post("/graphql", json={"query": query}).json()
            assert "errors" not in body
            return body["data"]["articles"]["totalCount"]
        assert total() == total() == 1
        os.replace(build_db(tmp_path / "two", {"a.md": SEED.read_text("utf-8"),
                                               "b.md": SEED.read_text("utf-8")}), db)
        assert total() == 2
    assert executions.count(query) == 3


def test_an_answer_with_errors_is_not_kept(uncached_client, executions):
    query = "query ($name: String!) { __type(name: $name) { name } }"
    for _ in range(2):  # a missing variable: an error each time, from graphql-core
        body = uncached_client.post("/graphql", json={"query": query}).json()
        assert body.get("errors")
    assert executions.count(query) == 2


@pytest.mark.parametrize("text, operation, expected", [
    ("{ __schema { types { name } } __typename }", None, True),
    ("{ __typename articles { totalCount } }", None, False),
    ("query A { __typename } query B { articles { totalCount } }", "A", True),
    ("query A { __typename } query B { articles { totalCount } }", "B", False),
    ("query A { __typename } query B { articles { totalCount } }", None, False),  # ambiguous
    ("{ ...F } fragment F on Query { ...G } fragment G on Query { ...F __typename }", None,
     True),
    ("{ ...Missing }", None, False),
    ("{ ... @include(if: false) { articles { totalCount } } __typename }", None, False),
    ("subscription { __typename }", None, False),
])
def test_reads_only_the_schema(text, operation, expected):
    assert reads_only_the_schema(parse(text), operation) is expected


def test_answers_are_kept_as_json_within_their_bounds():
    """Bounded by texts, by bytes of JSON, and by answers per text (variables)."""
    import orjson

    from api.introspection import IntrospectionAnswers

    answers = IntrospectionAnswers(size=16, max_bytes=4000)
    texts = [f"query Q{n} {{ __schema {{ queryType {{ name }} }} }}" for n in range(10)]
    data = {"__schema": {"queryType": {"name": "Query" * 100}}}  # 533 bytes of JSON
    for text in texts:
        answers.keep(parse(text), text, None, None, data)
    kept = [text for text in texts if answers.get(text, None, None) is not None]
    assert kept == texts[-7:]  # 7 × 533 bytes fit in 4,000; the oldest went first
    assert orjson.dumps({"data": answers.get(texts[-1], None, None)}) == \
        orjson.dumps({"data": data})
    text = "query ($n: String!) { __type(name: $n) { name } }"
    for n in range(9):  # a ninth set of variables starts the text's answers afresh
        answers.keep(parse(text), text, None, {"n": str(n)}, {"__type": None})
    assert [answers.get(text, None, {"n": str(n)}) is not None for n in range(9)] == \
        [False] * 8 + [True]


def test_answers_from_memory_are_counted_apart(uncached_client):
    def execution() -> dict:
        return uncached_client.get("/healthz").json()["execution"]
    query = '{ __type(name: "Trend") { name fields { name } } }'
    uncached_client.post("/graphql", json={"query": query})  # graphql-core answers it
    before = execution()
    for _ in range(3):
        uncached_client.post("/graphql", json={"query": query})
    after = execution()
    assert after["introspectionFromMemory"] - before["introspectionFromMemory"] == 3, after
    assert {k: after[k] for k in ("compiled", "partial", "standard")} == \
        {k: before[k] for k in ("compiled", "partial", "standard")}
