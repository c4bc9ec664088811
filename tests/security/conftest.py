"""One live production-mode server over content/, shared by the security suites."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from tests.security.live import CONTENT, Server, start_server


@pytest.fixture(scope="session")
def live(tmp_path_factory) -> Server:
    """`content-api serve --production` over a fresh load of a copy of content/."""
    workdir = tmp_path_factory.mktemp("security-server")
    content = workdir / "content"
    shutil.copytree(CONTENT, content)
    server = start_server(content, workdir)
    # Taken before any test talks to the server: test_read_only compares against it.
    server.initial_sha256 = hashlib.sha256(server.db.read_bytes()).hexdigest()
    server.initial_stat = server.db.stat()
    try:
        yield server
    finally:
        server.stop()
