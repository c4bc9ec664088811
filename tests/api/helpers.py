"""Helpers for the API tests: build real databases with the real loader, drive the app."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import httpx

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


def make_client(db: Path, **settings) -> TestClient:
    app = create_app(Settings(db_path=db, **settings))
    return TestClient(app, base_url="http://testserver")






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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A real `content-api serve` process on a free loopback port."""

    def __init__(self, db: Path, *args: str, env: dict | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        exe = Path(sys.executable).with_name("content-api")
        self.process = subprocess.Popen(
            [str(exe), "serve", "--db", str(db), "--port", str(self.port), "--log-level",
             "warning", *args],
            env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                out, err = self.process.communicate()
                raise RuntimeError(f"server exited early: {err.decode(errors='replace')}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"server on port {self.port} not ready after {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)




def copy_db(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    return dst
