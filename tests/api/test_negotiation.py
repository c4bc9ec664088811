"""GraphQL over HTTP: the media type follows Accept, and the status code follows the media type."""

from __future__ import annotations

import pytest

from api.negotiation import response_media

BAD_FIELD = {"query": "{ nope }"}
GOOD = {"query": "{ articles { totalCount } }"}


def _post(client, body: dict, accept: str | None):
    headers = {"Accept": accept} if accept is not None else {}
    if accept is None:  # the test client sends its own default: remove it
        client.headers.pop("Accept", None)
    try:
        return client.post("/graphql", json=body, headers=headers)
    finally:
        from tests.api.helpers import ACCEPT
        client.headers["Accept"] = ACCEPT


@pytest.mark.parametrize("accept, media", [
    (None, "application/json"),
    ("*/*", "application/json"),
    ("application/json", "application/json"),
    ("application/graphql-response+json", "application/graphql-response+json"),
    ("application/graphql-response+json, application/json;q=0.9",
     "application/graphql-response+json"),
    ("application/json, application/graphql-response+json;q=0.5", "application/json"),
])
def test_the_media_type_follows_accept(seed_client, accept, media):
    response = _post(seed_client, GOOD, accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media}; charset=utf-8"
    assert "accept" in response.headers["vary"].lower()


@pytest.mark.parametrize("body", [BAD_FIELD, {"query": "{"},
                                  {"query": "query($n: Int!) { articles(first: $n) { totalCount } }",
                                   "variables": {"n": "x"}}])
def test_request_errors_are_400_as_graphql_response_and_200_as_json(seed_client, body):
    modern = _post(seed_client, body, "application/graphql-response+json")
    legacy = _post(seed_client, body, "application/json")
    assert modern.status_code == 400 and "data" not in modern.json()
    assert legacy.status_code == 200 and "data" not in legacy.json()
    assert modern.json()["errors"][0]["extensions"]["code"] == \
        legacy.json()["errors"][0]["extensions"]["code"]


def test_malformed_http_is_4xx_for_either(seed_client):
    for accept in ("application/json", "application/graphql-response+json"):
        response = seed_client.post("/graphql", content=b"{not json",
                                    headers={"Content-Type": "application/json", "Accept": accept})
        assert response.status_code == 400


def test_an_unacceptable_accept_is_406(seed_client):
    response = _post(seed_client, GOOD, "text/csv")
    assert response.status_code == 406
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


def test_quality_zero_refuses_a_type():
    assert response_media("application/graphql-response+json;q=0, application/json") == \
        "application/json"
    assert response_media("application/graphql-response+json;q=0") is None
