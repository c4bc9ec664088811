"""Texts that come back in turns: (a) written with a literal slug, for many slugs.

A client that writes the slug into its query text (``article(slug: "…")``)
sends one text per article, and each comes back whenever its article is read
again: the parser cache keeps it from its second sight (api.documents). This
runs K such texts in turns, in process as bench/inprocess.py does (parse,
then api.prepared.execute_request, in an event loop already running), and
prints the mean milliseconds per request of each round, for each K. One text
(K=1) is what a client sending variables costs; a text seen once costs what
the in-process row "(a) as a text not seen before" shows.

    python -m bench.texts_in_turns DB [K ...]      # default K: 1 100 600 3000
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from api.app import tune_collector
from api.config import Settings
from api.store import Snapshot
from bench import inprocess, queries

ROUNDS = 4


def literal_texts(slugs: list[str], count: int) -> list[str]:
    """``count`` texts of (a), each with a literal slug (a comment makes texts
    beyond the number of articles distinct)."""
    query = queries.ARTICLE.replace("query Article($slug: String!)", "query Article") \
        .replace("article(slug: $slug)", "article(slug: {slug})")
    if "{slug}" not in query:
        raise RuntimeError("bench.queries.ARTICLE no longer has the shape this expects")
    return [query.replace("{slug}", f'"{slugs[n % len(slugs)]}"')
            + (f"\n# {n}" if n >= len(slugs) else "") for n in range(count)]


def measure(db: Path, counts: list[int], least: int = 1000) -> dict[int, list[float]]:
    """Milliseconds per request, round by round, for each number of texts; a round
    sends every text once, and at least ``least`` requests."""
    settings = Settings(db_path=db)
    snapshot = Snapshot.open(db)
    run = inprocess.executor(settings, snapshot)
    tune_collector(settings)
    slugs = [row[0] for row in snapshot.conn.execute("SELECT slug FROM articles ORDER BY id")]
    results = {}
    for count in counts:
        texts = literal_texts(slugs, count)
        turn = itertools.cycle(texts)
        requests = max(count, least)
        results[count] = [run.timed(lambda: next(turn), None, requests) / requests * 1000
                          for _ in range(ROUNDS)]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("counts", type=int, nargs="*", default=[1, 100, 600, 3000])
    args = parser.parse_args()
    for count, rounds in measure(args.db, args.counts).items():
        print(f"{count} texts in turns: " + ", ".join(f"{ms:.3f}" for ms in rounds)
              + " ms per request, round by round")


if __name__ == "__main__":
    main()
