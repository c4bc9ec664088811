"""Helpers for the API tests: build real databases with the real loader, drive the app."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

with warnings.catch_warnings():
    # Starlette's TestClient still works on httpx; the deprecation is about a future client.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from api.app import create_app
from api.config import Settings
from loader.load import load_content

REPO = Path(__file__).resolve().parents[2]
CONTENT = REPO / "content"
SEED = CONTENT / "2024-ai-trends.md"


def build_db(tmp: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (name -> markdown) into a content folder under ``tmp`` and load it."""
    content = tmp / "content"
    content.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (content / name).write_text(text, encoding="utf-8")
    db = tmp / "content.db"
    load_content(content, db)
    return db


def seed_copies(count: int) -> dict[str, str]:
    """``count`` copies of the seed with distinct slugs (the slug comes from the file name)."""
    text = SEED.read_text("utf-8")
    return {f"copy-{i:03d}.md": text for i in range(count)}


# What a current GraphQL client asks for (GraphQL-over-HTTP): request errors
# then come back as 400. tests/api/test_negotiation.py covers application/json.
ACCEPT = "application/graphql-response+json, application/json;q=0.9"


def make_client(db: Path, **settings) -> TestClient:
    app = create_app(Settings(db_path=db, **settings))
    return TestClient(app, base_url="http://testserver", headers={"Accept": ACCEPT})


def gql(client: TestClient, query: str, variables: dict | None = None, *,
        expect_errors: bool = False, status: int | None = None) -> dict:
    """POST a query; return the JSON body. Fails on errors unless ``expect_errors``."""
    payload: dict = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    response = client.post("/graphql", json=payload)
    body = response.json()
    if status is not None:
        assert response.status_code == status, body
    if not expect_errors:
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
    return body


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def copy_db(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    return dst
