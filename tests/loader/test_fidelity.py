"""Nothing is lost: every non-blank line of every file in content/ is reachable."""

from __future__ import annotations

import sqlite3

import pytest

from loader.load import list_files, load_content
from tests.support.fidelity import loaded_store, stored_twice, unreachable_lines

from tests.support.paths import CONTENT


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    yield from loaded_store(CONTENT, tmp_path_factory.mktemp("fidelity") / "content.db")


@pytest.mark.parametrize("path", [p.relative_to(CONTENT).as_posix() for p in list_files(CONTENT)])
def test_every_line_is_reachable(loaded, path):
    source = (CONTENT / path).read_text(encoding="utf-8-sig")
    assert unreachable_lines(loaded, path, source) == []


def test_the_check_notices_a_lost_line(loaded):
    """The check itself can fail: a line the store never saw is reported."""
    path = "2024-ai-trends.md"
    source = (CONTENT / path).read_text(encoding="utf-8")
    lines = source.split("\n")
    lines[20] = lines[20] + " 这句话从未被存储 unstoredword"
    assert [n for n, _ in unreachable_lines(loaded, path, "\n".join(lines))] == [21]


def test_the_check_notices_a_line_stored_twice(tmp_path):
    """The exactly-once check can fail: a key point copied into the status
    intro (as the old routes-as-advice bug stored pros twice) is reported."""
    db = tmp_path / "content.db"
    load_content(CONTENT, db)
    conn = sqlite3.connect(db)
    path = "2024-ai-trends.md"
    source = (CONTENT / path).read_text(encoding="utf-8")
    assert stored_twice(conn, path, source) == []
    trend_id, text, line = conn.execute(
        "SELECT trend_id, text_md, start_line FROM key_points ORDER BY id LIMIT 1").fetchone()
    conn.execute("UPDATE trends_stored SET status_intro_md = status_intro_md || ? WHERE id = ?",
                 ("\n\n" + text, trend_id))
    [(number, _, holders)] = stored_twice(conn, path, source)
    conn.close()
    assert number == line and len(holders) == 2
