"""Live reload: edits are served without a restart; broken edits keep the last good content."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
import pytest

from api.store import SnapshotHolder
from api.watch import ContentWatcher
from loader.dates import EXPECTED
from loader.load import load_content
from tests.api.helpers import CONTENT
from tests.support.edits import retitle
from tests.support.live_server import Server

TITLE_QUERY = '{ article(slug: "2025-web-platform-trends") { title } contentDiagnostics { path line severity message } }'
OLD_TITLE = "Three Shifts in Web Development for 2025"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def _retitle(content_dir: Path, title: str) -> Path:
    return retitle(content_dir / "2025-web-platform-trends.md", title)


def test_watcher_swaps_on_good_edits_and_keeps_content_on_bad_ones(content_dir, tmp_path):
    db = tmp_path / "content.db"
    load_content(content_dir, db)
    holder = SnapshotHolder(db, check_seconds=-1)
    watcher = ContentWatcher(content_dir, db, holder)
    first = holder.current().content_version

    _retitle(content_dir, "Edited title")
    assert watcher.reload() is not None
    assert holder.current().content_version != first
    second = holder.current()
    state = holder.state

    path = _retitle(content_dir, "x")
    path.write_text(path.read_text("utf-8").replace("date: 2025-03-04", "date: 2025-02-30"), "utf-8")
    report = watcher.reload()
    assert report.invalid == ["2025-web-platform-trends.md"] and not report.changed
    assert holder.current() is second, "the last good snapshot stays in service"
    assert [(d.path, d.line) for d in holder.problems] == [("2025-web-platform-trends.md", 3)]
    assert holder.state != state, "caches keyed by state drop stale diagnostics"

    path.write_text(path.read_text("utf-8").replace("date: 2025-02-30", "date: 2025-03-04"), "utf-8")
    assert watcher.reload() is not None
    assert holder.problems == ()
    title = holder.current().conn.execute(
        "SELECT title FROM articles WHERE slug = '2025-web-platform-trends'").fetchone()[0]
    assert title == "x"


def _title(holder: SnapshotHolder, slug: str) -> str | None:
    row = holder.current().conn.execute("SELECT title FROM articles WHERE slug = ?",
                                        (slug,)).fetchone()
    return row[0] if row else None


def test_an_invalid_file_keeps_its_last_good_version_while_other_edits_go_live(content_dir,
                                                                              tmp_path):
    db = tmp_path / "content.db"
    load_content(content_dir, db)
    holder = SnapshotHolder(db, check_seconds=-1)
    watcher = ContentWatcher(content_dir, db, holder)
    broken = _retitle(content_dir, "Will break")
    watcher.reload()
    broken.write_text(broken.read_text("utf-8").replace("date: 2025-03-04", "date: soon"), "utf-8")
    retitle(content_dir / "2024-ai-trends.md", "A valid edit elsewhere")
    (content_dir / "new-and-broken.md").write_text("---\ntitle: New\ndate: never\n---\n# New\n")

    report = watcher.reload()
    assert report.changed and report.invalid == ["2025-web-platform-trends.md",
                                                 "new-and-broken.md"]
    assert _title(holder, "2024-ai-trends") == "A valid edit elsewhere"
    assert _title(holder, "2025-web-platform-trends") == "Will break", "last good version"
    assert _title(holder, "new-and-broken") is None, "a new invalid file is not served"
    assert sorted({d.path for d in holder.problems}) == report.invalid

    # Deleting the broken file removes its last good version too.
    broken.unlink()
    (content_dir / "new-and-broken.md").unlink()
    report = watcher.reload()
    assert report.invalid == [] and holder.problems == ()
    assert _title(holder, "2025-web-platform-trends") is None


def _poll(check, timeout: float = 15.0, interval: float = 0.1):
    """Call ``check`` until it returns something truthy, for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def test_serve_watch_reloads_live(content_dir, tmp_path):
    db = tmp_path / "content.db"
    server = Server(db, args=("--watch", str(content_dir)))
    with server.start(), httpx.Client(base_url=server.url, timeout=5.0) as client:
        def title() -> str:
            body = client.post("/graphql", json={"query": TITLE_QUERY}).json()
            return body["data"]["article"]["title"], body["data"]["contentDiagnostics"]

        assert title()[0] == OLD_TITLE
        _retitle(content_dir, "Live edit 1")
        _poll(lambda: title()[0] == "Live edit 1")

        # A broken edit: the old content stays, the diagnostic is reported everywhere.
        path = content_dir / "2025-web-platform-trends.md"
        path.write_text(path.read_text("utf-8").replace("date: 2025-03-04", "date: someday"), "utf-8")
        health = _poll(lambda: (h := client.get("/healthz").json())["status"] == "stale" and h)
        assert health["diagnostics"] == [
            "2025-web-platform-trends.md:3: invalid date 'someday': expected " + EXPECTED]
        served_title, diagnostics = title()
        assert served_title == "Live edit 1"
        assert {"path": "2025-web-platform-trends.md", "line": 3, "severity": "ERROR",
                "message": "invalid date 'someday': expected " + EXPECTED} in diagnostics

        # The fix clears it and serves the new content.
        path.write_text(path.read_text("utf-8").replace("date: someday", "date: 2025-03-05"), "utf-8")
        _poll(lambda: client.get("/healthz").json()["status"] == "ok")
        served_title, diagnostics = title()
        assert served_title == "Live edit 1"
        assert all(d["severity"] == "WARNING" for d in diagnostics)
        dated = client.post("/graphql", json={"query": '{ article(slug: "2025-web-platform-trends") { date } }'})
        assert dated.json()["data"]["article"]["date"] == "2025-03-05"


def test_watch_refuses_several_workers(content_dir, tmp_path):
    server = Server(tmp_path / "c.db", args=("--watch", str(content_dir), "--workers", "2"))
    with server.launch():
        assert server.process.wait(timeout=30) == 2
        assert "single worker" in server.log()


def test_an_unexpected_loader_failure_keeps_serving(content_dir, tmp_path, monkeypatch):
    """A bug in the loader is reported like a content error; live reload goes on."""
    import api.watch

    db = tmp_path / "content.db"
    load_content(content_dir, db)
    holder = SnapshotHolder(db, check_seconds=-1)
    watcher = ContentWatcher(content_dir, db, holder)
    before = holder.current()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api.watch, "load_content", broken)
    assert watcher.reload() is None
    assert holder.current() is before
    assert [d.message for d in holder.problems] == ["reload failed: RuntimeError: boom"]
    monkeypatch.undo()
    assert watcher.reload() is not None and holder.problems == ()
