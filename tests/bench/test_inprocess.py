"""The in-process benchmark compares like with like: the data floor's bytes are
the API's own for every article, and a short run yields a row and a verdict
for each query."""

from __future__ import annotations

import sqlite3

from api.config import Settings
from api.store import Snapshot
from bench import data_floor, inprocess, queries
from loader.load import load_content
from tests.support.paths import CONTENT


def test_the_data_floor_gives_the_api_bytes_and_a_short_run_reports_every_query(tmp_path):
    db = tmp_path / "content.db"
    load_content(CONTENT, db)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    slugs = [row[0] for row in conn.execute("SELECT slug FROM articles")]
    assert slugs
    rows = inprocess.measure(db, rounds=1)  # raises when any of the three answers differs
    assert [row["query"] for row in rows] == list(inprocess.TARGETS)
    for row in rows:
        assert row["floor_ms"] > 0 and row["compiled_ms"] > 0 and row["standard_ms"] > 0
    lines, verdict = inprocess.report_lines(rows)
    assert len(lines) == 2 + len(rows) and len(verdict) == len(rows)
    api = inprocess.executor(Settings(db_path=db), Snapshot.open(db))
    for slug in slugs:  # every article, not only the one measure() times
        assert api(queries.ARTICLE, {"slug": slug}) == data_floor.article(conn, slug), slug
