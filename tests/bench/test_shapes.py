"""The query shapes of bench/shapes.py run on any store, and answer as graphql-core does."""

from __future__ import annotations

from api.config import Settings
from api.store import Snapshot
from bench import inprocess, shapes
from loader.load import load_content
from tests.support.paths import CONTENT


def test_every_shape_answers_as_graphql_core_does_and_a_short_run_reports_it(tmp_path):
    db = tmp_path / "content.db"
    load_content(CONTENT, db)
    snapshot = Snapshot.open(db)
    compiled = inprocess.executor(Settings(db_path=db), snapshot)
    standard = inprocess.executor(Settings(db_path=db, compiled_execution=False), snapshot)
    found = shapes.shapes(compiled, snapshot)  # the executor raises on any error
    assert len(found) == 16
    for name, query in found:
        assert compiled(query, None) == standard(query, None), name
    rows = shapes.measure(db)
    assert [row["shape"] for row in rows] == [name for name, _ in found]
    assert all(row["median_ms"] > 0 and row["bytes"] > 20 for row in rows)
    assert len(shapes.report_lines(rows)) == 2 + len(rows)
