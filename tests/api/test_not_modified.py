"""Revalidated GETs are answered with 304 before routing, and only while still true."""

from __future__ import annotations

from urllib.parse import urlencode

from loader.load import load_content
from tests.api.helpers import SEED, build_db, make_client

QUERY = '{ article(slug: "2024-ai-trends") { title } }'
URL = "/graphql?" + urlencode({"query": QUERY})


def _count_endpoint_calls(client) -> list:
    """Record every request that reaches the GraphQL endpoint (past the middleware)."""
    endpoint = client.app.state.endpoint
    calls = []
    original = endpoint._handle

    async def counting(request, request_id, *rest):
        calls.append(request.url.path)
        return await original(request, request_id, *rest)

    endpoint._handle = counting
    return calls


def test_revalidation_is_answered_before_the_endpoint(tmp_path):
    db = build_db(tmp_path, {SEED.name: SEED.read_text("utf-8")})
    with make_client(db, reload_check_seconds=0) as client:
        calls = _count_endpoint_calls(client)
        first = client.get(URL)
        etag = first.headers["etag"]
        assert first.status_code == 200 and len(calls) == 1
        again = client.get(URL, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.headers["etag"] == etag
        assert again.headers["cache-control"] == first.headers["cache-control"]
        assert again.headers["x-request-id"] and again.content == b""
        assert len(calls) == 1, "the 304 came from the middleware"

        assert "Accept" in again.headers["vary"]

        # A stale ETag goes the ordinary way; a browser's revalidation is answered
        # here too, with the CORS headers (that middleware is outside this one).
        stale = client.get(URL, headers={"If-None-Match": '"nope"'})
        assert stale.status_code == 200 and len(calls) == 2
        cors = client.get(URL, headers={"If-None-Match": etag, "Origin": "http://127.0.0.1:9"})
        assert cors.status_code == 304 and cors.headers["access-control-allow-origin"] == "*"
        assert len(calls) == 2

        # New content: the old ETag no longer matches anywhere.
        seed = tmp_path / "content" / SEED.name
        seed.write_text(seed.read_text("utf-8").replace("三大发展趋势分析", "三大趋势"), "utf-8")
        load_content(tmp_path / "content", db)
        fresh = client.get(URL, headers={"If-None-Match": etag})
        assert fresh.status_code == 200 and fresh.headers["etag"] != etag
        assert fresh.json()["data"]["article"]["title"] == "2024 年人工智能领域的三大趋势"
