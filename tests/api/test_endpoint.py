"""The /graphql endpoint over HTTP: GET/POST, ETag/304, caches, persisted queries, rejections."""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3

import orjson
import pytest

from api import queries
from loader.load import load_content
from tests.api.helpers import SEED, codes, gql, make_client

Q = '{ article(slug: "2024-ai-trends") { title } }'


def get(client, query=None, variables=None, headers=None, **params):
    if query is not None:
        params["query"] = query
    if variables is not None:
        params["variables"] = json.dumps(variables)
    return client.get("/graphql", params=params, headers=headers or {})


def test_get_and_post_give_the_same_data(seed_client):
    by_get = get(seed_client, Q)
    by_post = seed_client.post("/graphql", json={"query": Q})
    assert by_get.status_code == by_post.status_code == 200
    assert by_get.json()["data"] == by_post.json()["data"] == {
        "article": {"title": "2024 年人工智能领域的三大发展趋势分析"}}
    assert by_get.headers["content-type"].startswith("application/graphql-response+json")


def test_every_response_carries_the_content_version(seed_client):
    version = seed_client.get("/healthz").json()["contentVersion"]
    assert len(version) == 64
    assert gql(seed_client, Q)["extensions"]["contentVersion"] == version
    bad = gql(seed_client, "{ nope }", expect_errors=True)
    assert bad["extensions"]["contentVersion"] == version


def test_etag_and_304(seed_client):
    first = get(seed_client, Q)
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and first.headers["cache-control"] == "public, max-age=60"
    again = get(seed_client, Q, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    weak = get(seed_client, Q, headers={"If-None-Match": f'"other", {etag.removeprefix("W/")}'})
    assert weak.status_code == 304
    stale = get(seed_client, Q, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and stale.json() == first.json()


def test_etag_depends_on_query_variables_and_operation(seed_client):
    q = "query A($s: String!) { article(slug: $s) { slug } } query B { years { year } }"
    a = get(seed_client, q, {"s": "2024-ai-trends"}, operationName="A")
    b = get(seed_client, q, {"s": "other"}, operationName="A")
    c = get(seed_client, q, {"s": "2024-ai-trends"}, operationName="B")
    assert a.status_code == b.status_code == c.status_code == 200
    assert len({a.headers["etag"], b.headers["etag"], c.headers["etag"]}) == 3
    assert b.json()["data"] == {"article": None}
    assert c.json()["data"]["years"][0]["year"] == 2025
    # Key order of variables does not matter.
    two = "query($a: String!, $b: Int) { article(slug: $a) { slug } articles(first: $b) { totalCount } }"
    d = get(seed_client, two, {"a": "x", "b": 2})
    e = get(seed_client, two, {"b": 2, "a": "x"})
    assert d.headers["etag"] == e.headers["etag"]


def test_errors_get_no_etag_and_no_store(seed_client):
    r = get(seed_client, "{ articles(first: -1) { totalCount } }")
    assert "etag" not in r.headers and r.headers["cache-control"] == "no-store"
    assert codes(r.json()) == ["BAD_USER_INPUT"]


def test_post_is_not_http_cacheable(seed_client):
    r = seed_client.post("/graphql", json={"query": Q})
    assert "etag" not in r.headers and r.headers["cache-control"] == "no-store"


def test_response_cache_serves_identical_bytes_and_skips_sql(seed_db):
    with make_client(seed_db) as client:
        conn = client.app.state.holder.current().conn
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        try:
            first = client.post("/graphql", json={"query": Q})
            executed = len(statements)
            second = client.post("/graphql", json={"query": "  " + Q + "\n"})
        finally:
            conn.set_trace_callback(None)
        assert executed > 0 and len(statements) == executed
        assert first.content == second.content


def test_persisted_queries(seed_client):
    query = '{ article(slug: "2024-ai-trends") { slug } }'
    digest = hashlib.sha256(query.encode()).hexdigest()
    ext = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    unknown = get(seed_client, extensions=json.dumps(ext))
    assert unknown.status_code == 200
    assert codes(unknown.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    registered = seed_client.post("/graphql", json={"query": query, "extensions": ext})
    assert registered.json()["data"] == {"article": {"slug": "2024-ai-trends"}}
    by_hash = get(seed_client, extensions=json.dumps(ext))
    assert by_hash.status_code == 200 and by_hash.json()["data"] == registered.json()["data"]
    assert by_hash.headers["etag"] == get(seed_client, query).headers["etag"]
    wrong = seed_client.post("/graphql", json={"query": query + " ", "extensions": ext})
    assert wrong.status_code == 400 and codes(wrong.json()) == ["BAD_REQUEST"]


def test_graphiql_for_browsers(seed_client):
    r = seed_client.get("/graphql", headers={"Accept": "text/html,application/xhtml+xml"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    api_client = seed_client.get("/graphql", headers={"Accept": "application/json"})
    assert api_client.status_code == 400 and codes(api_client.json()) == ["BAD_REQUEST"]


@pytest.mark.parametrize("send, status, code", [
    (lambda c: c.post("/graphql", content=b'[{"query": "{ years { year } }"}]',
                      headers={"content-type": "application/json"}), 400, "BAD_REQUEST"),
    (lambda c: c.post("/graphql", content=b'{"query": ', headers={"content-type": "application/json"}),
     400, "BAD_REQUEST"),
    (lambda c: c.post("/graphql", content=b'{"query": "{ years { year } }\xff"}',
                      headers={"content-type": "application/json"}), 400, "BAD_REQUEST"),
    (lambda c: c.post("/graphql", content=b"query { years { year } }",
                      headers={"content-type": "text/plain"}), 415, "UNSUPPORTED_MEDIA_TYPE"),
    (lambda c: c.post("/graphql", content=b"{}", headers={"content-type": "application/json"}),
     400, "BAD_REQUEST"),
    (lambda c: c.post("/graphql", json={"query": 42}), 400, "BAD_REQUEST"),
    (lambda c: c.post("/graphql", json={"query": "{ years { year } }", "variables": [1]}),
     400, "BAD_REQUEST"),
    (lambda c: c.post("/graphql", json="just a string"), 400, "BAD_REQUEST"),
    (lambda c: c.put("/graphql", json={"query": "{ years { year } }"}), 405, "METHOD_NOT_ALLOWED"),
    (lambda c: c.delete("/graphql"), 405, "METHOD_NOT_ALLOWED"),
    (lambda c: c.get("/graphql", params={"query": "mutation { x }"}), 405, "METHOD_NOT_ALLOWED"),
    (lambda c: c.get("/graphql", params={"query": "{ years { year } }", "variables": "{"}),
     400, "BAD_REQUEST"),
    (lambda c: c.post("/graphql", content=b" " * (64 * 1024 + 1),
                      headers={"content-type": "application/json"}), 413, "PAYLOAD_TOO_LARGE"),
])
def test_http_rejections(seed_client, send, status, code):
    r = send(seed_client)
    assert r.status_code == status, r.text
    body = r.json()
    assert codes(body) == [code]
    assert body["errors"][0]["extensions"]["requestId"] == r.headers["x-request-id"]
    assert "Traceback" not in r.text and "sqlite" not in r.text.lower()


def test_long_get_query_string_is_refused(seed_db):
    with make_client(seed_db, max_body_bytes=1000) as client:
        r = client.get("/graphql", params={"query": "{ years { year } }" + " " * 2000})
        assert r.status_code == 414 and codes(r.json()) == ["PAYLOAD_TOO_LARGE"]
        ok = client.get("/graphql", params={"query": "{ years { year } }"})
        assert ok.status_code == 200


def test_ten_megabyte_body_is_refused(seed_client):
    r = seed_client.post("/graphql", content=b"{" + b" " * (10 * 1024 * 1024),
                         headers={"content-type": "application/json"})
    assert r.status_code == 413 and codes(r.json()) == ["PAYLOAD_TOO_LARGE"]


def test_mutation_over_post_is_a_validation_error(seed_client):
    r = seed_client.post("/graphql", json={"query": "mutation { x }"})
    assert r.status_code == 400 and codes(r.json()) == ["GRAPHQL_VALIDATION_FAILED"]


def test_parse_and_validation_errors(seed_client):
    r = seed_client.post("/graphql", json={"query": "{ articles { "})
    assert r.status_code == 400 and codes(r.json()) == ["GRAPHQL_PARSE_FAILED"]
    assert "data" not in r.json()
    r = seed_client.post("/graphql", json={"query": "query($n: Int!) { articles(first: $n) { totalCount } }",
                                           "variables": {"n": "ten"}})
    assert r.status_code == 400 and codes(r.json()) == ["BAD_USER_INPUT"]
    r = seed_client.post("/graphql", json={"query": "query A { years { year } }",
                                           "operationName": "B"})
    assert r.status_code == 400 and codes(r.json()) == ["BAD_USER_INPUT"]


def test_a_text_is_parsed_once_a_request_and_kept_from_its_second(seed_db, parsed):
    """The endpoint counts a document's operations before executing it; both
    read one parse of the text (api.documents). A text is kept from its second
    request, and then not parsed again."""
    text = "query Unseen { years { year } }"
    with make_client(seed_db, response_cache_size=0) as client:
        documents = client.app.state.endpoint.schema.documents
        for expected in (1, 2, 2, 2):
            assert client.post("/graphql", json={"query": text}).status_code == 200
            assert parsed.count(text) == expected
        max_tokens = client.app.state.settings.max_tokens
        assert documents.keeps(documents.parse(text, max_tokens=max_tokens), text,
                               max_tokens=max_tokens)
        assert parsed.count(text) == 2  # that was the kept document, not a new parse
        two = "query A { years { year } } query B { tags { name } }"
        r = client.post("/graphql", json={"query": two})
        assert r.status_code == 400 and codes(r.json()) == ["BAD_USER_INPUT"]
        assert client.post("/graphql", json={"query": two, "operationName": "B"}).status_code == 200
        assert parsed.count(two) == 2


def test_unexpected_errors_are_masked_and_logged(seed_db, monkeypatch, caplog):
    def broken(conn):
        raise sqlite3.OperationalError("no such table: /srv/secret/path.db SELECT secret")

    monkeypatch.setattr(queries, "tag_counts", broken)
    with make_client(seed_db) as client, caplog.at_level(logging.ERROR, "content_api"):
        r = client.post("/graphql", json={"query": "{ tags { name } years { year } }"})
    body = r.json()
    assert r.status_code == 200 and body["data"] is None
    error = body["errors"][0]
    assert error["message"] == "Internal server error"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    request_id = r.headers["x-request-id"]
    assert error["extensions"]["requestId"] == request_id == body["extensions"]["requestId"]
    assert "secret" not in r.text and "SELECT" not in r.text and "Traceback" not in r.text
    logged = [rec for rec in caplog.records if request_id in rec.getMessage()]
    assert logged and logged[0].exc_info is not None


def test_execution_timeout(seed_db):
    with make_client(seed_db, max_execution_seconds=0.2, test_execution_delay=5.0) as client:
        before = client.get("/healthz").json()["execution"]
        r = client.post("/graphql", json={"query": Q})
        body = r.json()
        assert r.status_code == 200 and codes(body) == ["TIMEOUT"]
        assert body["data"] is None and r.elapsed.total_seconds() < 2
        again = client.post("/graphql", json={"query": Q})
        assert codes(again.json()) == ["TIMEOUT"]  # timeouts are never cached
        execution = client.get("/healthz").json()["execution"]
        assert execution["timedOut"] == before["timedOut"] + 2, execution
        assert {k: execution[k] for k in ("compiled", "partial", "standard")} == \
            {k: before[k] for k in ("compiled", "partial", "standard")}


def test_a_request_reads_one_version_whatever_commits_meanwhile(tmp_path):
    """Pinned: a commit while a request runs changes nothing it reads."""
    from tests.api.helpers import build_db
    from tests.support.edits import retitle

    db = build_db(tmp_path, {SEED.name: SEED.read_text("utf-8")})
    with make_client(db, reload_check_seconds=3600) as client:
        holder = client.app.state.holder
        with holder.use() as pinned:
            retitle(tmp_path / "content" / SEED.name, "Committed meanwhile")
            load_content(tmp_path / "content", db)
            title = pinned.conn.execute("SELECT title FROM articles").fetchone()[0]
            assert title != "Committed meanwhile"
            assert holder.current() is not pinned, "new requests get the new version"
            assert not pinned.closed, "still open for the request that holds it"
        assert pinned.closed, "closed when its last request is done"
        body = client.post("/graphql", json={"query": "{ articles { edges { node { title } } } }"})
        assert body.json()["data"]["articles"]["edges"][0]["node"]["title"] == \
            "Committed meanwhile"


def test_healthz_and_sdl(seed_client):
    health = seed_client.get("/healthz").json()
    assert health["status"] == "ok" and health["articleCount"] == 1
    assert health["loadedAt"].endswith("+00:00") or health["loadedAt"].endswith("Z")
    from api.schema import export_sdl

    sdl = seed_client.get("/schema.graphql")
    assert sdl.status_code == 200 and sdl.text == export_sdl()


def test_cors(seed_client):
    r = seed_client.get("/graphql", params={"query": Q}, headers={"Origin": "http://localhost:3000"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "etag" in r.headers["access-control-expose-headers"].lower()
    pre = seed_client.options("/graphql", headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200


def test_cors_origins_are_configurable(seed_db):
    with make_client(seed_db, cors_origins=("https://app.example",)) as client:
        ok = client.get("/graphql", params={"query": Q}, headers={"Origin": "https://app.example"})
        other = client.get("/graphql", params={"query": Q}, headers={"Origin": "https://evil.example"})
    assert ok.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in other.headers


def test_request_ids_are_unique(seed_client):
    ids = {seed_client.post("/graphql", json={"query": Q}).headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5


def test_orjson_output_is_plain_utf8(seed_client):
    r = seed_client.post("/graphql", json={"query": Q})
    assert "人工智能".encode() in r.content
    assert orjson.loads(r.content) == r.json()
