"""Read-only, set-based SQL over the content store.

Every function takes the snapshot's connection and returns rows. Lists of ids
are passed as one JSON parameter (``IN (SELECT value FROM json_each(?))``), so
a batch of any size is one statement with a constant text that SQLite's
statement cache can reuse.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import orjson

from api import search
from api.pagination import Order
from loader.fold import fold

IDS = "(SELECT value FROM json_each(?))"


@dataclass
class Where:
    """A conjunction of SQL conditions with their parameters, the table aliases they
    read (a count joins only those: Source.count_from), and the filter's values as
    the client gave them (what a cursor is signed with: api.pagination.signature).

    Not the SQL: a one-character search's expression lists bigrams from the index's
    vocabulary (api.index_vocabulary), which a content load changes, and a cursor
    must stay valid across loads."""

    clauses: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)
    aliases: set[str] = field(default_factory=set)
    identity: list = field(default_factory=list)

    def add(self, alias: str, clause: str, *params) -> None:
        self.clauses.append(clause)
        self.params.extend(params)
        self.aliases.add(alias)

    def extend(self, other: "Where") -> None:
        self.clauses.extend(other.clauses)
        self.params.extend(other.params)
        self.aliases.update(other.aliases)
        self.identity.extend(other.identity)

    @property
    def sql(self) -> str:
        return (" WHERE " + " AND ".join(self.clauses)) if self.clauses else ""


def article_where(tags=None, date_from=None, date_to=None, year=None, query=None,
                  alias: str = "a", conn: sqlite3.Connection | None = None) -> Where:
    """Conditions on the article table aliased ``alias`` (an ArticleFilter); ``conn``,
    the connection they will run on, for search's vocabulary (api.search)."""
    where = Where()
    if tags:  # in any letter case or width, Traditional or Simplified (loader/fold.py)
        where.add(alias, f"{alias}.id IN (SELECT article_id FROM article_tags WHERE folded IN {IDS})",
                  json.dumps([fold(tag.strip()) for tag in tags]))
    if date_from is not None:
        where.add(alias, f"{alias}.date >= ?", date_from.isoformat())
    if date_to is not None:
        where.add(alias, f"{alias}.date <= ?", date_to.isoformat())
    if year is not None:
        where.add(alias, f"{alias}.year = ?", year)
        # The same year as a range of dates (ISO text, four-digit years): the
        # (date, id) index then gives the rows in the lists' order, where the year's
        # index gave rows to sort. A page of trends of 2021 at 10,000 articles: its
        # statement 10.7 to 0.02 ms, the whole request 11.5 to 2.0 ms.
        if 0 < year < 9999:
            where.add(alias, f"{alias}.date >= ? AND {alias}.date < ?", f"{year:04d}",
                      f"{year + 1:04d}")
    if query is not None and query.strip():
        docs_sql, docs_params = search.matching_docs(query, conn)
        where.add(alias, f"{alias}.id IN (SELECT article_id FROM search_docs WHERE id IN ({docs_sql}))",
                  *docs_params)
    if where.clauses:
        where.identity.append(["article", alias, tags, date_from, date_to, year, query])
    return where


def text_where(query: str | None, table: str, alias: str, fields: Sequence[str] = (),
               conn: sqlite3.Connection | None = None) -> Where:
    """Rows of ``table`` with a search doc matching ``query`` (optionally in given fields)."""
    where = Where()
    if query is None or not query.strip():
        return where
    where.identity.append(["text", table, alias, list(fields), query])
    docs_sql, docs_params = search.matching_docs(query, conn)
    field_sql = ""
    params = [table]
    if fields:
        field_sql = f" AND field IN {IDS}"
        params.append(json.dumps(list(fields)))
    where.add(alias, f"{alias}.id IN (SELECT node_id FROM search_docs WHERE node_table = ?{field_sql} "
              f"AND id IN ({docs_sql}))", *params, *docs_params)
    return where


def count(conn: sqlite3.Connection, source: "Source", where: Where) -> int:
    return conn.execute(f"SELECT count(*) FROM {source.count_from(where)}{where.sql}",
                        where.params).fetchone()[0]


# An article's row without its body (body_md: about half of the row, and on
# overflow pages): fields other than `body` never read
# it, so pages, search hits and lookups select this, and `body` loads the
# bodies of a whole family with BODY_COLUMNS (api.types.Article.body).
ARTICLE_COLUMNS = ("id, key, slug, title, title_md, title_html, date, year, description, "
                   "description_md, description_html, tags, intro_md, intro_html, "
                   "intro_text, summary_md, summary_html, summary_text, summary_heading, "
                   "word_count, reading_time_minutes, headings, source_path, start_line, end_line, "
                   "intro_heading, draft, published_at, updated_date, updated_at, authors, "
                   "language, extra")
BODY_COLUMNS = "id, body_md, body_line"
# A lookup of one article by slug reads its body with it: a page for one article
# mostly shows it, and reading it later was one more statement (api.types.Article.body).
ARTICLE_WITH_BODY_COLUMNS = f"{ARTICLE_COLUMNS}, body_md, body_line"
# What rows_by selects by default, per table.
COLUMNS = {"articles": ARTICLE_COLUMNS}

@dataclass(frozen=True)
class Source:
    """A node list: its table under an alias, what a page selects, from which joins
    (those its order reads: the article's date, the trend's position), and its
    default order."""

    table: str
    alias: str
    select: str
    from_sql: str
    order: Order | None = None

    def count_from(self, where: Where) -> str:
        """The FROM of the list's count: the table alone, joined to its articles only
        when a condition reads them. The joins of the order drop no row (every row
        has its trend and its article: foreign keys), and under a drafts-hiding
        snapshot each table's view leaves out the rows of drafts itself (api.drafts).
        Advice at 10,000 articles: 46 ms with the joins, 0.03 ms without."""
        table = f"{self.table} {self.alias}"
        if self.alias == "a" or "a" not in where.aliases:
            return table
        return f"{table} JOIN articles a ON a.id = {self.alias}.article_id"


_NEWEST = (("a.date", "DESC"), ("a.id", "DESC"))
ARTICLES = Source("articles", "a", ", ".join("a." + c for c in ARTICLE_COLUMNS.split(", ")),
                  "articles a")
TRENDS = Source("trends", "t", "t.*", "trends t JOIN articles a ON a.id = t.article_id",
                Order((*_NEWEST, ("t.position", "ASC"))))
ROUTES = Source("routes", "r", "r.*",
                "routes r JOIN trends t ON t.id = r.trend_id JOIN articles a ON a.id = r.article_id",
                Order((*_NEWEST, ("t.position", "ASC"), ("r.position", "ASC"))))
ADVICE = Source("advice", "v", "v.*",
                "advice v JOIN trends t ON t.id = v.trend_id JOIN articles a ON a.id = v.article_id",
                Order((*_NEWEST, ("t.position", "ASC"), ("v.position", "ASC"))))

# Each ordering ends with the row id in the same direction, so that the
# store's (date, id) and (title, id) indexes serve it without a sort, and so
# that every key is unique (keyset cursors, api.pagination).
ARTICLE_ORDERS = {
    "DATE_DESC": ("a.date", "DESC"),
    "DATE_ASC": ("a.date", "ASC"),
    "TITLE_ASC": ("a.title", "ASC"),
    "TITLE_DESC": ("a.title", "DESC"),
}


def article_order(orders: Iterable[str]) -> Order:
    """The ordering for a list of ArticleOrder names (most significant first); DATE_DESC by default."""
    keys: list[tuple[str, str]] = []
    for name in orders:
        column, direction = ARTICLE_ORDERS[name]
        if column not in (k[0] for k in keys):
            keys.append((column, direction))
    if not keys:
        keys.append(ARTICLE_ORDERS["DATE_DESC"])
    return Order((*keys, ("a.id", keys[0][1])))


# Batched lookups used by the DataLoaders: one statement per batch.

# Up to this many values, rows_by writes them as parameters (``IN (?,?,?)``);
# more go as one JSON array (IDS). One text per count keeps SQLite's statement
# cache small, and the parameters were 5 to 10 µs faster a statement than
# json_each in a request for one article (bench.inprocess, nine statements).
MARKS_UP_TO = 32
_IN = ["(" + ",".join("?" * n) + ")" for n in range(MARKS_UP_TO + 1)]
_SQL: dict[tuple[str, int], str] = {}


def rows_by_sql(table: str, column: str, extra: str = "", order: str = "",
                columns: str = "") -> str:
    """The statement of rows_by, with ``{}`` where its list of values goes."""
    order_sql = f" ORDER BY {order}" if order else ""
    selected = columns or COLUMNS.get(table, "*")
    return f"SELECT {selected} FROM {table} WHERE {column} IN {{}}{extra}{order_sql}"


def rows_by(conn: sqlite3.Connection, table: str, column: str, values: Sequence,
            extra: str = "", order: str = "", columns: str = "") -> list[sqlite3.Row]:
    """All rows of ``table`` whose ``column`` is in ``values`` (``columns``, or the
    table's default columns)."""
    return rows_by_statement(conn, rows_by_sql(table, column, extra, order, columns), values)


def rows_by_statement(conn: sqlite3.Connection, template: str,
                      values: Sequence) -> list[sqlite3.Row]:
    """The rows of a rows_by_sql statement for ``values``."""
    count = len(values)
    if count > MARKS_UP_TO:
        return conn.execute(template.format(IDS),
                            (orjson.dumps(list(values)).decode(),)).fetchall()
    sql = _SQL.get((template, count))
    if sql is None:
        sql = _SQL[(template, count)] = template.format(_IN[count])
    return conn.execute(sql, values).fetchall()


def tag_counts(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Tags that fold to the same form ("AI", "ai") count as one, under their
    most used spelling."""
    return conn.execute(
        "SELECT (SELECT tag FROM article_tags s WHERE s.folded = t.folded GROUP BY tag "
        "ORDER BY count(*) DESC, tag LIMIT 1) AS name, count(DISTINCT article_id) AS count "
        "FROM article_tags t GROUP BY folded ORDER BY count DESC, name ASC").fetchall()


def year_counts(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT year, count(*) AS count FROM articles GROUP BY year ORDER BY year DESC").fetchall()


def diagnostics(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Warnings the loader stored with the content being served."""
    return conn.execute(
        "SELECT path, line, severity, message FROM diagnostics ORDER BY path, line, id").fetchall()
