"""A live server keeps serving its last good version when the database file goes bad.

Someone (or a broken deploy script) may put a file that is not a content
database at the served path, or remove it. The server must keep answering from
the snapshot it has, with the same content version, and switch to the next good
file as soon as one is swapped in.
"""

from __future__ import annotations

import os
import shutil
import time

import httpx
import pytest

from tests.security.live import CONTENT, load, start_server

CHECK_SECONDS = 0.05
QUERY = '{ article(slug: "2024-ai-trends") { title } }'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("bad-replacement")
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    server = start_server(content, tmp_path,
                          env={"CONTENT_API_RELOAD_CHECK_SECONDS": str(CHECK_SECONDS)})
    try:
        yield server, content
    finally:
        server.stop()


def _answers(server, version: str, rounds: int = 10) -> None:
    """Several requests over more than a few check periods, all from ``version``."""
    with httpx.Client(timeout=5) as client:
        for _ in range(rounds):
            response = client.post(server.graphql_url, json={"query": QUERY})
            assert response.status_code == 200, response.text
            body = response.json()
            assert "errors" not in body, body
            assert body["extensions"]["contentVersion"] == version
            assert server.health()["contentVersion"] == version
            time.sleep(CHECK_SECONDS)


def _replace(db, data: bytes) -> None:
    tmp = db.with_name(".incoming")
    tmp.write_bytes(data)
    os.replace(tmp, db)


@pytest.mark.parametrize("bad", ["garbage", "empty", "truncated", "removed"])
def test_bad_file_keeps_last_good_version(server, bad):
    server, content = server
    good = server.health()["contentVersion"]
    _answers(server, good, rounds=3)
    db_bytes = server.db.read_bytes()
    if bad == "garbage":
        _replace(server.db, os.urandom(64 * 1024))
    elif bad == "empty":
        _replace(server.db, b"")
    elif bad == "truncated":
        _replace(server.db, db_bytes[:4096])  # a valid header, most pages missing
    else:
        server.db.unlink()
    _answers(server, good)
    assert server.alive() and "Traceback" not in server.log(), server.log()

    # The next good load is picked up (and is the good state for the next case).
    seed = content / "2024-ai-trends.md"
    seed.write_text(seed.read_text("utf-8").replace('title: "', f'title: "Fixed {bad} ', 1), "utf-8")
    load(content, server.db)
    deadline = time.monotonic() + 5
    while server.health()["contentVersion"] == good and time.monotonic() < deadline:
        time.sleep(CHECK_SECONDS)
    fresh = server.health()["contentVersion"]
    assert fresh != good
    title = httpx.post(server.graphql_url, json={"query": QUERY}, timeout=5).json()
    assert title["data"]["article"]["title"].startswith(f"Fixed {bad} ")
    assert title["extensions"]["contentVersion"] == fresh
