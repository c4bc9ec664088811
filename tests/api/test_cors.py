"""CORS for real clients: the headers Apollo, urql, Relay, OpenTelemetry and Sentry
send, origins by list or by pattern, and credentials only when asked for."""

from __future__ import annotations

import pytest

from tests.api.helpers import make_client

CLIENT_HEADERS = ("content-type, authorization, apollographql-client-name, "
                  "apollographql-client-version, traceparent, tracestate, baggage, sentry-trace")


def _preflight(client, origin: str, headers: str = CLIENT_HEADERS):
    return client.options("/graphql", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": headers})


def test_the_default_allows_what_real_clients_send(seed_client):
    response = _preflight(seed_client, "https://app.example")
    assert response.status_code == 200, response.text
    allowed = response.headers["access-control-allow-headers"].lower()
    for header in CLIENT_HEADERS.split(", "):
        assert header in allowed
    assert "access-control-allow-credentials" not in response.headers


def test_an_unknown_header_is_refused(seed_client):
    assert _preflight(seed_client, "https://app.example", "x-secret-thing").status_code == 400


@pytest.mark.parametrize("origin, allowed", [("https://pr-42.preview.example", True),
                                             ("https://www.example", True),
                                             ("https://evil.example", False),
                                             ("https://pr-42.preview.example.evil", False)])
def test_origins_by_list_or_pattern(seed_db, origin, allowed):
    with make_client(seed_db, cors_origins=("https://www.example",),
                     cors_origin_regex=r"https://[a-z0-9-]+\.preview\.example") as client:
        response = _preflight(client, origin)
        simple = client.post("/graphql", json={"query": "{ articles { totalCount } }"},
                             headers={"Origin": origin})
    assert (response.status_code == 200) is allowed
    assert (simple.headers.get("access-control-allow-origin") == origin) is allowed


def test_credentials_are_opt_in(seed_db):
    with make_client(seed_db, cors_credentials=True) as client:
        response = client.post("/graphql", json={"query": "{ articles { totalCount } }"},
                               headers={"Origin": "https://app.example", "Cookie": "s=1"})
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["access-control-allow-origin"] == "https://app.example"


def test_allow_headers_can_be_configured(seed_db):
    with make_client(seed_db, cors_allow_headers=("content-type", "x-team-header")) as client:
        assert _preflight(client, "https://a.example", "x-team-header").status_code == 200
        assert _preflight(client, "https://a.example", "traceparent").status_code == 400


def test_a_shed_request_still_carries_the_cors_headers(seed_db):
    # A browser can only read the 503 (and its Retry-After) if CORS headers are on it.
    with make_client(seed_db, max_in_flight=1) as client:
        client.app.state.in_flight.count = 1  # as if one request were being served
        try:
            response = client.post("/graphql", json={"query": "{ articles { totalCount } }"},
                                   headers={"Origin": "https://app.example"})
        finally:
            client.app.state.in_flight.count = 0
    assert response.status_code == 503
    assert response.headers["access-control-allow-origin"] == "*"
    assert "retry-after" in response.headers["access-control-expose-headers"].lower()
