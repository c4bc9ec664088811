"""The per-request execution time limit, on a live server with an injected delay.

CONTENT_API_TEST_EXECUTION_DELAY makes every execution sleep inside the time
limit; set above CONTENT_API_MAX_EXECUTION_SECONDS, every query must come back
as a TIMEOUT error soon after the limit, not after the delay, and the server
must stay healthy and responsive meanwhile.
"""

from __future__ import annotations

import asyncio
import shutil
import time

import httpx
import pytest

from tests.security.abuse import error_codes
from tests.security.live import CONTENT, assert_no_leak, start_server

LIMIT = 0.5  # seconds
DELAY = 10.0  # far above the limit: waiting for it would be obvious
SLACK = 0.5  # scheduling noise allowed on top of the limit
QUERY = "{ articles(first: 3) { nodes { slug title } } }"


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("timeout-server")
    shutil.copytree(CONTENT, workdir / "content")
    server = start_server(workdir / "content", workdir, env={
        "CONTENT_API_MAX_EXECUTION_SECONDS": str(LIMIT),
        "CONTENT_API_TEST_EXECUTION_DELAY": str(DELAY),
    })
    try:
        yield server
    finally:
        server.stop()


def _timed_post(url: str, query: str) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = httpx.post(url, json={"query": query}, timeout=DELAY * 2)
    return response, time.perf_counter() - started


def test_slow_query_gets_timeout_error_soon_after_the_limit(slow_server):
    response, seconds = _timed_post(slow_server.graphql_url, QUERY)
    assert response.status_code == 200, response.text
    assert error_codes(response) == ["TIMEOUT"]
    body = response.json()
    assert body["data"] is None
    error = body["errors"][0]
    assert str(LIMIT) in error["message"]
    # The request id in the error matches the header, so the log line can be found.
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    assert response.headers["cache-control"] == "no-store"
    assert_no_leak(response.text, str(slow_server.db))
    assert LIMIT <= seconds < LIMIT + SLACK, f"answered after {seconds:.2f} s"


def test_timeouts_are_not_cached_over_get(slow_server):
    for _ in range(2):
        started = time.perf_counter()
        response = httpx.get(slow_server.graphql_url, params={"query": QUERY}, timeout=DELAY * 2)
        seconds = time.perf_counter() - started
        assert response.status_code == 200
        assert error_codes(response) == ["TIMEOUT"]
        assert "etag" not in response.headers
        assert LIMIT <= seconds < LIMIT + SLACK


def test_concurrent_slow_queries_do_not_block_each_other_or_health(slow_server):
    async def run() -> tuple[list[httpx.Response], float, list[float]]:
        async with httpx.AsyncClient(timeout=DELAY * 2) as client:
            started = time.perf_counter()
            slow = [asyncio.create_task(client.post(slow_server.graphql_url, json={"query": QUERY}))
                    for _ in range(8)]
            health_times = []
            for _ in range(3):  # while the slow ones are in flight
                t0 = time.perf_counter()
                health = await client.get(slow_server.url + "/healthz")
                health_times.append(time.perf_counter() - t0)
                assert health.status_code == 200 and health.json()["status"] == "ok"
            responses = await asyncio.gather(*slow)
            return responses, time.perf_counter() - started, health_times

    responses, wall, health_times = asyncio.run(run())
    for response in responses:
        assert response.status_code == 200
        assert error_codes(response) == ["TIMEOUT"]
    # Eight delayed requests share one limit's worth of wall time, not eight.
    assert wall < LIMIT + SLACK * 2, f"8 concurrent timeouts took {wall:.2f} s"
    assert max(health_times) < 0.2, health_times


def test_server_healthy_after_timeouts(slow_server):
    assert slow_server.alive(), slow_server.log()
    health = slow_server.health()
    assert health["status"] == "ok" and health["articleCount"] == 3
    # What needs no execution still works: the SDL and HTTP-level rejections.
    assert httpx.get(slow_server.url + "/schema.graphql", timeout=5).status_code == 200
    rejected = httpx.post(slow_server.graphql_url, json=[{"query": QUERY}], timeout=5)
    assert rejected.status_code == 400 and error_codes(rejected) == ["BAD_REQUEST"]
    assert "Traceback" not in slow_server.log()
