from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.paths import CONTENT


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A private copy of content/ that a test may edit."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store" / "content.db"
