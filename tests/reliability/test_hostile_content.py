"""Bounded work on hostile content: a file over the size limit is refused
without being read, and one file cannot flood the output with warnings."""

from __future__ import annotations

import subprocess

from tests.support.live_server import CONTENT_API, load
from tests.support.paths import CONTENT


def _load(content, db, *args) -> subprocess.CompletedProcess:
    return subprocess.run([str(CONTENT_API), "load", str(content), "--db", str(db), *args],
                          capture_output=True, text=True, timeout=120)


def test_a_50_mb_file_is_refused_and_the_rest_loads(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for source in CONTENT.glob("*.md"):
        (content / source.name).write_bytes(source.read_bytes())
    huge = content / "huge.md"
    with open(huge, "wb") as handle:
        handle.write(b"---\ntitle: Huge\ndate: 2025-01-01\n---\n# Huge\n")
        block = ("- **点**：" + "很长的一段文字。" * 60 + "\n").encode()
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(block)
    db = tmp_path / "content.db"
    strict = _load(content, db)
    assert strict.returncode == 1 and not db.exists()
    assert "huge.md:1: file is 52,4" in strict.stderr and "over the limit of 4,194,304" \
        in strict.stderr
    skipped = _load(content, db, "--skip-invalid")
    assert skipped.returncode == 3 and "loaded: 3 articles" in skipped.stdout


def test_warnings_per_file_are_capped(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    parts = "".join(f"\n### Odd part {n}\n\nText {n}.\n" for n in range(500))
    (content / "noisy.md").write_text(f"---\ntitle: Noisy\ndate: 2025-01-01\ndescription: d\n"
                                      f"---\n# Noisy\n\n## 1. Trend\n{parts}", "utf-8")
    (content / "content-api.toml").write_text("max_warnings_per_file = 20\n", "utf-8")
    done = _load(content, tmp_path / "content.db")
    warnings = [line for line in done.stderr.splitlines() if "warning:" in line]
    assert done.returncode == 0 and len(warnings) == 20
    assert warnings[-1].endswith("481 more warnings in this file are not shown "
                                 "(max_warnings_per_file)")
    load(content, tmp_path / "again.db")  # and the store holds the article
