"""Query shapes beyond (a) and (b), in process: what a list, a filter, a page deep in
a list or a search costs on the benchmark's store, uncached.

No shape has a target: the table is there to show that none of them grows with
the store where it should not (each once did: counts with every join, a year
filter sorted, a deep cursor walked, a one-character search scanned every text,
an article's neighbours ranked every article;
docs/operating/performance.md#reading-a-requests-data).

    python -m bench.shapes bench/out/bench-10000.db
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from api.config import Settings
from api.store import Snapshot
from bench.inprocess import executor, in_fresh_process

ROUNDS = 5


def _deep_cursor(run, field: str, pages: int) -> str:
    """The cursor ``pages`` pages of 100 into ``field`` (or at its end)."""
    cursor = None
    for _ in range(pages):
        after = f', after: "{cursor}"' if cursor else ""
        page = json.loads(run(f"{{ {field}(first: 100{after}) {{ pageInfo {{ endCursor "
                              "hasNextPage } } }", None))["data"][field]["pageInfo"]
        cursor = page["endCursor"] or cursor
        if not page["hasNextPage"]:
            break
    return cursor


def shapes(run, snapshot: Snapshot) -> list[tuple[str, str]]:
    """(name, query) of each shape, with values taken from the store."""
    year = snapshot.conn.execute("SELECT year FROM articles GROUP BY year "
                                 "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    tag = snapshot.conn.execute("SELECT tag FROM article_tags GROUP BY folded "
                                "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    slug = snapshot.conn.execute("SELECT slug FROM articles ORDER BY date, id "
                                 "LIMIT 1 OFFSET (SELECT count(*) / 2 FROM articles)").fetchone()[0]
    tagged = snapshot.conn.execute(  # whose tags the most articles share: the most to weigh
        "SELECT a.slug FROM articles a JOIN article_tags t ON t.article_id = a.id "
        "JOIN (SELECT folded, count(*) AS n FROM article_tags GROUP BY folded) f "
        "ON f.folded = t.folded GROUP BY a.id ORDER BY sum(f.n) DESC, a.id LIMIT 1").fetchone()[0]
    deep = _deep_cursor(run, "routes", 50)
    return [
        ("routes, a page", "{ routes(first: 20) { nodes { name } } }"),
        ("advice, a page and its count", "{ advice(first: 20) { nodes { text } totalCount } }"),
        ("trends of the commonest year, and their count",
         f"{{ trends(first: 20, filter: {{article: {{year: {year}}}}}) "
         "{ nodes { title } totalCount } }"),
        ("articles of the commonest tag, and their count",
         f'{{ articles(first: 20, filter: {{tags: ["{tag}"]}}) '
         "{ nodes { slug } totalCount } }"),
        ("routes, 5,000 deep (first, after)",
         f'{{ routes(first: 20, after: "{deep}") {{ nodes {{ name }} }} }}'),
        ("routes, 5,000 deep (last, before)",
         f'{{ routes(last: 20, before: "{deep}") {{ nodes {{ name }} }} }}'),
        ("an article's neighbours in date order",
         f'{{ article(slug: "{slug}") {{ previous {{ slug }} next {{ slug }} }} }}'),
        ("an article's five related articles (the one whose tags the most share)",
         f'{{ article(slug: "{tagged}") {{ related(first: 5) {{ slug }} }} }}'),
        ("search, a two-character term", '{ search(query: "芯片", first: 20) '
                                         "{ totalCount nodes { snippet } } }"),
        ("search, one character", '{ search(query: "芯", first: 20) '
                                  "{ totalCount nodes { snippet } } }"),
        ("trends filtered by one character (型, as in 模型)",
         '{ trends(first: 20, filter: {query: "型"}) { nodes { title } totalCount } }'),
        # Costs that follow the number of hits, not the store: a common word.
        ("routes whose pros mention a common word (成本), and their count",
         '{ routes(first: 20, filter: {pros: "成本"}) { nodes { name } totalCount } }'),
        ("search, a common English word (model)",
         '{ search(query: "model", first: 20) { totalCount nodes { snippet } } }'),
        # No index holds punctuation: every text is read (once) for it.
        ("search, punctuation alone (++)",
         '{ search(query: "++", first: 20) { totalCount nodes { snippet } } }'),
        ("search, a term with punctuation (为代表，能耗: the comma as written)",
         '{ search(query: "为代表，能耗", first: 20) { totalCount nodes { snippet } } }'),
        ("a page of twenty articles with their neighbours and related articles",
         "{ articles(first: 20) { nodes { previous { slug } next { slug } "
         "related(first: 5) { slug } } } }"),
    ]


def measure(db: Path) -> list[dict]:
    snapshot = Snapshot.open(db)
    run = executor(Settings(db_path=db), snapshot)
    rows = []
    for name, query in shapes(run, snapshot):
        started = time.perf_counter()
        body = run(query, None)  # a first run of its own: what it reads once a snapshot
        first = time.perf_counter() - started
        timings = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            run(query, None)
            timings.append(time.perf_counter() - started)
        rows.append({"shape": name, "first_ms": first * 1000,
                     "median_ms": statistics.median(timings) * 1000, "bytes": len(body)})
    snapshot.close()
    return rows


def measure_apart(db: Path) -> list[dict]:
    """measure() in a fresh process (see bench.inprocess.measure_apart)."""
    return in_fresh_process("bench.shapes", db)


def report_lines(rows: list[dict]) -> list[str]:
    lines = ["| shape | first ms | then, median ms | bytes |", "|---|--:|--:|--:|"]
    for row in rows:
        lines.append(f"| {row['shape']} | {row['first_ms']:.2f} | {row['median_ms']:.2f} | "
                     f"{row['bytes']:,} |")
    return lines


if __name__ == "__main__":
    measured = measure(Path(sys.argv[1]))
    if "--json" in sys.argv:
        print(json.dumps(measured))
    else:
        print("\n".join(report_lines(measured)))
