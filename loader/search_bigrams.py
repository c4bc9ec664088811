"""The CJK bigrams of the full-text index, in a table of their own.

A term of one CJK character is found by the index through the bigrams that end
with it too (loader.tokens, match_expression). FTS5 lists its terms (fts5vocab)
only by reading its whole index, which the API did once per snapshot, in the
first request that needed them: 0.37 s at 10,000 of the benchmark's articles
and about 1 s on a store of 467,762 bigrams, while every other request of that
worker waited. So the loader keeps those terms in ``search_bigrams``: a row per
character with the first characters of the bigrams that end with it (``firsts``,
in code point order), which a request looks up by the table's key. A row a
bigram would take 19 MB in a store of 52 MB with 1.38 million bigrams (random
text); a row a character, 4.9 MB.

The table holds the index's terms of two CJK characters, as FTS5's tokenizer
keeps them (it splits on some of what loader.tokens counts as CJK, such as ・
and the combining kana marks). A load into a new store (or a rebuild) fills it
from the index's own terms once they are written. A load into an existing store
adds the bigrams of the articles it writes, and removes those of the articles it
deletes that the index no longer holds.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from functools import lru_cache
from typing import Iterable

from .schema import BIGRAM_TABLE, FTS_TABLE, FTS_TOKENIZER
from .tokens import CJK_RANGES

# A token of two CJK characters in index_text's output (tokens joined by spaces).
_BIGRAM = re.compile(f"(?<![^ ])[{CJK_RANGES}]{{2}}(?![^ ])")
_TWO_CJK = re.compile(f"[{CJK_RANGES}]{{2}}")


def write_from_index(conn: sqlite3.Connection) -> int:
    """Fill the table of a new store from its index's own terms (written by this
    transaction): cheaper than finding the bigrams of every article as it is
    written (0.2 ms an article in the benchmark's corpus). Returns how many."""
    conn.execute(f"CREATE VIRTUAL TABLE temp.index_terms USING fts5vocab(main, {FTS_TABLE}, row)")
    firsts: dict[str, list[str]] = {}
    try:
        # CJK starts at U+3040 (loader.tokens.CJK_RANGES): the index's other
        # terms (Latin words, digits) are not read. Terms come in code point
        # order, so each character's firsts do too.
        for (term,) in conn.execute("SELECT term FROM temp.index_terms "
                                    "WHERE term >= ? AND length(term) = 2", ["\u3040"]):
            if _TWO_CJK.fullmatch(term):
                firsts.setdefault(term[1], []).append(term[0])
    finally:
        conn.execute("DROP TABLE temp.index_terms")
    conn.executemany(f"INSERT INTO {BIGRAM_TABLE}(last, firsts) VALUES (?, ?)",
                     sorted((last, "".join(chars)) for last, chars in firsts.items()))
    return sum(map(len, firsts.values()))


# Looking for a bigram in the index took 55 to 140 µs; reading all its CJK terms
# again, 0.3 s at 10,000 of the benchmark's articles (709 bigrams) and 3.4 to 3.6 s
# for 1.3 million bigrams of random text, about 2.6 µs a bigram. So a load looks for
# at most this many, or one for every 40 bigrams of the table, whichever is more,
# and reads the terms again past that.
_CHECKS_AT_MOST = 2000
_BIGRAMS_A_CHECK = 40


def drop_gone(conn: sqlite3.Connection, candidates: set[str]) -> int:
    """Remove from the table those of ``candidates`` (bigrams of deleted search
    entries that no written one has) that the index no longer holds; returns how
    many. A bigram that matches nothing still costs every search for its character
    a look into the index (45 µs), so none is left behind."""
    kept = [bigram for bigram in candidates if _a_term(bigram)]
    if len(kept) > _CHECKS_AT_MOST:
        before = conn.execute(f"SELECT coalesce(sum(length(firsts)), 0) FROM {BIGRAM_TABLE}"
                              ).fetchone()[0]
        if len(kept) > before // _BIGRAMS_A_CHECK:
            conn.execute(f"DELETE FROM {BIGRAM_TABLE}")
            return before - write_from_index(conn)
    dropped: dict[str, set[str]] = {}
    for bigram in kept:
        if conn.execute(f"SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? LIMIT 1",
                        [f'"{bigram}"']).fetchone() is None:
            dropped.setdefault(bigram[1], set()).add(bigram[0])
    if not dropped:
        return 0
    updates, gone = [], 0
    for last, firsts in _rows(conn, dropped).items():
        left = "".join(first for first in firsts if first not in dropped[last])
        gone += len(firsts) - len(left)
        updates.append((left, last))
    conn.executemany(f"UPDATE {BIGRAM_TABLE} SET firsts = ? WHERE last = ?", updates)
    conn.execute(f"DELETE FROM {BIGRAM_TABLE} WHERE firsts = ''")
    return gone


def bigrams_of(tokens: Iterable[str]) -> set[str]:
    """The distinct tokens of two CJK characters among index texts (index_text's
    output: tokens joined by spaces)."""
    found: set[str] = set()
    for text in tokens:
        if not text.isascii():
            found.update(_BIGRAM.findall(text))
    return found


def add_bigrams(conn: sqlite3.Connection, bigrams: set[str]) -> int:
    """Add to the table those of ``bigrams`` (of articles being written) that the
    index holds as one term; returns how many were new."""
    added: dict[str, set[str]] = {}
    for bigram in bigrams:
        if _a_term(bigram):
            added.setdefault(bigram[1], set()).add(bigram[0])
    if not added:
        return 0
    kept = _rows(conn, added)
    rows, new = [], 0
    for last, firsts in sorted(added.items()):
        before = kept.get(last, "")
        fresh = "".join(first for first in firsts if first not in before)
        if fresh:  # only the rows that change are written again
            rows.append((last, "".join(sorted(before + fresh))))
            new += len(fresh)
    conn.executemany(f"INSERT OR REPLACE INTO {BIGRAM_TABLE}(last, firsts) VALUES (?, ?)", rows)
    return new


def _rows(conn: sqlite3.Connection, lasts) -> dict[str, str]:
    """The table's rows (last -> firsts) for the characters ``lasts``."""
    return dict(conn.execute(f"SELECT last, firsts FROM {BIGRAM_TABLE} WHERE last IN "
                             "(SELECT value FROM json_each(?))",
                             [json.dumps(sorted(lasts), ensure_ascii=False)]).fetchall())


def _a_term(bigram: str) -> bool:
    """Whether the index holds ``bigram`` as one term (its tokenizer keeps both)."""
    return tokenizer_keeps(bigram[0]) and tokenizer_keeps(bigram[1])


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


@lru_cache(maxsize=None)  # asked only about CJK characters: at most about 100,000
def tokenizer_keeps(char: str) -> bool:
    """Whether the index's tokenizer keeps ``char`` in a token (it splits on ・, on
    combining marks, and on what its Unicode tables are too old to know)."""
    with _PROBE_LOCK:
        probe = _probe()
        probe.execute("DELETE FROM probe")
        probe.execute("INSERT INTO probe(x) VALUES (?)", [char])
        return probe.execute("SELECT count(*) FROM probe_terms").fetchone()[0] > 0
