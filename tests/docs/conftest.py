"""Fixtures of the docs suite: the site built once with --strict, and a live server
over content/ for the executed examples."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# The headless Chromium of the developer-experience suite, shared rather than redefined.
from tests.dx.conftest import browser  # noqa: F401  (a fixture)
from tests.support.live_server import Server, load
from tests.support.paths import ROOT

MKDOCS = Path(sys.executable).with_name("mkdocs")
BUILD_TIMEOUT = 300


def build_site(config_dir: Path, site_dir: Path) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of the mkdocs.yml in ``config_dir`` into ``site_dir``."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [str(MKDOCS), "build", "--strict", "--config-file", str(config_dir / "mkdocs.yml"),
         "--site-dir", str(site_dir)],
        cwd=config_dir, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The site as `make docs` builds it; the build must pass --strict."""
    site = tmp_path_factory.mktemp("docs-site") / "site"
    done = build_site(ROOT, site)
    if done.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed ({done.returncode}):\n{done.stderr[-6000:]}")
    return site


@pytest.fixture(scope="session")
def docs_server(tmp_path_factory) -> Server:
    """A live `content-api serve` over content/, with the default settings."""
    db = tmp_path_factory.mktemp("docs-db") / "content.db"
    try:
        load(ROOT / "content", db)
        server = Server(db).start()
    except (RuntimeError, TimeoutError) as exc:
        pytest.fail(str(exc))
    with server:
        yield server
