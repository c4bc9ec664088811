"""examples/relay: relay-compiler 21 compiles a Relay app's operations against
the committed schema.graphql (connections, @refetchable through Node,
unions), persists them (the trusted-documents manifest), and relay-runtime
runs them by `doc_id` against a server in trusted-documents mode."""

from __future__ import annotations

import json
import shutil
import subprocess

import httpx
import pytest

from api import compiled as compiled_execution
from tests.api.helpers import make_client

from .conftest import REPO, SEED_SLUG, SEED_TITLE, require

RELAY = REPO / "examples" / "relay"
MANIFEST = RELAY / "persisted-queries.json"
GENERATED = RELAY / "src" / "__generated__"


def run(*command: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=RELAY, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def compiled() -> None:
    compiler = RELAY / "node_modules" / ".bin" / "relay-compiler"
    require(shutil.which("node") is not None and compiler.exists(), "relay-compiler",
            "run `make client-deps` (npm ci in examples/relay)")
    shutil.rmtree(GENERATED, ignore_errors=True)
    MANIFEST.write_text("{}\n")  # relay-compiler writes into an existing file only
    done = run(str(compiler))
    assert done.returncode == 0, done.stdout + done.stderr


def test_relay_compiler_compiles_and_persists_every_operation(compiled):
    manifest = json.loads(MANIFEST.read_text())
    names = sorted(text.split("(")[0].split()[1].split("\n")[0] for text in manifest.values())
    assert names == ["operationsArticleCardRefetchQuery", "operationsArticleListPaginationQuery",
                     "operationsArticleQuery", "operationsListQuery", "operationsSearchQuery"]
    pagination = (GENERATED / "operationsArticleListPaginationQuery.graphql.js").read_text()
    # Persisted: the artifact carries the id, not the text.
    assert '"text": null' in pagination and '"id": "' in pagination
    # Relay generated the pagination query from @connection on our connection type.
    assert "pageInfo" in next(text for text in manifest.values() if "PaginationQuery" in text)


def test_relay_operations_run_from_plans_and_answer_as_graphql_core_does(compiled, content_db):
    """The texts relay-compiler wrote (fragments spread at the root, `__typename`
    and `id` added, @refetchable through `node`) run from compiled plans
    throughout, and give the same bytes as graphql-core's executor."""
    with_plans = make_client(content_db, response_cache_size=0)
    without = make_client(content_db, response_cache_size=0, compiled_execution=False)
    found = with_plans.post("/graphql", json={"query": "query ($slug: String!) "
                                              "{ article(slug: $slug) { id } }",
                                              "variables": {"slug": SEED_SLUG}}).json()
    variables = {"count": 2, "slug": SEED_SLUG, "id": found["data"]["article"]["id"],
                 "query": "芯片"}
    texts = json.loads(MANIFEST.read_text()).values()
    for text in texts:
        used = {name: value for name, value in variables.items() if f"${name}:" in text}
        before = compiled_execution.STATS.as_dict()
        answers = []
        for client in (with_plans, without):
            response = client.post("/graphql", json={"query": text, "variables": used})
            answers.append(response.content.replace(
                response.headers["x-request-id"].encode(), b"<id>"))
        after = compiled_execution.STATS.as_dict()
        assert answers[0] == answers[1], text
        assert b'"errors"' not in answers[0] and b'"data":{' in answers[0], answers[0][:300]
        assert after["compiled"] == before["compiled"] + 1, (text, after)
        assert after["fallbacks"] == before["fallbacks"], (text, after)


def test_relay_runtime_runs_by_doc_id_against_a_trusted_server(compiled, live_server, extra_server):
    expected = httpx.post(live_server.graphql_url, timeout=10, json={
        "query": "{ articles(first: 100, orderBy: [DATE_DESC]) { nodes { slug } } }"}).json()
    slugs = [node["slug"] for node in expected["data"]["articles"]["nodes"]]
    server = extra_server(CONTENT_API_TRUSTED_DOCUMENTS=str(MANIFEST))
    done = run("node", "src/run.js", server.graphql_url, SEED_SLUG, "芯片", timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    # Relay's ConnectionHandler merged the pages into one connection.
    assert result["list"]["slugs"] == slugs and result["list"]["totalCount"] == len(slugs)
    assert result["list"]["pages"][0] == 2 and result["list"]["pages"][-1] == len(slugs)
    article = result["article"]
    assert article["title"] == article["refetchedTitle"] == SEED_TITLE
    assert article["routes"] == ["大模型优先路线", "小模型专用路线"] and article["stored"]
    types = {hit["type"] for hit in result["search"]["hits"]}
    assert result["search"]["totalCount"] > 0 and "KeyPoint" in types
    # One request a page, then the article, its refetch through node(id:), the search.
    assert result["requests"] == len(result["list"]["pages"]) + 3


def test_the_trusted_server_refuses_relay_text(compiled, extra_server):
    server = extra_server(CONTENT_API_TRUSTED_DOCUMENTS=str(MANIFEST))
    response = httpx.post(server.graphql_url, timeout=10, json={
        "query": "query Q { articles(first: 100) { nodes { body } } }"},
        headers={"Accept": "application/graphql-response+json"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
