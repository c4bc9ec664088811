"""What the loader guarantees on failure, checked on inputs found by the security fuzzing.

The contract (loader/load.py, `content-api load --help`): on any problem the
loader reports `path:line` diagnostics (LoadError; the CLI prints them and
exits 1) and the existing database is left byte-identical; it never raises
another exception and never leaves a half-written or temporary file behind.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest

from loader.diagnostics import LoadError
from loader.load import load_content
from tests.security.live import CONTENT, CONTENT_API

# An ordered advice list followed by a bullet list under the advice heading.
ADVICE_THEN_BULLETS = """---
title: Advice then bullets
date: 2025-01-01
slug: advice-then-bullets
---

# Advice then bullets

Intro.

## 一、Trend

### 1.3 对开发者的建议

1. **Advice**：text

- item
"""

BROKEN_FRONTMATTER = """---
title: [unclosed
date: 2025-01-01
---

# Broken

Intro.
"""


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def loaded(tmp_path):
    """A content folder (a copy of content/) already loaded into a database."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    db = tmp_path / "store" / "content.db"
    load_content(content, db)
    return content, db


def _outcome(content, db) -> str:
    try:
        load_content(content, db)
    except LoadError as exc:
        assert exc.diagnostics and all(d.path and d.line >= 0 for d in exc.diagnostics)
        return "rejected"
    return "loaded"


def test_broken_file_leaves_database_byte_identical(loaded):
    """The guarantee itself, on a plain error: the control for the case below."""
    content, db = loaded
    before = sha256(db)
    (content / "broken.md").write_text(BROKEN_FRONTMATTER, encoding="utf-8")
    assert _outcome(content, db) == "rejected"
    assert sha256(db) == before
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name, db.name + ".lock"]
    cli = subprocess.run([str(CONTENT_API), "load", str(content), "--db", str(db)],
                         capture_output=True, text=True, timeout=120)
    assert cli.returncode == 1
    assert "broken.md:" in cli.stderr and "Traceback" not in cli.stderr
    assert sha256(db) == before


def test_advice_followed_by_bullets_is_loaded_or_diagnosed(loaded):
    content, db = loaded
    before = sha256(db)
    (content / "advice.md").write_text(ADVICE_THEN_BULLETS, encoding="utf-8")
    outcome = _outcome(content, db)
    if outcome == "rejected":
        assert sha256(db) == before


def test_advice_crash_still_leaves_database_byte_identical(loaded):
    """Even the crash above is atomic: the old file is untouched and no temp file is left."""
    content, db = loaded
    before = sha256(db)
    (content / "advice.md").write_text(ADVICE_THEN_BULLETS, encoding="utf-8")
    try:
        load_content(content, db)
    except Exception:  # LoadError once fixed; today sqlite3.IntegrityError
        pass
    else:
        return  # loaded: nothing more to check here
    assert sha256(db) == before
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name, db.name + ".lock"]


def test_cli_reports_advice_then_bullets_without_traceback(loaded):
    content, db = loaded
    (content / "advice.md").write_text(ADVICE_THEN_BULLETS, encoding="utf-8")
    cli = subprocess.run([str(CONTENT_API), "load", str(content), "--db", str(db)],
                         capture_output=True, text=True, timeout=120)
    assert "Traceback" not in cli.stderr, cli.stderr[-2000:]
    if cli.returncode != 0:
        assert cli.returncode == 1 and "advice.md:" in cli.stderr
