"""Every GraphQL example in README.md runs within the default limits."""

from __future__ import annotations

import re

import pytest

from tests.api.helpers import REPO

BLOCK = re.compile(r"```graphql\n(.*?)```", re.S)
LIMIT_CODES = {"QUERY_TOO_COMPLEX", "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED",
               "PAYLOAD_TOO_LARGE", "INTERNAL_SERVER_ERROR", "TIMEOUT"}


def readme_queries() -> list[str]:
    readme = REPO / "README.md"
    if not readme.exists():
        return []
    return BLOCK.findall(readme.read_text("utf-8"))


@pytest.mark.parametrize("query", readme_queries() or [pytest.param(None, marks=pytest.mark.skip(
    reason="README.md has no ```graphql examples yet"))])
def test_readme_example_passes_the_limits(content_client, query):
    r = content_client.post("/graphql", json={"query": query})
    body = r.json()
    got = {e["extensions"]["code"] for e in body.get("errors", [])}
    assert not got & LIMIT_CODES, body
    assert "data" in body


PAIR = re.compile(r"```graphql\n(.*?)```\s*\n```json\n(.*?)```", re.S)


def _without_volatile(body: dict) -> dict:
    """The response without what changes from run to run: the request id and the
    content version (the README shortens it)."""
    body = dict(body)
    body.pop("extensions", None)
    for error in body.get("errors", []):
        error.get("extensions", {}).pop("requestId", None)
    return body


def readme_examples() -> list[tuple[str, str]]:
    readme = REPO / "README.md"
    return PAIR.findall(readme.read_text("utf-8")) if readme.exists() else []


@pytest.mark.parametrize("query, shown", readme_examples() or [pytest.param(None, None, marks=pytest.mark.skip(
    reason="README.md has no example outputs yet"))])
def test_readme_example_output_is_the_real_output(content_client, query, shown):
    """The README shows what the API really answers to each example, on content/."""
    import json

    real = content_client.post("/graphql", json={"query": query}).json()
    assert _without_volatile(real) == _without_volatile(json.loads(shown))
