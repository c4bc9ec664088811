"""What Python's cyclic garbage collector costs a request, in process.

    python -m bench.gc_cost DB [--requests N] [--python-threshold]

Runs the benchmark's (a) ``article(slug)`` N times as a text the server keeps,
then N times as texts it has not seen (a new comment each time), through
bench.inprocess's executor (what the endpoint does, without HTTP), and reports
per request: the wall time, the time spent in the collector's passes (timed by
``gc.callbacks``), how many passes of each generation ran, and how many objects
they found unreachable (objects that a reference cycle kept from being freed
when their last outside reference went). The collector is set as a served
process's (``api.app.tune_collector``) unless ``--python-threshold`` keeps
Python's own first threshold (700).
"""

from __future__ import annotations

import argparse
import gc
import time
from dataclasses import dataclass
from pathlib import Path

from api.app import tune_collector
from api.config import Settings
from api.store import Snapshot
from bench import queries
from bench.inprocess import executor, first_slug, unseen_texts


@dataclass
class Cost:
    label: str
    requests: int
    request_us: float
    collector_us: float
    passes: tuple[int, int, int]
    unreachable_total: int  # objects the passes found unreachable, in all the requests


class _Collector:
    """Time and outcome of the collector's passes, from gc.callbacks."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.passes = [0, 0, 0]
        self.unreachable = 0
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        self.seconds += time.perf_counter() - self._started
        self.passes[info["generation"]] += 1
        self.unreachable += info["collected"] + info["uncollectable"]


def measure(db: Path, requests: int = 2000, served: bool = True) -> list[Cost]:
    snapshot = Snapshot.open(db)
    slug = first_slug(snapshot)
    run = executor(Settings(db_path=db), snapshot)
    if served:
        tune_collector(Settings(db_path=db))
    fresh = unseen_texts()
    cases = [("(a), a text the server keeps", lambda: queries.ARTICLE),
             ("(a), a text not seen before", lambda: fresh(queries.ARTICLE))]
    costs = []
    for label, text in cases:
        for _ in range(100):  # warm: kept texts proven, plans written out
            run(text(), {"slug": slug})
        collector = _Collector()
        gc.callbacks.append(collector)
        try:
            started = time.perf_counter()
            run.timed(text, {"slug": slug}, requests)
            seconds = time.perf_counter() - started
        finally:
            gc.callbacks.remove(collector)
        costs.append(Cost(label, requests, seconds / requests * 1e6,
                          collector.seconds / requests * 1e6, tuple(collector.passes),
                          collector.unreachable))
    snapshot.conn.close()
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--python-threshold", action="store_true",
                        help="keep Python's own collector settings")
    args = parser.parse_args()
    for cost in measure(args.db, args.requests, served=not args.python_threshold):
        print(f"{cost.label}: {cost.request_us:.0f} µs a request, of which {cost.collector_us:.1f} "
              f"µs in the collector's passes (generations 0/1/2: "
              f"{'/'.join(map(str, cost.passes))} in {cost.requests} requests); "
              f"{cost.unreachable_total} objects found unreachable in {cost.requests} requests")


if __name__ == "__main__":
    main()
