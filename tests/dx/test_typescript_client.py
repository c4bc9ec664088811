"""examples/typescript: GraphQL Code Generator types from schema.graphql, checked
by tsc, and the compiled script run against a live server."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from .conftest import REPO, SEED_SLUG, SEED_TITLE, require

TS_DIR = REPO / "examples" / "typescript"
BIN = TS_DIR / "node_modules" / ".bin"


def run(*command: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=TS_DIR, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def built_client() -> None:
    require(shutil.which("node") is not None and (BIN / "graphql-codegen").exists() and (BIN / "tsc").exists(),
            "node and the TypeScript example's packages", "run `make client-deps` (npm ci in examples/typescript)")
    generated = run(str(BIN / "graphql-codegen"), "--config", "codegen.yml")
    assert generated.returncode == 0, generated.stdout + generated.stderr
    compiled = run(str(BIN / "tsc"), "-p", ".")
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr


def test_codegen_types_come_from_the_committed_schema(built_client):
    code = (TS_DIR / "src" / "generated" / "graphql.ts").read_text(encoding="utf-8")
    for name in ("ArticlePageQuery", "ArticleListQuery", "SearchQuery", "ArticlePageDocument"):
        assert f"export type {name}" in code or f"export const {name}" in code, name
    # Non-null fields in the schema give non-optional properties: no optional chains needed.
    assert "routes: Array<{ position: number, name: string, pros: Array<string>, cons: Array<string> }>" in code


def test_tsc_no_emit_passes_including_expected_type_errors(built_client):
    # src/type-checks.ts holds @ts-expect-error lines: if the generated types were
    # loose (any), those lines would not error and tsc would fail here.
    checked = run(str(BIN / "tsc"), "--noEmit", "-p", ".")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_script_runs_the_operations_against_a_live_server(built_client, live_server):
    result = run("node", "dist/run.js", live_server.graphql_url, SEED_SLUG, "芯片", timeout=60)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["title"] == SEED_TITLE
    assert summary["date"] == "2025-02-18"
    assert SEED_SLUG in summary["slugs"] and len(summary["slugs"]) == len(list((REPO / "content").glob("*.md")))
    assert [t["routes"] for t in summary["trends"]][0] == ["大模型优先路线", "小模型专用路线"]
    assert len(summary["trends"]) == 3 and all(t["advice"] for t in summary["trends"])
    assert summary["search"], "search for 芯片 returned hits"


def test_script_fails_loudly_when_a_check_fails(built_client, live_server):
    result = run("node", "dist/run.js", live_server.graphql_url, "no-such-slug", timeout=60)
    assert result.returncode == 1
    assert "check failed: article no-such-slug is in the list" in result.stderr


MANIFEST = TS_DIR / "src" / "generated" / "persisted-documents.json"


def test_the_client_preset_writes_a_manifest_of_every_operation(built_client):
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    operations = sorted(text.split("(")[0].split()[1] for text in manifest.values())
    assert operations == ["ArticleList", "ArticlePage", "Search"]
    assert all(key.startswith("sha256:") for key in manifest)


def test_script_runs_by_hash_against_a_trusted_documents_server(built_client, extra_server):
    server = extra_server(CONTENT_API_TRUSTED_DOCUMENTS=str(MANIFEST))
    result = run("node", "dist/run.js", "--trusted", server.graphql_url, SEED_SLUG, "芯片", timeout=60)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["title"] == SEED_TITLE and summary["search"]
    # The same script sending its query text is refused: the manifest holds the
    # client preset's normalised text, and nothing else runs.
    refused = run("node", "dist/run.js", server.graphql_url, SEED_SLUG, timeout=60)
    assert refused.returncode == 1
    assert "PERSISTED_QUERY_NOT_ALLOWED" in refused.stderr
