"""What an article page needs besides the article: its neighbours in date order
and related articles. Each is loaded for the article's whole family (a page
of articles, say) in one or two statements, not one per article."""

from __future__ import annotations

import json
import sqlite3

from typing import Callable

from api import queries
from api.loaders import adopt, check_deadline, family_lookup
from api.shared_tags import shared_tags_of
from loader.keys import LIST

_COLUMNS = ", ".join("a." + c for c in queries.ARTICLE_COLUMNS.split(", "))

# Neighbours in (date, id) order, the order of `articles(orderBy: DATE_ASC)`. Each
# is a seek or two on the (date, id) index from its source, whatever the store's
# size: a window over every article took 15.0 ms for one article at 10,000
# articles. The same date with a nearer id comes first, then the nearest other
# date; a single comparison of (date, id) pairs is bounded by the date alone, and
# walked every article of the source's date.
_NEIGHBOURS = f"""
SELECT s.id AS source, 'previous' AS side, {_COLUMNS}
  FROM articles s JOIN articles a ON a.id = coalesce(
    (SELECT p.id FROM articles p WHERE p.date = s.date AND p.id < s.id
      ORDER BY p.id DESC LIMIT 1),
    (SELECT p.id FROM articles p WHERE p.date < s.date ORDER BY p.date DESC, p.id DESC LIMIT 1))
  WHERE s.id IN {queries.IDS}
UNION ALL
SELECT s.id AS source, 'next' AS side, {_COLUMNS}
  FROM articles s JOIN articles a ON a.id = coalesce(
    (SELECT n.id FROM articles n WHERE n.date = s.date AND n.id > s.id ORDER BY n.id LIMIT 1),
    (SELECT n.id FROM articles n WHERE n.date > s.date ORDER BY n.date, n.id LIMIT 1))
  WHERE s.id IN {queries.IDS}
"""

def neighbours(conn: sqlite3.Connection, ids: list[int]) -> dict[tuple[int, str], sqlite3.Row]:
    """(article id, 'previous' | 'next') -> the neighbouring article's row."""
    rows = conn.execute(_NEIGHBOURS, [json.dumps(ids)] * 2).fetchall()
    return {(row["source"], row["side"]): row for row in rows}


def related(conn: sqlite3.Connection, ids: list[int], first: int) -> dict[int, list[sqlite3.Row]]:
    """Article id -> up to ``first`` related articles: those sharing the most tags,
    then the newest others, never the article itself (api.shared_tags ranks them)."""
    ranking = shared_tags_of(conn)
    ranked = {}
    for source in ids:
        check_deadline()  # ranking is Python, which SQLite's progress handler cannot stop
        ranked[source] = ranking.related(source, first)
    wanted = sorted({target for targets in ranked.values() for target in targets})
    rows = {row["id"]: row for row in queries.rows_by(conn, "articles", "id", wanted)}
    # A store read unpinned (rollback-journal mode) may lose an article after its
    # ranking was read: it is left out rather than failing the request.
    return {source: [rows[target] for target in targets if target in rows]
            for source, targets in ranked.items()}


def _wrapped(found: dict, wrap: Callable) -> dict:
    """The rows as objects of one family (their own relations load together)."""
    built: dict[int, object] = {}
    rows = [r for value in found.values() for r in (value if isinstance(value, list) else [value])]
    adopt([built.setdefault(r["id"], wrap(r)) for r in rows])
    return {key: [built[r["id"]] for r in value] if isinstance(value, list) else built[value["id"]]
            for key, value in found.items()}


def _recorded(info, found: dict) -> dict:
    """Neighbours and related articles depend on the whole collection (dates, tags
    of every article): the response reads ``list`` and each article found."""
    reads = info.context.reads
    reads.collections.add(LIST)
    for value in found.values():
        reads.articles(value if isinstance(value, list) else [value])
    return found


def neighbour_of(info, article, side: str, wrap: Callable):
    found = family_lookup(info.context.loaders, article, ("neighbours", wrap), lambda ids: _wrapped(
        _recorded(info, neighbours(info.context.snapshot.conn, ids)), wrap))
    return found.get((article.row["id"], side))


def related_of(info, article, first: int, wrap: Callable) -> list:
    found = family_lookup(info.context.loaders, article, ("related", first, wrap),
                          lambda ids: _wrapped(_recorded(
                              info, related(info.context.snapshot.conn, ids, first)), wrap))
    return found.get(article.row["id"], [])
