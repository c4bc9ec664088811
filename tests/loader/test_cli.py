"""The content-api load/check commands, run as real processes."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

COMMAND = [sys.executable, "-c", "from api.cli import main; main()"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=120)


def test_load_prints_a_summary(content_dir, db_path):
    result = run("load", str(content_dir), "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    assert "loaded: 3 articles, 8 trends" in result.stdout
    assert "2025-edge-ai-privacy.md:46: warning:" in result.stderr
    again = run("load", str(content_dir), "--db", str(db_path))
    assert again.returncode == 0 and again.stdout.startswith("unchanged: 3 articles")


def test_load_errors_exit_nonzero_and_keep_the_database(content_dir, db_path):
    assert run("load", str(content_dir), "--db", str(db_path)).returncode == 0
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    (content_dir / "broken.md").write_text("---\ntitle: x\ndate: 2025-99-01\n---\n# x\n")
    (content_dir / "empty.md").write_text("")
    result = run("load", str(content_dir), "--db", str(db_path))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert ("broken.md:3: invalid date '2025-99-01': expected a calendar date like 2025-05-20, "
            "or a date-time like 2025-05-20T14:30:00+08:00 or 2025-05-20 14:30") in lines
    assert "empty.md:1: file is empty" in lines
    assert "was not changed" in lines[-1]
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before


def test_check_writes_nothing_and_strict_fails_on_warnings(content_dir, tmp_path):
    before = sorted(p.name for p in content_dir.iterdir())
    result = run("check", str(content_dir))
    assert result.returncode == 0
    assert "checked 3 file(s): 0 error(s), 1 warning(s)" in result.stdout
    strict = run("check", str(content_dir), "--strict")
    assert strict.returncode == 1
    assert sorted(p.name for p in content_dir.iterdir()) == before


@pytest.mark.parametrize("name", ["load", "check"])
def test_missing_folder_is_a_clear_error(name, tmp_path):
    args = [name, str(tmp_path / "missing")] + (["--db", str(tmp_path / "x.db")] if name == "load" else [])
    result = run(*args)
    assert result.returncode != 0
    assert "missing" in result.stderr and "Traceback" not in result.stderr


def test_skip_invalid_loads_the_valid_files_and_exits_3(content_dir, db_path):
    assert run("load", str(content_dir), "--db", str(db_path)).returncode == 0
    seed = content_dir / "2024-ai-trends.md"
    seed.write_text(seed.read_text("utf-8").replace("date: 2025-02-18", "date: soon"), "utf-8")
    (content_dir / "new.md").write_text("---\ntitle: New\ndate: 2025-01-01\ndescription: d\n"
                                        "---\n# New\n\n## 一、甲\n\n### 现状\n\n- 一\n", "utf-8")
    strict = run("load", str(content_dir), "--db", str(db_path))
    assert strict.returncode == 1, "strict by default: nothing is loaded"
    result = run("load", str(content_dir), "--db", str(db_path), "--skip-invalid")
    assert result.returncode == 3, result.stderr
    assert "2024-ai-trends.md:3: invalid date 'soon'" in result.stderr
    assert "invalid file(s) not loaded: 2024-ai-trends.md" in result.stderr
    import sqlite3

    conn = sqlite3.connect(db_path)
    slugs = {row[0] for row in conn.execute("SELECT slug FROM articles")}
    conn.close()
    assert {"new", "2024-ai-trends"} <= slugs, "the invalid file keeps its last good version"


def test_check_lists_drafts_and_coverage(content_dir):
    (content_dir / "wip.md").write_text("---\ntitle: WIP\ndate: 2025-01-01\ndescription: d\n"
                                        "draft: true\n---\n# WIP\n\n## 一、甲\n\n### 现状\n\n"
                                        "- 一\n\n### 备注\n\n随手记。\n", "utf-8")
    result = run("check", str(content_dir), "--verbose")
    assert result.returncode == 0, result.stderr
    assert "draft: wip.md (wip) is not public" in result.stdout
    assert "wip.md: structure coverage 50.0% (1 of 2 items and paragraphs in typed slots)" \
        in result.stdout
    assert "checked 4 file(s): 0 error(s), 2 warning(s), 1 draft(s)" in result.stdout
    assert result.stdout.splitlines()[-2].startswith("structure coverage: ")
