"""The loader benchmark's parts and the bound it reports for a full load."""

from __future__ import annotations

import sqlite3

import loader.load as load
from bench import corpus, loader_bench, report


def test_parse_then_write_times_both_parts_and_leaves_no_file(tmp_path, monkeypatch):
    corpus.write_corpus(tmp_path / "content", 12)
    written = []
    build = load.build_new_store

    def recording(path, change, durable):
        counts = build(path, change, durable)
        written.append(sqlite3.connect(path).execute("SELECT count(*) FROM articles").fetchone())
        return counts
    # time_parse_then_write imports it when called: it sees the recording one.
    monkeypatch.setattr(load, "build_new_store", recording)
    scratch = tmp_path / "scratch.db"
    parse_s, write_s = loader_bench.time_parse_then_write(tmp_path / "content", scratch)
    assert parse_s > 0 and write_s > 0
    assert written == [(12,)], "the store was written from all the parsed articles"
    assert not scratch.exists()


def _times(**changes) -> dict:
    times = dict(articles=10, corpus_mb=1.0, db_mb=3.0, bare_parse_s=1.0, full_load_s=20.0,
                 noop_reload_s=0.1, one_file_reload_s=0.1, write_only_s=7.0, parse_only_s=28.0,
                 jobs=2, full_load_summary="", noop_summary="", one_file_summary="")
    return {**times, **changes}


def test_the_bound_shares_both_parts_among_the_cpus_but_never_splits_the_writing():
    assert report.load_bound(_times()) == 17.5  # (28 + 7) / 2
    assert report.load_bound(_times(jobs=8)) == 7.0  # 35 / 8 is less than the writing
    without = _times()
    del without["parse_only_s"]  # a run from before the parsing was timed alone
    assert report.load_bound(without) is None


def test_the_loader_table_shows_the_bound_beside_the_target():
    lines, verdict = report._loader_table(_times())
    table = "\n".join(lines)
    assert "| the least a full load of this code can take on 2 CPUs, estimated" in table
    assert "| 17.500 | 17.5× |" in table
    assert "| 28.000 | 28.0× |" in table  # the parsing alone
    assert verdict["full load <= 8x bare parse"] is False


def test_files_of_each_shape_fill_the_size_limit_with_numbered_units(tmp_path):
    from loader.config import DEFAULTS

    part, piece = loader_bench.SHAPES["advice items"]
    path = tmp_path / "content" / "big.md"
    loader_bench._at_the_limit(path, loader_bench._HEAD + part, piece)
    size = path.stat().st_size
    assert DEFAULTS.max_file_bytes - 100 < size < DEFAULTS.max_file_bytes
    text = path.read_text()
    assert "1. **Advice 1**:" in text and text.count("**Advice") > 50_000


def test_the_loader_table_shows_each_shape_at_the_size_limit():
    lines, _ = report._loader_table(_times(max_file_load_s=1.5, max_file_rss_mb=170,
                                           full_load_rss_mb=270,
                                           max_file_shapes_s={"advice items": 3.426}))
    assert ("| one file at the size limit, made of advice items only, as `content-api load` "
            "| 3.426 |") in "\n".join(lines)


def test_each_shape_is_read_as_the_units_it_is_made_of():
    """So that no change to the vocabulary leaves a shape's file measuring nothing."""
    from loader.article import parse_article

    def units(name: str) -> dict:
        part, piece = loader_bench.SHAPES[name]
        text = loader_bench._HEAD + part + "".join(piece.format(n=n) for n in range(1, 7))
        article, problems = parse_article("big.md", text.encode())
        assert article is not None, problems
        [trend] = article.trends
        return {"advice": len(trend.advice), "points": sum(len(r.points) for r in trend.routes),
                "key points": len(trend.key_points), "sections": len(trend.sections)}
    assert units("advice items")["advice"] == 6
    assert units("route points")["points"] == 12
    assert units("key points")["key points"] == 6
    assert units("headings (extra sections)")["sections"] == 6
