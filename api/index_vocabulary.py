"""What the full-text index holds of CJK text, for finding one character anywhere.

The index holds CJK text as bigrams (loader/tokens.py), so a character at the
end of a run (片 in 芯片) is in no token that starts with it: only a bigram that
ends with it holds it. This module reads the index's vocabulary (an fts5vocab
table, temp.search_vocabulary, made by api.store) once per snapshot and keeps,
compactly, the first characters of the bigrams ending with each character. And
it asks SQLite which characters the index's tokenizer keeps: unicode61 splits on
some of what loader/tokens.py counts as CJK, such as ・ and the combining kana
marks, which the index then cannot find.

Reading the vocabulary reads the whole index: 0.37 s at 10,000 of the
benchmark's articles (709 bigrams), about 1 s for 5,000 texts of 300 characters
drawn from 3,500 characters (467,762 bigrams). It runs without the request's
deadline, so that one slow read is kept for the snapshot rather than cut off and
tried again by every request.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from functools import lru_cache

from api import store
from loader.schema import FTS_TOKENIZER
from loader.tokens import is_cjk


class IndexVocabulary:
    """The bigram endings of one snapshot's index."""

    def __init__(self, firsts: dict[str, str]) -> None:
        self._firsts = firsts  # last character -> the first characters of its bigrams

    def endings(self, char: str) -> list[str]:
        """The index's bigrams that end with ``char``."""
        return [first + char for first in self._firsts.get(char, "")]

    @classmethod
    def read(cls, conn: sqlite3.Connection) -> "IndexVocabulary":
        firsts: dict[str, list[str]] = {}
        token = store.deadline.set(None)  # kept for the snapshot: read it whole
        try:
            for (term,) in conn.execute("SELECT term FROM temp.search_vocabulary"):
                if len(term) == 2 and is_cjk(term[0]) and is_cjk(term[1]):
                    firsts.setdefault(term[1], []).append(term[0])
        finally:
            store.deadline.reset(token)
        return cls({char: "".join(chars) for char, chars in firsts.items()})


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


def vocabulary_of(conn: sqlite3.Connection | None) -> IndexVocabulary | None:
    """The vocabulary of the index ``conn`` reads, read once per connection (a
    snapshot); None without the vocabulary table (or a connection)."""
    if conn is None or not getattr(conn, "search_vocabulary", False):
        return None
    vocabulary = getattr(conn, "index_vocabulary", None)
    if vocabulary is None:
        vocabulary = conn.index_vocabulary = IndexVocabulary.read(conn)
    return vocabulary
