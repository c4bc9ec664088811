"""What the full-text index holds of CJK text, for finding one character anywhere.

The index holds CJK text as bigrams (loader/tokens.py), so a character at the
end of a run (片 in 芯片) is in no token that starts with it: only a bigram that
ends with it holds it. The loader keeps the index's bigrams in a table of their
own (loader.search_bigrams), and a request looks up those ending with its
character there, in its own snapshot.

A store written before that table existed is read as it was then: its
vocabulary (an fts5vocab table, temp.search_vocabulary, made by api.store) is
read once per snapshot and kept compactly, as the first characters of the
bigrams ending with each character. That reads the whole index: 0.37 s at
10,000 of the benchmark's articles, about 1 s for 5,000 texts of 300 characters
drawn from 3,500 characters (467,762 bigrams). It runs without the request's
deadline, so that one slow read is kept for the snapshot rather than cut off and
tried again by every request.
"""

from __future__ import annotations

import sqlite3

from api import store
from loader.schema import BIGRAM_TABLE
from loader.tokens import is_cjk

_ENDINGS = f"SELECT firsts FROM {BIGRAM_TABLE} WHERE last = ?"


class StoredBigrams:
    """The bigram endings of a store that keeps its bigrams (loader.search_bigrams)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def endings(self, char: str) -> list[str]:
        """The index's bigrams that end with ``char``."""
        row = self._conn.execute(_ENDINGS, (char,)).fetchone()
        return [first + char for first in row[0]] if row else []


class IndexVocabulary:
    """The bigram endings of one snapshot's index, read from its vocabulary."""

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


def vocabulary_of(conn: sqlite3.Connection | None) -> StoredBigrams | IndexVocabulary | None:
    """The bigram endings of the index ``conn`` reads, kept per connection (a
    snapshot); None without a full-text index (or a connection)."""
    if conn is None or not getattr(conn, "search_vocabulary", False):
        return None
    vocabulary = getattr(conn, "index_vocabulary", None)
    if vocabulary is None:
        vocabulary = conn.index_vocabulary = StoredBigrams(conn) \
            if getattr(conn, "bigram_table", False) else IndexVocabulary.read(conn)
    return vocabulary
