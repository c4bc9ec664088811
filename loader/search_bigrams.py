"""The CJK bigrams of the full-text index, in a table of their own.

A term of one CJK character is found by the index through the bigrams that end
with it too (loader.tokens, match_expression). FTS5 lists its terms (fts5vocab)
only by reading its whole index, which the API did once per snapshot, in the
first request that needed them: 0.37 s at 10,000 of the benchmark's articles
and about 1 s on a store of 467,762 bigrams, while every other request of that
worker waited. So the loader keeps those terms in ``search_bigrams`` as (last
character, first character), and a request looks up the bigrams that end with
its character by the table's key.

The table holds exactly the index's terms of two CJK characters, as FTS5's
tokenizer keeps them (it splits on some of what loader.tokens counts as CJK,
such as ・ and the combining kana marks). A load into a new store (or a
rebuild) fills the table from the index's own terms once it is written. A load
into an existing store adds the bigrams of the articles it writes, and keeps
those of the articles it deletes: a bigram no longer in the index matches
nothing, so a search finds the same docs with the same scores.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from functools import lru_cache
from typing import Iterable

from .schema import BIGRAM_TABLE, FTS_TABLE, FTS_TOKENIZER
from .tokens import CJK_RANGES, is_cjk

# A token of two CJK characters in index_text's output (tokens joined by spaces).
_BIGRAM = re.compile(f"(?<![^ ])[{CJK_RANGES}]{{2}}(?![^ ])")


def write_from_index(conn: sqlite3.Connection) -> int:
    """Fill the table of a new store from its index's own terms (written by this
    transaction): cheaper than finding the bigrams of every article as it is
    written (0.2 ms an article in the benchmark's corpus). Returns how many."""
    conn.execute(f"CREATE VIRTUAL TABLE temp.index_terms USING fts5vocab(main, {FTS_TABLE}, row)")
    try:
        # CJK starts at U+3040 (loader.tokens.CJK_RANGES): the index's other
        # terms (Latin words, digits) are not read.
        terms = conn.execute("SELECT term FROM temp.index_terms WHERE term >= ?", ["\u3040"])
        rows = [(term[1], term[0]) for (term,) in terms
                if len(term) == 2 and is_cjk(term[0]) and is_cjk(term[1])]
    finally:
        conn.execute("DROP TABLE temp.index_terms")
    conn.executemany(f"INSERT INTO {BIGRAM_TABLE}(last, first) VALUES (?, ?)", sorted(rows))
    return len(rows)


def bigrams_of(tokens: Iterable[str]) -> str:
    """The distinct tokens of two CJK characters among index texts, sorted and
    concatenated (two characters each): cheap to send from a parse worker."""
    found: set[str] = set()
    for text in tokens:
        if not text.isascii():
            found.update(_BIGRAM.findall(text))
    return "".join(sorted(found))


def new_rows(bigrams: str, seen: set[str]) -> list[tuple[str, str]]:
    """(last, first) of each bigram of ``bigrams`` (as bigrams_of gives them) not
    in ``seen`` that the index holds as one term; adds them all to ``seen``."""
    rows = []
    for at in range(0, len(bigrams), 2):
        bigram = bigrams[at:at + 2]
        if bigram in seen:
            continue
        seen.add(bigram)
        if tokenizer_keeps(bigram[0]) and tokenizer_keeps(bigram[1]):
            rows.append((bigram[1], bigram[0]))
    return rows


# SQLite's own answer: a private in-memory table with the index's tokenizer, made
# in the process that asks (a connection must not cross a fork).
_PROBE: dict[int, sqlite3.Connection] = {}
_PROBE_LOCK = threading.Lock()


def _probe() -> sqlite3.Connection:
    conn = _PROBE.get(os.getpid())
    if conn is None:
        _PROBE.clear()
        conn = _PROBE[os.getpid()] = sqlite3.connect(":memory:", check_same_thread=False)
        conn.execute(f"CREATE VIRTUAL TABLE probe USING fts5(x, tokenize=\"{FTS_TOKENIZER}\")")
        conn.execute("CREATE VIRTUAL TABLE probe_terms USING fts5vocab(probe, row)")
    return conn


@lru_cache(maxsize=4096)
def tokenizer_keeps(char: str) -> bool:
    """Whether the index's tokenizer keeps ``char`` in a token (it splits on ・, on
    combining marks, and on what its Unicode tables are too old to know)."""
    with _PROBE_LOCK:
        probe = _probe()
        probe.execute("DELETE FROM probe")
        probe.execute("INSERT INTO probe(x) VALUES (?)", [char])
        return probe.execute("SELECT count(*) FROM probe_terms").fetchone()[0] > 0
