"""The live server as the security and reliability suites use it
(`content-api serve --production` over a fresh load), plus what they check on
every response.

Starting, waiting for and stopping the process is shared by every suite: see
tests/support/live_server.py. Its names are re-exported here for the suites
that import them from this module.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.live_server import CONTENT_API, Server, load
from tests.support.paths import CONTENT, ROOT as REPO

__all__ = ["CONTENT", "CONTENT_API", "LEAK_MARKERS", "REPO", "Server", "assert_no_leak", "load",
           "start_server"]

# What must never reach a client: SQL, tracebacks, file paths (source or data),
# among them the checkout's own location, wherever it is.
LEAK_MARKERS = ("Traceback", "sqlite", "SELECT ", str(REPO), ".py", 'File "')


def start_server(content_dir: Path, workdir: Path, env: dict[str, str] | None = None) -> Server:
    """Load ``content_dir`` into a fresh DB under ``workdir`` and serve it in production mode."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "content.db"
    load(content_dir, db)
    return Server(db, env=dict(env or {}), production=True).start()


def assert_no_leak(text: str, *extra: str) -> None:
    """No SQL, traceback or file path in a response body."""
    for marker in (*LEAK_MARKERS, *extra):
        assert marker not in text, f"response leaks {marker!r}: {text[:500]}"
