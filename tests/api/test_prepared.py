"""Valid query documents (held valid by the validation cache, or proven valid by
api.quick_validation) run past Strawberry's per-request steps (api.prepared), and
answer exactly as Strawberry's way does."""

from __future__ import annotations

import pytest

from api import prepared, root_fields
from bench import queries as bench_queries
from tests.api.helpers import ACCEPT, make_client
from tests.api.test_schema import EVERYTHING

SLUG = "2024-ai-trends"


def through_strawberry(client) -> list[str]:
    """The texts that went through Strawberry's execute, recorded in a list."""
    schema = client.app.state.endpoint.schema
    calls: list[str] = []
    real = schema.execute

    async def counted(query, *args, **kwargs):
        calls.append(query)
        return await real(query, *args, **kwargs)
    schema.execute = counted
    return calls


def body(client, payload: dict) -> tuple[int, bytes]:
    response = client.post("/graphql", json=payload, headers={"Accept": ACCEPT})
    return response.status_code, response.content.replace(
        response.headers["x-request-id"].encode(), b"<id>")


def same_thrice(clients, payload: dict) -> bytes:
    """The payload three times to each app: the same status and bytes every time."""
    ours, theirs = clients
    answers = {body(client, payload) for client in (ours, theirs) for _ in range(3)}
    assert len(answers) == 1, answers
    return answers.pop()[1]


@pytest.mark.parametrize("query, variables, strawberry_calls", [
    # The quick proof covers these: past Strawberry from the first request.
    (bench_queries.ARTICLE, {"slug": SLUG}, 0),
    (bench_queries.ARTICLES, None, 0),
    (bench_queries.SEARCH, {"q": "AI"}, 0),
    (EVERYTHING, None, 0),
    # Two operations, which it leaves to graphql-core's rules: Strawberry's way until
    # the parser cache keeps the document (its second sight) and its validation is
    # cached with it.
    ('query Two { a: article(slug: "2024-ai-trends") { title } } '
     'query One { years { year } }', "One", 2),
])
def test_a_valid_document_answers_as_strawberry_does(clients, query, variables,
                                                     strawberry_calls):
    calls = through_strawberry(clients[0])
    payload = {"query": query}
    if isinstance(variables, str):
        payload["operationName"] = variables
    elif variables:
        payload["variables"] = variables
    answer = same_thrice(clients, payload)
    assert b'"data"' in answer
    assert calls == [query] * strawberry_calls


def test_a_proven_document_with_wrong_variables_is_rejected_alike(clients):
    calls = through_strawberry(clients[0])
    query = bench_queries.ARTICLE
    answer = same_thrice(clients, {"query": query, "variables": {"slug": 5}})
    assert b'"errors"' in answer and b'"data"' not in answer
    same_thrice(clients, {"query": query, "variables": {"slug": SLUG}})  # now kept
    answer = same_thrice(clients, {"query": query, "variables": {"slug": 5}})
    assert b'"errors"' in answer and b'"data"' not in answer
    assert calls == []


def test_what_is_not_proven_goes_strawberrys_way(clients):
    calls = through_strawberry(clients[0])
    invalid = "{ article(slug: 1) { nope } }"
    same_thrice(clients, {"query": invalid})
    two = "query A { years { year } } query B { tags { name } }"
    same_thrice(clients, {"query": two, "operationName": "Missing"})
    assert calls == [invalid] * 3 + [two] * 3


def test_without_compiled_execution_nothing_is_proven(content_db):
    with make_client(content_db, response_cache_size=0, compiled_execution=False) as client:
        calls = through_strawberry(client)
        for _ in range(3):
            assert client.post("/graphql", json={"query": "{ years { year } }"}).status_code == 200
    assert len(calls) == 3


def test_proven_execution_that_raises_answers_as_strawberry_would(content_db, monkeypatch):
    """An exception raised while executing: Strawberry answers it with that one error
    and no data; so does the proven way, without executing again."""
    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug while executing")

    async def given_way(*_args, **_kwargs):
        return None

    query = "{ years { year count } }"
    with make_client(content_db, response_cache_size=0) as client:
        calls = through_strawberry(client)
        assert client.post("/graphql", json={"query": query}).status_code == 200
        monkeypatch.setattr(prepared, "execute", broken)  # graphql-core's, as called there
        monkeypatch.setattr(root_fields, "execute", given_way)  # so that it is called
        proven = body(client, {"query": query})
        assert calls == []  # not executed again through Strawberry
        monkeypatch.setattr(prepared, "proven", lambda *_args: False)
        monkeypatch.setattr("strawberry.schema.schema.execute", broken)
        strawberry_way = body(client, {"query": query})
    assert proven == strawberry_way  # status and bytes
    assert b'"data":null' in proven[1] and b"INTERNAL_SERVER_ERROR" in proven[1]


def test_a_proven_document_over_get_answers_as_strawberry_does(clients):
    calls = through_strawberry(clients[0])
    query = '{ article(slug: "2024-ai-trends") { title trends { title } } }'
    answers = set()
    for client in clients:
        for _ in range(3):
            response = client.get("/graphql", params={"query": query},
                                  headers={"Accept": ACCEPT})
            content = response.content.replace(response.headers["x-request-id"].encode(), b"<id>")
            answers.add((response.status_code, response.headers.get("etag"), content))
    assert len(answers) == 1 and answers.pop()[0] == 200
    assert calls == []


@pytest.mark.parametrize("compiled", [True, False])
def test_a_responses_objects_are_freed_without_the_garbage_collector(content_db, compiled):
    """Every object a request built is gone when its answer is: freed by reference
    counting, not left in a cycle for the collector (which cost 15% of a request)."""
    import asyncio
    import gc
    import weakref

    import sqlite3

    from graphql.language import Token
    from strawberry.types.graphql import OperationType

    from api.compiled import CompiledExecutionContext

    from api import types
    from api.config import Settings
    from api.loaders import Context
    from api.schema import build_schema
    from api.store import Snapshot

    settings = Settings(db_path=content_db, compiled_execution=compiled)
    schema = build_schema(settings)
    snapshot = Snapshot.open(content_db)
    built: list[weakref.ref] = []
    originals = {cls: cls.from_row for cls in (types.Article, types.Trend, types.Route)}

    def recording(cls):
        def from_row(row):
            obj = originals[cls](row)
            built.append(weakref.ref(obj))
            return obj
        return from_row

    loop = asyncio.new_event_loop()
    gc.disable()
    try:
        for cls in originals:
            cls.from_row = recording(cls)
        for attempt in range(3):  # the third is proven (kept and validated)
            gc.collect()
            query = bench_queries.ARTICLE
            context = Context(snapshot=snapshot, settings=settings, request_id="t",
                              document=schema.documents.parse(query))
            result = loop.run_until_complete(prepared.execute_request(
                schema, settings, query, {"slug": SLUG}, None, context, (OperationType.QUERY,)))
            assert not result.errors and result.data["article"]["trends"]
            del context, result
            alive = [ref() for ref in built if ref() is not None]
            assert len(built) >= 5 and not alive, f"{len(alive)} of {len(built)} objects alive"
            built.clear()
            if compiled and attempt == 2:  # nothing of the request was left in a cycle
                gc.set_debug(gc.DEBUG_SAVEALL)
                try:
                    gc.collect()
                    left = [o for o in gc.garbage if isinstance(o, (
                        CompiledExecutionContext, Context, sqlite3.Row, Token))]
                finally:
                    gc.set_debug(0)
                    gc.garbage.clear()
                assert not left, left[:5]
    finally:
        for cls, original in originals.items():
            cls.from_row = original
        gc.enable()
        loop.close()
        snapshot.conn.close()


def test_a_document_the_proof_does_not_cover_is_tried_once(content_db, monkeypatch):
    """The endpoint's try at proving an unseen document valid is recorded, so that
    Strawberry's validation step goes straight to graphql-core's rules."""
    from api import validation_cache
    tries = []
    real = validation_cache.proves_valid

    def counted(*args):
        tries.append(args[1])
        return real(*args)
    monkeypatch.setattr(validation_cache, "proves_valid", counted)
    two = "query A { years { year } } query B { tags { name } }"
    with make_client(content_db, response_cache_size=0) as client:
        calls = through_strawberry(client)
        before = validation_cache.STATS.full
        response = client.post("/graphql", json={"query": two, "operationName": "B"})
        assert response.status_code == 200 and response.json()["data"]["tags"]
    assert len(tries) == 1 and calls == [two]
    assert validation_cache.STATS.full == before + 1
