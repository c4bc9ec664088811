"""Which articles share tags, read once per snapshot: related articles without a statement.

``Article.related`` ranks the articles that share the most tags with an article,
then the newest. In SQL that is a self-join of the tags, grouped and sorted per
article, with each candidate's date looked up: every article of every tag the
article has is weighed. Where tags are few and common (an "AI" tag on most of the
articles of an AI-trends site), that is thousands of rows per article: 4 to 10 ms
per article at 10,000 of the benchmark's articles (14 tags), and a page of twenty
articles with their related ones took 109 ms.

This module reads the tags and the date order once per snapshot (18 to 27 ms at
10,000 articles, 3.1 MB held, by tracemalloc) and ranks in memory, 0.2 ms an
article: the same answer, tested against the statement it replaced
(tests/api/test_navigation.py).
"""

from __future__ import annotations

import heapq
import sqlite3
from array import array
from collections import Counter

from api import store


class SharedTags:
    """The tags of one snapshot's articles, and the articles in date order."""

    def __init__(self, newest: array, tags_of: dict[int, tuple[str, ...]],
                 articles_of: dict[str, array]) -> None:
        self.newest = newest  # article ids, newest first (date DESC, id DESC)
        self._place = {article_id: place for place, article_id in enumerate(newest)}
        self._tags_of = tags_of  # article id -> folded tags, as stored (repeats kept)
        self._articles_of = articles_of  # folded tag -> ids of the articles with it

    @classmethod
    def read(cls, conn: sqlite3.Connection) -> "SharedTags":
        token = store.deadline.set(None)  # kept for the snapshot: read it whole
        try:
            newest = array("q", (row[0] for row in conn.execute(
                "SELECT id FROM articles ORDER BY date DESC, id DESC")))
            tags_of: dict[int, list[str]] = {}
            articles_of: dict[str, array] = {}
            for article_id, folded in conn.execute("SELECT article_id, folded FROM article_tags"):
                tags_of.setdefault(article_id, []).append(folded)
                articles_of.setdefault(folded, array("q")).append(article_id)
        finally:
            store.deadline.reset(token)
        return cls(newest, {key: tuple(tags) for key, tags in tags_of.items()}, articles_of)

    def related(self, article_id: int, first: int) -> list[int]:
        """Up to ``first`` ids: the articles sharing the most tags with ``article_id``
        (a tag met twice counts twice, as the statement's join counted it), then the
        newest; ties by date, then id, newest first; never the article itself."""
        shared: Counter[int] = Counter()
        for tag in self._tags_of.get(article_id, ()):
            shared.update(self._articles_of[tag])
        shared.pop(article_id, None)
        place = self._place
        found = [target for target, _ in heapq.nsmallest(
            first, shared.items(), key=lambda item: (-item[1], place[item[0]]))]
        if len(found) < first:
            taken = set(found) | {article_id}
            for other in self.newest:
                if len(found) == first:
                    break
                if other not in taken:
                    found.append(other)
        return found


def shared_tags_of(conn: sqlite3.Connection) -> SharedTags:
    """The tags ``conn`` reads, read once per connection (a snapshot) where it can
    keep them (api.store.ReadOnlyConnection)."""
    found = getattr(conn, "shared_tags", None)
    if found is None:
        found = SharedTags.read(conn)
        if hasattr(conn, "shared_tags"):
            conn.shared_tags = found
    return found
