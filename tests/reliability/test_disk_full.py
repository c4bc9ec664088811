"""A load that runs out of disk: the store stays byte-identical and keeps being served.

The store lives on a small tmpfs mounted for the test (root only; skipped with
a message where the machine does not allow mounting). A load whose change
does not fit fails with a clear error and exit status 2, the store file is
byte-identical, the live server answers from the old version throughout, and
once space is freed the next load lands.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.reliability.chaos import Probe, committed_version, write_corpus
from tests.support.live_server import CONTENT_API, Server, load


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_load_that_fills_the_disk_changes_nothing_served(tmp_path, small_disk):
    content = tmp_path / "content"
    write_corpus(content, 30, "v0 ")
    db = small_disk / "content.db"
    load(content, db)
    before, version = _sha(db), committed_version(db)
    filler = small_disk / "filler"
    with Server(db, env={"CONTENT_API_RELOAD_CHECK_SECONDS": "0.05"}).start() as server:
        probe = Probe(server.url).start()
        free = shutil.disk_usage(small_disk).free
        filler.write_bytes(b"\0" * max(free - 200_000, 0))  # leave too little for the change
        write_corpus(content, 200, "v1 " + uuid.uuid4().hex)  # a change far bigger than that
        failed = subprocess.run([str(CONTENT_API), "load", str(content), "--db", str(db)],
                                capture_output=True, text=True, timeout=120)
        time.sleep(0.3)
        health = server.health()
        probe.stop()
        assert failed.returncode == 2, failed.stderr
        assert "full" in failed.stderr.lower() and "was not changed" in failed.stderr
        assert _sha(db) == before and committed_version(db) == version
        assert probe.failures == [] and set(probe.versions) == {version}
        assert health["contentVersion"] == version
        filler.unlink()
        load(content, db)  # space again: the next load lands
        assert committed_version(db) != version
