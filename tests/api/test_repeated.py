"""A request answered before is answered again before any other work (api.repeated),
with the bytes and headers the whole stack gave it, and only while nothing that shapes
the answer changed."""

from __future__ import annotations

import asyncio
import hashlib
import json

import pytest

from api.cache import LRU
from api.repeated import RepeatedAnswerMiddleware
from tests.api.helpers import ACCEPT, build_db, make_client, seed_copies

QUERY = "{ articles(first: 2) { totalCount nodes { slug title } } }"


@pytest.fixture
def db(tmp_path):
    return build_db(tmp_path, seed_copies(3))


def counting(client) -> list:
    """Calls that reached the endpoint, recorded in a list."""
    endpoint = client.app.state.endpoint
    calls: list = []
    handle = endpoint._handle

    async def counted(request, *args):
        calls.append(request.method)
        return await handle(request, *args)
    endpoint._handle = counted
    return calls


def post(client, body: bytes, accept: str = ACCEPT, **headers):
    return client.post("/graphql", content=body,
                       headers={"Content-Type": "application/json", "Accept": accept, **headers})


def without_request_id(response) -> dict:
    return {k: v for k, v in response.headers.items() if k != "x-request-id"}


def test_the_same_post_is_answered_before_routing_with_the_same_bytes(db):
    body = json.dumps({"query": QUERY}).encode()
    with make_client(db) as client:
        calls = counting(client)
        first, second, third = (post(client, body) for _ in range(3))
    assert calls == ["POST"]  # only the first reached the endpoint
    assert first.status_code == second.status_code == third.status_code == 200
    assert first.content == second.content == third.content
    assert without_request_id(first) == without_request_id(second)
    ids = {r.headers["x-request-id"] for r in (first, second, third)}
    assert len(ids) == 3  # every answer has a request id of its own


def test_a_new_content_version_goes_to_the_endpoint_again(db, tmp_path):
    from loader.load import load_content

    body = json.dumps({"query": QUERY}).encode()
    with make_client(db) as client:
        calls = counting(client)
        before = post(client, body).json()
        content = tmp_path / "content"
        (content / "copy-999.md").write_text((content / "copy-000.md").read_text("utf-8"),
                                             encoding="utf-8")
        load_content(content, db)
        after = post(client, body).json()
        again = post(client, body).json()
    assert calls == ["POST", "POST"]
    assert before["data"]["articles"]["totalCount"] == 3
    assert after["data"]["articles"]["totalCount"] == 4 == again["data"]["articles"]["totalCount"]
    assert after["extensions"]["contentVersion"] != before["extensions"]["contentVersion"]


def test_what_the_endpoint_reads_of_the_request_is_part_of_the_key(db):
    body = json.dumps({"query": QUERY}).encode()
    with make_client(db) as client:
        calls = counting(client)
        graphql_json = post(client, body)
        plain_json = post(client, body, accept="application/json")
        spaced = post(client, body.replace(b'"query"', b' "query"'))
        with_query_string = client.post("/graphql?x=1", content=body, headers={
            "Content-Type": "application/json", "Accept": ACCEPT})
    assert calls == ["POST"] * 4
    assert graphql_json.headers["content-type"] != plain_json.headers["content-type"]
    assert with_query_string.status_code == 200
    assert spaced.content == graphql_json.content  # the same answer, reached the long way


def test_errors_and_persisted_queries_always_reach_the_endpoint(db):
    invalid = json.dumps({"query": "{ nope }"}).encode()
    extensions = {"persistedQuery": {"version": 1,
                                     "sha256Hash": hashlib.sha256(QUERY.encode()).hexdigest()}}
    persisted = json.dumps({"query": QUERY, "extensions": extensions}).encode()
    with make_client(db) as client:
        calls = counting(client)
        errors = [post(client, invalid) for _ in range(2)]
        registered = [post(client, persisted) for _ in range(2)]
        off = make_client(db, response_cache_size=0)
        off_calls = counting(off)
        for _ in range(2):
            post(off, json.dumps({"query": QUERY}).encode())
    assert calls == ["POST"] * 4
    assert all(r.status_code == 400 for r in errors)
    assert all(r.status_code == 200 for r in registered)
    assert off_calls == ["POST"] * 2  # no response cache: nothing is repeated either


def test_a_body_in_two_parts_goes_the_ordinary_way():
    asyncio.run(_two_parts())


async def _two_parts():
    body = json.dumps({"query": QUERY}).encode()
    reached: list[bytes] = []

    async def app(scope, receive, send):
        received = b""
        while True:
            message = await receive()
            received += message.get("body", b"")
            if not message.get("more_body"):
                break
        reached.append(received)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    class Holder:
        state = "s"

        def current(self):
            return None

    middleware = RepeatedAnswerMiddleware(app, Holder(), LRU(8), 65536, 5.0)
    parts = [{"type": "http.request", "body": body[:10], "more_body": True},
             {"type": "http.request", "body": body[10:], "more_body": False}]
    scope = {"type": "http", "method": "POST", "path": "/graphql", "query_string": b"",
             "headers": [(b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode())]}
    sent: list = []

    async def send(message):
        sent.append(message)

    for _ in range(2):
        queue = list(parts)

        async def receive():
            return queue.pop(0)
        await middleware(scope, receive, send)
    assert reached == [body, body]  # the app got the whole body, both times


class _Holder:
    state = "s"

    def current(self):
        return None


def _post_scope(body: bytes) -> dict:
    return {"type": "http", "method": "POST", "path": "/graphql", "query_string": b"",
            "headers": [(b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode())]}


def test_a_body_that_arrives_late_is_awaited_and_the_answer_repeated():
    asyncio.run(_late_body())


async def _late_body():
    """receive() suspends (the body is still on its way) before it returns: the
    middleware waits for it as ``await`` would, the app gets it whole, and the
    same request is then answered without reaching the app."""
    from api.repeated import REPEATABLE

    body = json.dumps({"query": QUERY}).encode()
    reached: list[bytes] = []

    async def app(scope, receive, send):
        message = await receive()
        reached.append(message["body"])
        scope[REPEATABLE] = "s"
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b'{"n": %d}' % len(reached)})

    middleware = RepeatedAnswerMiddleware(app, _Holder(), LRU(8), 65536, 5.0)
    answers = []
    for _ in range(3):
        async def receive():
            await asyncio.sleep(0.01)  # suspends on the loop's timer, then resumes
            await asyncio.sleep(0)
            return {"type": "http.request", "body": body, "more_body": False}
        sent: list = []

        async def send(message):
            sent.append(message)
        await middleware(_post_scope(body), receive, send)
        answers.append(sent[-1]["body"])
    assert reached == [body]
    assert answers == [b'{"n": 1}'] * 3


def test_a_body_that_never_arrives_is_left_to_the_endpoint_after_the_timeout():
    asyncio.run(_missing_body())


async def _missing_body():
    body = json.dumps({"query": QUERY}).encode()
    never = asyncio.get_running_loop().create_future()
    cleaned: list[str] = []
    reached: list[str] = []

    async def receive():
        try:
            await never
        finally:
            cleaned.append("receive ended")  # the timeout's cancellation reached it

    async def app(scope, receive, send):
        reached.append(scope["method"])
        await send({"type": "http.response.start", "status": 408, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    middleware = RepeatedAnswerMiddleware(app, _Holder(), LRU(8), 65536, 0.05)
    sent: list = []

    async def send(message):
        sent.append(message)
    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(middleware(_post_scope(body), receive, send), 2)
    assert asyncio.get_running_loop().time() - started < 1
    assert cleaned == ["receive ended"] and reached == ["POST"]
    assert sent[0]["status"] == 408


def test_a_revalidated_get_and_a_repeated_get_are_answered_again(db):
    query = "/graphql?query=" + QUERY.replace(" ", "%20")
    with make_client(db) as client:
        calls = counting(client)
        first = client.get(query)
        etag = first.headers["etag"]
        again = client.get(query)
        revalidated = [client.get(query, headers={"If-None-Match": etag}) for _ in range(3)]
    assert [r.status_code for r in revalidated] == [304, 304, 304]
    assert again.content == first.content and again.headers["xkey"] == first.headers["xkey"]
    assert {r.headers["etag"] for r in revalidated} == {etag}
    # The first GET, then the first revalidation (answered by api.not_modified's
    # ETag memory at the latest); the repeats never reach the endpoint.
    assert calls == ["GET"]


def test_encodings_are_kept_apart(db):
    body = json.dumps({"query": "{ articles(first: 3) { nodes { slug title body } } }"}).encode()
    with make_client(db) as client:
        calls = counting(client)
        plain = [post(client, body, **{"Accept-Encoding": "identity"}) for _ in range(2)]
        gzipped = [post(client, body, **{"Accept-Encoding": "gzip"}) for _ in range(2)]
    assert plain[0].headers.get("content-encoding") is None
    assert gzipped[1].headers["content-encoding"] == "gzip"
    assert gzipped[1].content == plain[1].content  # decoded by the client: the same JSON
    assert calls == ["POST", "POST"]  # identity, then gzip


def test_a_browser_is_answered_again_with_the_cors_headers_of_its_own_origin(db):
    """Origins are kept apart: an origin the settings refuse never gets the headers
    an allowed one was given. With a cookie the answer may be someone's own: never kept."""
    body = json.dumps({"query": "{ articles(first: 3) { nodes { slug title body } } }"}).encode()
    app, other = "https://app.example", "https://other.example"
    with make_client(db, cors_origins=(app,)) as client:
        calls = counting(client)
        allowed = [post(client, body, Origin=app, **{"Accept-Encoding": "gzip"})
                   for _ in range(3)]
        refused = [post(client, body, Origin=other) for _ in range(2)]
        with_cookie = [post(client, body, Origin=app, Cookie="s=1") for _ in range(2)]
    assert calls == ["POST", "POST", "POST", "POST"]  # app, other, then each cookie POST
    assert {r.headers["access-control-allow-origin"] for r in allowed} == {app}
    assert {r.headers["content-encoding"] for r in allowed} == {"gzip"}
    assert without_request_id(allowed[0]) == without_request_id(allowed[2])
    assert all("access-control-allow-origin" not in r.headers for r in refused)
    assert all(r.headers["access-control-allow-origin"] == app for r in with_cookie)
    assert allowed[2].content == refused[1].content == with_cookie[1].content


def test_a_header_of_the_key_sent_twice_goes_the_ordinary_way(db):
    """CORS reads the first Origin, the key would hold one of the two: such a request
    is never answered from, nor kept in, the repeated answers."""
    body = json.dumps({"query": QUERY}).encode()
    app, other = "https://app.example", "https://other.example"
    with make_client(db, cors_origins=(app,)) as client:
        calls = counting(client)
        headers = [("Content-Type", "application/json"), ("Origin", other), ("Origin", app)]
        twice = [client.post("/graphql", content=body, headers=headers) for _ in range(2)]
        allowed = post(client, body, Origin=app)
    assert calls == ["POST", "POST", "POST"]
    assert all("access-control-allow-origin" not in r.headers for r in twice)  # the first: other
    assert allowed.headers["access-control-allow-origin"] == app
