"""examples/python: an ariadne-codegen async client generated from schema.graphql
in its own venv, run against a live server."""

from __future__ import annotations

import json
import subprocess

import pytest

from .conftest import REPO, SEED_SLUG, SEED_TITLE, require

PY_DIR = REPO / "examples" / "python"
VENV_PYTHON = PY_DIR / ".venv" / "bin" / "python"


def run(*command: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=PY_DIR, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def generated_client() -> None:
    require((PY_DIR / ".venv" / "bin" / "ariadne-codegen").exists(), "the ariadne-codegen venv",
            "run `make client-deps` (creates examples/python/.venv from requirements.txt)")
    generated = run(str(PY_DIR / ".venv" / "bin" / "ariadne-codegen"))
    assert generated.returncode == 0, generated.stdout + generated.stderr


def test_codegen_venv_is_separate_because_of_graphql_core():
    require(VENV_PYTHON.exists(), "the ariadne-codegen venv", "run `make client-deps`")
    import graphql

    theirs = run(str(VENV_PYTHON), "-c", "import graphql; print(graphql.__version__)").stdout.strip()
    assert tuple(map(int, theirs.split(".")[:2])) < (3, 3) <= tuple(map(int, graphql.__version__.split(".")[:2]))


def test_generated_client_is_typed(generated_client):
    source = (PY_DIR / "content_client" / "client.py").read_text(encoding="utf-8")
    for method in ("async def article_page(", "async def article_list(", "async def search("):
        assert method in source
    models = (PY_DIR / "content_client" / "article_page.py").read_text(encoding="utf-8")
    assert "date: date" in models  # the Date scalar maps to datetime.date
    assert "pros: list[str]" in models and "cons: list[str]" in models


def test_async_client_runs_against_a_live_server(generated_client, live_server):
    result = run(str(VENV_PYTHON), "run_client.py", live_server.graphql_url, SEED_SLUG, "隐私", timeout=60)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["title"] == SEED_TITLE
    assert summary["date"] == "2025-02-18"
    assert SEED_SLUG in summary["slugs"] and len(summary["slugs"]) == len(list((REPO / "content").glob("*.md")))
    assert summary["trends"][0]["routes"] == ["大模型优先路线", "小模型专用路线"]
    assert [len(t["advice"]) for t in summary["trends"]] == [3, 3, 3]
    assert summary["search"], "search for 隐私 returned hits"


def test_client_reports_failed_checks(generated_client, live_server):
    result = run(str(VENV_PYTHON), "run_client.py", live_server.graphql_url, "no-such-slug", timeout=60)
    assert result.returncode == 1
    assert "CheckFailed: check failed: article no-such-slug is in the list" in result.stderr
