"""kill -9 of the loader at random instants, with a live server read throughout.

The store is committed in place in WAL mode (loader/storefile.py): whatever
instant the loader dies at, including with its WAL frames written and the
commit not yet made, readers keep the last committed version and never see an
error; /healthz says a load was interrupted; a server started afterwards
starts; the next load recovers. The loader's parse workers die with it, and
the temporary file of a first build it did not finish is removed by the next
load.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

from tests.reliability.chaos import (Probe, alive, children_of, committed_version, scalar,
                                     write_corpus)
from tests.support.live_server import CONTENT_API, Server, load

ARTICLES = int(os.environ.get("CHAOS_ARTICLES", 240))  # enough for loads of about a second
KILLS = int(os.environ.get("CHAOS_KILLS", 6))
ENV = {"CONTENT_API_RELOAD_CHECK_SECONDS": "0.05"}


def _loader(content: Path, db: Path, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([str(CONTENT_API), "load", str(content), "--db", str(db),
                             "--jobs", "2", "--no-progress"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})


def _kill(process: subprocess.Popen) -> list[int]:
    """SIGKILL the loader; returns its children at that instant (its parse workers)."""
    workers = children_of(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    return workers


def _integrity(db: Path) -> str:
    return scalar(db, "PRAGMA integrity_check")


def test_a_loader_killed_at_any_instant_never_fails_a_reader(tmp_path):
    content = tmp_path / "content"
    write_corpus(content, ARTICLES, "v0 ")
    db = tmp_path / "store" / "content.db"
    load(content, db)
    committed = {committed_version(db)}
    rng = random.Random(20261202)
    orphans: list[int] = []
    with Server(db, env=ENV).start() as server:
        probe = Probe(server.url).start()
        for round_ in range(1, KILLS + 1):
            write_corpus(content, ARTICLES, f"v{round_} ")  # every file changes
            loader = _loader(content, db)
            time.sleep(rng.uniform(0.05, 1.5))
            orphans += _kill(loader)
            committed.add(committed_version(db))  # it may have finished first
        # The worst instant: every change written to the WAL, the commit not made.
        write_corpus(content, ARTICLES, "paused ")
        marker = tmp_path / "paused"
        loader = _loader(content, db, {"CONTENT_API_TEST_PAUSE_BEFORE_COMMIT": str(marker)})
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists(), loader.stderr.read().decode()[-2000:]
        wal = db.with_name(db.name + "-wal")
        assert wal.stat().st_size > 0, "the uncommitted change is in the WAL"
        _kill(loader)
        time.sleep(0.3)  # readers keep going over the dead loader's frames
        health = server.health()
        probe.stop()

        assert probe.failures == [], probe.failures[:5]
        assert probe.requests > 50 and set(probe.versions) <= committed
        assert health["status"] == "ok" and health["load"]["state"] == "interrupted"
        assert health["contentVersion"] in committed
        assert _integrity(db) == "ok"

        # A server started now starts, on the last committed version.
        with Server(db, env=ENV).start() as second:
            assert second.health()["contentVersion"] == health["contentVersion"]

        # The next load recovers: it commits, and the server serves it.
        load(content, db)
        fresh = committed_version(db)
        deadline = time.monotonic() + 10
        while server.health()["contentVersion"] != fresh and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.health()["contentVersion"] == fresh
        assert server.health()["load"]["state"] == "idle"
    time.sleep(1.0)
    assert [pid for pid in orphans if alive(pid)] == [], "parse workers outlived the loader"


def test_a_first_build_killed_leaves_nothing_the_next_load_keeps(tmp_path):
    content = tmp_path / "content"
    write_corpus(content, ARTICLES)
    db = tmp_path / "store" / "content.db"
    marker = tmp_path / "paused"
    env = {"CONTENT_API_TEST_PAUSE_BEFORE_COMMIT": str(marker)}
    loader = _loader(content, db, env)
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.exists()
    _kill(loader)
    # The first build works in a temporary file beside the store: it is left over.
    assert not db.exists()
    assert [p.name for p in db.parent.iterdir() if ".tmp" in p.name]
    load(content, db)
    names = sorted(p.name for p in db.parent.iterdir())
    assert [n for n in names if ".tmp" in n] == [], names
    assert _integrity(db) == "ok"
