"""The unseen-text flood runs a real server and reports what it measured."""

from __future__ import annotations

from bench import unseen_flood
from loader.load import load_content
from tests.support.paths import CONTENT


def test_a_short_flood_reports_latencies_and_memory(tmp_path):
    db = tmp_path / "content.db"
    load_content(CONTENT, db)
    row = unseen_flood.flood(db, 20, {})  # raises on any answer that is not a success
    assert row["count"] == 20
    assert 0 < row["p50_ms"] <= row["p99_ms"] <= row["max_ms"]
    assert row["rss_mb"] > 0
