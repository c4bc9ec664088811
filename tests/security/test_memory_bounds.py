"""Memory an anonymous client can pin in the server must stay bounded.

Automatic persisted queries (APQ) keep a registry of sha256 -> query text
(CONTENT_API_PERSISTED_QUERIES_SIZE entries). A client can send any query with
its hash; the queries rejected by the limits must not be kept, and the
registry must not be a way to hold a large amount of memory.
"""

from __future__ import annotations

import hashlib
import shutil

import httpx

import pytest

from tests.api.helpers import ACCEPT
from tests.security.abuse import error_codes
from tests.security.live import CONTENT, start_server

REGISTRATIONS = 400
QUERY_BYTES = 60_000  # under the 64 KiB body limit
RSS_BOUND_KB = 10 * 1024  # 400 x 60 kB would be about 23 MB if every query were kept


def big_rejected_query(i: int) -> str:
    """A distinct query of about QUERY_BYTES that the token limit rejects."""
    return f"# {i}\n{{" + " a" * (QUERY_BYTES // 2) + "}"


def persisted(query: str | None, digest: str) -> dict:
    body: dict = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    if query is not None:
        body["query"] = query
    return body


@pytest.fixture(scope="module")
def apq_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("apq-server")
    shutil.copytree(CONTENT, workdir / "content")
    server = start_server(workdir / "content", workdir)
    try:
        yield server
    finally:
        server.stop()


def test_persisted_query_round_trip_works(apq_server):
    """The protocol itself: hash only -> not found; query + hash -> runs; hash only -> runs."""
    query = "{ tags { name } }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    with httpx.Client(timeout=10, headers={"Accept": ACCEPT}) as client:
        first = client.post(apq_server.graphql_url, json=persisted(None, digest))
        assert error_codes(first) == ["PERSISTED_QUERY_NOT_FOUND"]
        assert client.post(apq_server.graphql_url, json=persisted(query, digest)).json()["data"]
        again = client.post(apq_server.graphql_url, json=persisted(None, digest)).json()
        assert again["data"]["tags"]


def test_rejected_query_is_not_registered(apq_server):
    query = big_rejected_query(-1)
    digest = hashlib.sha256(query.encode()).hexdigest()
    with httpx.Client(timeout=10, headers={"Accept": ACCEPT}) as client:
        rejected = client.post(apq_server.graphql_url, json=persisted(query, digest))
        assert rejected.status_code == 400 and error_codes(rejected) == ["QUERY_TOO_COMPLEX"]
        by_hash = client.post(apq_server.graphql_url, json=persisted(None, digest))
        assert error_codes(by_hash) == ["PERSISTED_QUERY_NOT_FOUND"]


def test_rejected_persisted_queries_do_not_grow_memory(apq_server):
    with httpx.Client(timeout=10, headers={"Accept": ACCEPT}) as client:
        # Warm up the allocator and caches with the same shape first.
        for i in range(20):
            query = big_rejected_query(10**6 + i)
            client.post(apq_server.graphql_url,
                        json=persisted(query, hashlib.sha256(query.encode()).hexdigest()))
        before = apq_server.rss_kb()
        for i in range(REGISTRATIONS):
            query = big_rejected_query(i)
            response = client.post(apq_server.graphql_url,
                                   json=persisted(query, hashlib.sha256(query.encode()).hexdigest()))
            assert response.status_code == 400
        grown = apq_server.rss_kb() - before
    assert grown < RSS_BOUND_KB, f"RSS grew by {grown} kB after {REGISTRATIONS} rejected queries"
