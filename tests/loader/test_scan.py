"""Reading a content folder (loader/load.py's scan): links, loops and odd entries
never block a load, and what is skipped is said plainly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from loader.diagnostics import LoadError
from loader.load import load_content
from tests.support.paths import CONTENT

COMMAND = [sys.executable, "-c", "from api.cli import main; main()"]


@pytest.fixture
def folder(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    return content


def _warnings(report) -> dict[str, str]:
    return {w.path: w.message for w in report.warnings if w.line == 0}


def test_a_symlink_loop_is_skipped_with_a_warning(folder, tmp_path):
    (folder / "sub").mkdir()
    shutil.copy(CONTENT / "2024-ai-trends.md", folder / "sub" / "copy.md")
    (folder / "sub" / "copy.md").write_text(
        (CONTENT / "2024-ai-trends.md").read_text("utf-8").replace("title:", "slug: copy\ntitle:", 1),
        "utf-8")
    os.symlink("..", folder / "sub" / "loop")  # sub/loop -> content: back up the tree
    os.symlink("sub", folder / "alias")  # a second way to the same folder
    report = load_content(folder, tmp_path / "content.db")
    assert report.counts["articles"] == 4, "each folder is read once"
    warnings = _warnings(report)
    assert "symbolic link to a folder already read" in warnings["sub/loop"]
    assert "symbolic link to a folder already read" in warnings["alias"]


def test_a_broken_link_and_a_folder_named_md_are_skipped(folder, tmp_path):
    os.symlink("nowhere.md", folder / "dangling.md")
    (folder / "notes.md").mkdir()
    (folder / "notes.md" / "inside.md").write_text("# not read\n", "utf-8")
    report = load_content(folder, tmp_path / "content.db")
    assert report.counts["articles"] == 3
    warnings = _warnings(report)
    assert "symbolic link that leads nowhere" in warnings["dangling.md"]
    assert "is a folder, not an article file" in warnings["notes.md"]


def test_check_reports_a_loop_instead_of_a_traceback(folder):
    os.symlink(".", folder / "self")
    done = subprocess.run([*COMMAND, "check", str(folder)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert "self:0: warning: is a symbolic link to a folder already read" in done.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders anyway")
def test_a_read_only_folder_is_named_as_the_problem(folder, tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    load_content(folder, store / "content.db")
    store.chmod(0o555)
    try:
        with pytest.raises(LoadError, match="cannot write in the folder"):
            load_content(folder, store / "content.db")
    finally:
        store.chmod(0o755)


def test_a_read_only_folder_message_without_privileges(folder, tmp_path, monkeypatch):
    """The same check, with os.access answering as it does for an unprivileged user."""
    store = tmp_path / "store"
    store.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if str(path) == str(store)
                        else real_access(path, mode))
    with pytest.raises(LoadError) as info:
        load_content(folder, store / "content.db")
    assert "cannot write in the folder" in info.value.diagnostics[0].message
    assert "WAL, lock and temporary files" in info.value.diagnostics[0].message


def test_os_errors_exit_2_and_content_errors_exit_1(folder, tmp_path):
    not_a_folder = tmp_path / "file-as-parent"
    not_a_folder.write_text("x")
    done = subprocess.run([*COMMAND, "load", str(folder), "--db",
                           str(not_a_folder / "content.db")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "was not changed" in done.stderr
    (folder / "bad.md").write_text("---\ntitle: x\ndate: never\n---\n# x\n", "utf-8")
    done = subprocess.run([*COMMAND, "load", str(folder), "--db", str(tmp_path / "c.db")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
