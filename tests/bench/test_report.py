"""The benchmark report's verdicts (bench/report.py)."""

from __future__ import annotations

from bench.report import _floor_ratios
from bench.wrk import Result


def _row(server: str, scenario: str, rps: float, connections: int = 1) -> dict:
    return {"server": server, "scenario": scenario, "connections": connections, "rps": rps,
            "p50_ms": 1000 / rps}


def _verdicts(results: list[dict]) -> dict:
    return _floor_ratios(results, [1])[1]


def test_a_post_is_judged_against_the_floor_answering_the_same_posts():
    results = [_row("floor", "floor-a", 8000), _row("floor", "floor-a-post", 6000),
               _row("floor", "floor-unseen-post", 6000),
               _row("ours-nocache", "a-side", 1000), _row("ours-nocache", "a-unseen", 780),
               _row("datafloor", "a-data", 2000)]
    verdicts = _verdicts(results)
    unseen = next(k for k in verdicts if k.startswith("(a) as a text not seen before"))
    assert "(7.7x)" in unseen and verdicts[unseen] is True  # 6000 / 780, not 8000 / 780
    uncached = next(k for k in verdicts if k.startswith("(a) article(slug)"))
    assert "(6.0x)" in uncached and verdicts[uncached] is False
    table = "\n".join(_floor_ratios(results, [1])[0])
    assert "| 7.7× | 10.3× |" in table  # both floors shown


def test_runs_without_the_post_floors_are_judged_against_the_get():
    results = [_row("floor", "floor-a", 8000), _row("ours-nocache", "a-unseen", 780)]
    verdicts = _verdicts(results)
    unseen = next(k for k in verdicts if k.startswith("(a) as a text not seen before"))
    assert "(10.3x)" in unseen and verdicts[unseen] is False


def test_the_tables_say_how_many_runs_each_figure_is_the_best_of():
    results = [Result(scenario, server, 1, 5.0, 5 * rps, rps, 1000 / rps, 0, 0, 0, 0, {}, 0
                      ).as_dict()
               for server, scenario, rps in (("floor", "floor-a", 8000),
                                             ("ours-nocache", "a-side", 1000),
                                             ("ours", "a-warm", 6000),
                                             ("floor", "floor-post", 7000))]
    assert "best of 3 each" in "\n".join(_floor_ratios(results, [1], 3)[0])
    assert "best of 2 each" in "\n".join(_floor_ratios(results, [1])[0])  # older runs
    machine = dict(nproc=2, cpu="cpu", mem_gb=1, kernel="k", python="3", wrk="wrk")
    run = {"count": 10, "date": "d", "machine": machine, "command": "c", "duration_s": 5,
           "levels": [1], "http": {
        "results": results, "idle_rss_mb": {}, "probes": {}, "notes": [],
        "rounds_beside_floors": 3}}
    from bench.report import section
    text = section(run)
    assert "best of 3 runs each" in text and "best of 2" not in text
