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
