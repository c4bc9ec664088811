"""In-process ratios: the API's execution of (a) and (b) against the data floor.

Both run in this one process, side by side, on the same store, interleaved
round by round so that a noisy neighbour slows both alike. The API side is
what the endpoint does for an uncached POST, without HTTP: parse (api.documents),
execute (api.prepared.execute_request), orjson; with compiled execution on and,
for comparison, off. The API's requests of a round run one after the other in
an event loop already running, as a server's do (until 1ec3b3b each request
started and stopped a loop of its own, which no server does). Before timing,
the floor's data is checked to be the API's own, byte for byte.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import orjson
from graphql import GraphQLError
from strawberry.types.graphql import OperationType

from api import prepared
from api.app import tune_collector
from api.config import Settings
from api.loaders import Context
from api.schema import build_schema
from api.store import Snapshot
from bench import data_floor, queries

ALLOWED = (OperationType.QUERY,)


def executor(settings: Settings, snapshot: Snapshot):
    """``run(query, variables) -> bytes``: what the endpoint does for an uncached POST,
    without HTTP. ``run.timed(text, variables, repeat)`` gives the seconds of
    ``repeat`` such requests (``text()`` gives each one's query text) run one
    after the other in one task, as a server runs them: in an event loop already
    running, so that starting and stopping the loop is not counted."""
    schema = build_schema(settings)
    loop = asyncio.new_event_loop()

    async def answer(query: str, variables: dict | None) -> bytes:
        # As the endpoint does: parse once (api.documents), then execute, a
        # proven document past Strawberry's steps (api.prepared).
        try:
            document = schema.documents.parse(query, max_tokens=settings.max_tokens)
        except GraphQLError as error:
            document = error
        context = Context(snapshot=snapshot, settings=settings, request_id="bench",
                          document=document)
        result = await prepared.execute_request(
            schema, settings, query, variables, None, context, ALLOWED)
        assert not result.errors, result.errors
        return orjson.dumps({"data": result.data})

    def run(query: str, variables: dict | None) -> bytes:
        return loop.run_until_complete(answer(query, variables))

    def timed(text, variables: dict | None, repeat: int) -> float:
        async def requests() -> float:
            start = time.perf_counter()
            for _ in range(repeat):
                await answer(text(), variables)
            return time.perf_counter() - start
        return loop.run_until_complete(requests())

    run.timed = timed
    return run


def first_slug(snapshot: Snapshot) -> str:
    """The slug the in-process measurements ask (a) for."""
    return snapshot.conn.execute("SELECT slug FROM articles ORDER BY id LIMIT 1").fetchone()[0]


def unseen_texts():
    """``fresh(query)``: the query with a new comment each call, a text the parser
    and validation caches have not seen (outside its selections, so it shares
    their plans: api.compiled.SelectionPlans)."""
    counter = itertools.count()

    def fresh(query: str) -> str:
        return f"{query}\n# {next(counter)}"
    return fresh


def measure(db: Path, rounds: int = 30, served: bool = False) -> list[dict]:
    snapshot = Snapshot.open(db)
    slug = first_slug(snapshot)
    compiled = executor(Settings(db_path=db), snapshot)
    standard = executor(Settings(db_path=db, compiled_execution=False), snapshot)
    if served:  # the collector set as a served process's is (api.app.app_from_env)
        tune_collector(Settings(db_path=db))
    fresh = unseen_texts()

    cases = [
        ("(a) article(slug)", queries.ARTICLE, {"slug": slug},
         lambda: data_floor.article(snapshot.conn, slug), 20, lambda q: q),
        ("(b) articles(first: 100)", queries.ARTICLES, None,
         lambda: data_floor.articles(snapshot.conn), 1, lambda q: q),
        ("(a) as a text not seen before (parse and validate each time)", queries.ARTICLE,
         {"slug": slug}, lambda: data_floor.article(snapshot.conn, slug), 10, fresh),
    ]
    rows = []
    for name, query, variables, floor, repeat, text in cases:
        ours = compiled(text(query), variables)
        if ours != floor() or ours != standard(text(query), variables):
            raise AssertionError(f"{name}: the floor, compiled and standard data differ")
        timings: dict[str, list[float]] = {"floor": [], "compiled": [], "standard": []}
        for _ in range(rounds):  # interleaved: each round times all three
            start = time.perf_counter()
            for _ in range(repeat):
                floor()
            timings["floor"].append((time.perf_counter() - start) / repeat * 1000)
            for label, api in (("compiled", compiled), ("standard", standard)):
                seconds = api.timed(lambda: text(query), variables, repeat)
                timings[label].append(seconds / repeat * 1000)
        medians = {label: statistics.median(values) for label, values in timings.items()}
        rows.append({"query": name, "floor_ms": medians["floor"],
                     "compiled_ms": medians["compiled"], "standard_ms": medians["standard"],
                     "compiled_ratio": medians["compiled"] / medians["floor"],
                     "standard_ratio": medians["standard"] / medians["floor"]})
    return rows


# Issue targets for compiled execution against the data floor, in process.
TARGETS = {"(a) article(slug)": 2.0, "(b) articles(first: 100)": 3.0,
           "(a) as a text not seen before (parse and validate each time)": 8.0}


def report_lines(rows: list[dict]) -> tuple[list[str], dict[str, bool]]:
    """BENCHMARKS.md lines for measure()'s rows, and each target's verdict."""
    lines = ["| query | data floor ms | compiled ms | × floor | graphql-core executor ms | "
             "× floor | target |", "|---|--:|--:|--:|--:|--:|---|"]
    verdict = {}
    for row in rows:
        target = TARGETS.get(row["query"])
        lines.append(f"| {row['query']} | {row['floor_ms']:.2f} | {row['compiled_ms']:.2f} | "
                     f"{row['compiled_ratio']:.1f}× | {row['standard_ms']:.2f} | "
                     f"{row['standard_ratio']:.1f}× | ≤ {target:g}× |")
        if target is not None:
            verdict[f"in process, {row['query']}: compiled within {target:g}× of the data floor "
                    f"({row['compiled_ratio']:.1f}×)"] = row["compiled_ratio"] <= target
    return lines, verdict


def measure_apart(db: Path) -> list[dict]:
    """measure() in a fresh process: the bench's own process holds what its loader
    runs left behind, and the garbage collector's passes over it fell on whichever
    side allocated most (the floor of (b) ran at twice its time)."""
    return in_fresh_process("bench.inprocess", db)


def in_fresh_process(module: str, db: Path) -> list[dict]:
    """The rows ``python -m <module> <db> --json`` prints."""
    completed = subprocess.run([sys.executable, "-m", module, str(db), "--json"],
                               capture_output=True, text=True, check=True, timeout=1800)
    return json.loads(completed.stdout)


if __name__ == "__main__":
    if "--json" in sys.argv:
        print(json.dumps(measure(Path(sys.argv[1]), served=True)))
        sys.exit(0)
    for row in measure(Path(sys.argv[1]), served=True):
        print(f"{row['query']}: floor {row['floor_ms']:.2f} ms, compiled {row['compiled_ms']:.2f} ms "
              f"({row['compiled_ratio']:.1f}x), standard {row['standard_ms']:.2f} ms "
              f"({row['standard_ratio']:.1f}x)")
