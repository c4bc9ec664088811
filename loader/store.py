"""Writing articles into the SQLite store (and removing them again)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from .body import pack_headings
from .model import Article, Span, Text
from .schema import (ARTICLE_TABLES, FTS_TABLE, TABLES, stored, stored_forms,
                     stored_inline_forms)
from .search_bigrams import add_bigrams, bigrams_of
from .search_docs import SEARCH_SLOTS, SLOT_OF, search_text_sql
from .fold import fold
from .tokens import DRAFT_TOKEN, index_text


# Rows are built where the file is parsed (in a worker process, for a big
# load) with ids that count from 0 within their article, and shifted to real
# ids when stored. So each table's row starts with its id columns, each with
# the table it counts in; the rest follow in schema order. search_docs'
# node_id counts in the table its slot names (search_docs.SEARCH_SLOTS).
def _id_columns(table: str) -> list[tuple[str, str | None]]:
    spec = TABLES[table]
    ids = [("id", table)] if spec["pk"] == "id" else []
    ids += [(column, parent) for column, parent, _ in spec.get("foreign_keys", [])]
    if table == "search_docs":
        ids.append(("node_id", None))
    return ids


# Schema order, which puts parents before children for the foreign keys.
_STORED = [t for t in TABLES if t in ARTICLE_TABLES]
_ID_COLUMNS = {t: _id_columns(t) for t in _STORED}
_COLUMNS = {t: [c for c, _ in _ID_COLUMNS[t]]
           + [c for c in TABLES[t]["columns"] if c not in dict(_ID_COLUMNS[t])] for t in _STORED}
_COUNTED = [t for t in _STORED if TABLES[t]["pk"] == "id"]  # tables whose rows take ids


@dataclass
class SourceRecord:
    """A file that parsed cleanly, as the rows that store it (see article_rows)."""

    path: str
    slug: str
    rows: dict[str, list[tuple]]  # table -> rows in _COLUMNS order, ids local to the article
    tokens: list[str]  # index_text of each search_docs row, in order
    draft: bool = False
    coverage: tuple[int, int] = (0, 0)  # see Article.coverage


def _span(span: Span) -> tuple:
    return span.path, span.start_line, span.end_line


def _inline(text: Text | None) -> tuple:
    """A title or description: (plain, markdown, HTML), the plain one first
    (the column sorted and shown by default)."""
    if text is None:
        return None, None, None
    return stored_inline_forms(text.plain, text.md, text.html)


def _text(text: Text | None) -> tuple:
    """(markdown, HTML, plain), less what the table's view derives (schema.FORMS)."""
    if text is None:
        return None, None, None
    return stored_forms(text.md, text.html, text.plain)


def article_rows(path: str, sha256: str, stat: tuple[int, int, int, int, int],
                 article: Article) -> SourceRecord:
    """Every row that stores one article, with the search index's tokens.

    Built as tuples in the columns' order (dicts cost a third of a load's
    write in building and reading back), and tokenised here, so that worker
    processes do this work and send back plain, cheap-to-pickle data.
    The article's own id is 0; a row's id is its position in its table's
    list, so rows must be appended in the order ids were handed out before.
    """
    rows: dict[str, list[tuple]] = {table: [] for table in _STORED}
    tokens: list[str] = []
    docs = rows["search_docs"]
    a = article

    def search(table: str, node_id: int, field: str, text: str,
               point_id: int | None = None) -> None:
        # ``text`` must be what loader.search_docs.SEARCH_TEXTS reads back.
        if text and text.strip():
            docs.append((len(docs), 0, node_id, SLOT_OF[table, field], point_id))
            tokens.append(doc_tokens(text, a.draft))

    rows["articles"].append((
        0, a.slug, a.slug, *_inline(a.title), a.date.isoformat(),
        a.date.year, *_inline(a.description),
        json.dumps(a.tags, ensure_ascii=False), *_text(a.intro), *_text(a.summary),
        a.summary_heading, a.body.first_line, a.word_count,
        a.reading_time_minutes, pack_headings(a.headings), *_span(a.span),
        a.intro_heading, int(a.draft), a.published_at,
        a.updated_date.isoformat() if a.updated_date else None, a.updated_at,
        json.dumps(a.authors, ensure_ascii=False), a.language,
        json.dumps(a.extra, ensure_ascii=False, sort_keys=True), a.body.markdown))
    size, mtime_ns, ctime_ns, inode, read_ns = stat
    rows["sources"].append((0, path, sha256, size, mtime_ns, ctime_ns, inode, read_ns))
    rows["article_tags"].extend((0, tag, position, fold(tag))
                                for position, tag in enumerate(a.tags, 1))
    for field, value in (("title", a.title.plain),
                         ("description", a.description and a.description.plain),
                         ("intro", a.intro.plain), ("summary", a.summary and a.summary.plain)):
        search("articles", 0, field, value or "")
    sections = rows["sections"]

    def section(trend_id: int | None, key: str, s) -> None:
        section_id = len(sections)
        sections.append((section_id, 0, trend_id, key, s.position, s.heading, *_text(s.body),
                         *_span(s.span)))
        search("sections", section_id, "heading", s.heading)
        search("sections", section_id, "body", s.body.plain)

    for s in a.sections:
        section(None, f"{a.slug}/s{s.position}", s)
    trends, key_points, routes, route_points, advice = (
        rows["trends"], rows["key_points"], rows["routes"], rows["route_points"], rows["advice"])
    for trend in a.trends:
        key = f"{a.slug}/{trend.position}"
        trend_id = len(trends)
        trends.append((trend_id, 0, key, trend.position, trend.label, trend.title, trend.heading,
                       trend.anchor, *_text(trend.status_intro), trend.status_heading,
                       trend.routes_heading, trend.advice_heading, *_span(trend.span),
                       *_text(trend.intro), *_text(trend.status_outro),
                       *_text(trend.routes_intro), *_text(trend.advice_intro),
                       *_text(trend.advice_outro)))
        search("trends", trend_id, "title", trend.title)
        search("trends", trend_id, "intro", trend.intro.plain)
        search("trends", trend_id, "statusIntro", trend.status_intro.plain)
        search("trends", trend_id, "statusOutro", trend.status_outro.plain)
        search("trends", trend_id, "routesIntro", trend.routes_intro.plain)
        search("trends", trend_id, "adviceIntro", trend.advice_intro.plain)
        search("trends", trend_id, "adviceOutro", trend.advice_outro.plain)
        for point in trend.key_points:
            point_id = len(key_points)
            key_points.append((point_id, trend_id, point.position, point.label,
                               *_text(point.text), *_span(point.span)))
            search("key_points", point_id, "text",
                   labelled(point.label, point.text.plain))
        for route in trend.routes:
            route_id = len(routes)
            routes.append((route_id, trend_id, 0, f"{key}/r{route.position}", route.position,
                           route.label, route.name, *_text(route.intro), *_span(route.span)))
            search("routes", route_id, "name", route.name)
            search("routes", route_id, "intro", route.intro.plain)
            for point in route.points:
                route_point_id = len(route_points)
                route_points.append((route_point_id, route_id, point.kind, point.position,
                                     *_text(point.text), *_span(point.span), point.label))
                search("routes", route_id, "pros" if point.kind == "pro" else "cons",
                       labelled(point.label, point.text.plain), route_point_id)
        for item in trend.advice:
            advice_id = len(advice)
            advice.append((advice_id, trend_id, 0, f"{key}/a{item.position}", item.position,
                           item.title, *_text(item.text), *_span(item.span)))
            search("advice", advice_id, "title", item.title)
            search("advice", advice_id, "text", item.text.plain)
        for s in trend.sections:
            section(trend_id, f"{key}/s{s.position}", s)
    return SourceRecord(path, a.slug, {t: r for t, r in rows.items() if r}, tokens, a.draft,
                        a.coverage)


def labelled(label: str | None, plain: str) -> str:
    """The searched text of an item with a bold lead-in (SEARCH_TEXTS' _LABELLED)."""
    return " ".join(part for part in (label, plain) if part)


def doc_tokens(text: str, draft: bool) -> str:
    """What the full-text index holds for one search doc: its tokens, and for a
    draft's docs the token that public searches exclude (see tokens.DRAFT_TOKEN)."""
    tokens = index_text(text)
    return f"{tokens} {DRAFT_TOKEN}" if draft else tokens


def _shift(table: str, rows: list[tuple], first: dict[str, int]) -> list[tuple]:
    """``rows`` with their local ids turned into real ones: ``first[t]`` is the
    real id of the article's row 0 in table t."""
    o = [first[t] if t else 0 for _, t in _ID_COLUMNS[table]]
    if table == "search_docs":  # node_id counts in the slot's table; point_id in route_points
        point = first["route_points"]
        return [(r[0] + o[0], r[1] + o[1], r[2] + first[SEARCH_SLOTS[r[3]][1]], r[3],
                 None if r[4] is None else r[4] + point) for r in rows]
    if table == "sections":  # trend_id is NULL for a section of the article itself
        return [(r[0] + o[0], r[1] + o[1], None if r[2] is None else r[2] + o[2]) + r[3:]
                for r in rows]
    if len(o) == 1:
        return [(r[0] + o[0],) + r[1:] for r in rows]
    if len(o) == 2:
        return [(r[0] + o[0], r[1] + o[1]) + r[2:] for r in rows]
    return [(r[0] + o[0], r[1] + o[1], r[2] + o[2]) + r[3:] for r in rows]


def _insert_rows(db: sqlite_utils.Database, table: str, rows: list[tuple]) -> None:
    """A plain executemany: the rows are already typed, and sqlite-utils'
    insert_all spent 70% of a 10,000-article load converting values one by one
    and building queries (profiled with cProfile)."""
    columns = _COLUMNS[table]
    sql = (f"INSERT INTO [{stored(table)}] ({', '.join(f'[{c}]' for c in columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    db.conn.executemany(sql, rows)


# Articles written per round of inserts: the rows of a round are copied with
# their real ids, so a round, not the whole load, is held twice at once. A load
# into a new store writes a round as soon as its articles are parsed: with
# 100, the writing of 1,000 articles overlapped the parsing enough to take the
# full load from 2.46 s to 2.25 s (best of 3 each), where 500 and 100 wrote
# already parsed articles in the same time.
_ROUND = 100


def insert_articles(db: sqlite_utils.Database, records: Iterable[SourceRecord],
                    added: set[str] | None = None) -> dict[str, int]:
    """Insert parsed articles with all their parts, and index them for search.
    Given ``added``, their CJK bigrams go into search_bigrams too, and into
    ``added`` (a load into a new store reads them all from the index at the end
    instead). Returns how many rows went into each table. ``records`` is read a
    round at a time, so it may be a generator yielding articles as they are parsed."""
    next_id = {}
    for table in _COUNTED:
        current = db.execute(f"SELECT max(id) FROM [{stored(table)}]").fetchone()[0]
        next_id[table] = (current or 0) + 1
    counts = {table: 0 for table in TABLES}
    records = iter(records)
    while batch := list(itertools.islice(records, _ROUND)):
        rows: dict[str, list[tuple]] = {table: [] for table in _STORED}
        index: list[tuple[int, str]] = []
        new_bigrams: set[str] = set()
        for record in batch:
            if added is not None:
                new_bigrams.update(bigrams_of(record.tokens))
            first = dict(next_id)
            for table, table_rows in record.rows.items():
                rows[table].extend(_shift(table, table_rows, first))
                if table in next_id:
                    next_id[table] += len(table_rows)
            doc = first["search_docs"]
            index.extend(zip(range(doc, doc + len(record.tokens)), record.tokens))
        for table in _STORED:  # parents before children
            if rows[table]:
                _insert_rows(db, table, rows[table])
                counts[table] += len(rows[table])
        db.conn.executemany(f"INSERT INTO {FTS_TABLE}(rowid, tokens) VALUES (?, ?)", index)
        if new_bigrams:
            add_bigrams(db.conn, new_bigrams)
            added.update(new_bigrams)
    return counts


def delete_articles(db: sqlite_utils.Database, article_ids: list[int],
                    gone: set[str] | None = None) -> dict[str, int]:
    """Remove articles and everything that belongs to them, search entries included;
    the CJK bigrams of their search entries go into ``gone`` when given. Returns how
    many rows left each table."""
    if not article_ids:
        return {}
    deleted: dict[str, int] = {}
    marks = ",".join("?" * len(article_ids))
    # A contentless FTS5 index forgets a row only when given the row's tokens.
    docs = db.execute(f"SELECT d.id, {search_text_sql('d')}, a.draft FROM search_docs d JOIN articles a "
                      f"ON a.id = d.article_id WHERE d.article_id IN ({marks})",
                      article_ids).fetchall()
    tokens = [(doc_id, doc_tokens(text, bool(draft))) for doc_id, text, draft in docs]
    db.conn.executemany(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, tokens) VALUES ('delete', ?, ?)",
                        tokens)
    if gone is not None:
        gone.update(bigrams_of(text for _, text in tokens))
    deleted["route_points"] = db.execute(
        f"DELETE FROM {stored('route_points')} WHERE route_id IN "
        f"(SELECT id FROM routes WHERE article_id IN ({marks}))", article_ids).rowcount
    deleted["key_points"] = db.execute(
        f"DELETE FROM {stored('key_points')} WHERE trend_id IN "
        f"(SELECT id FROM trends WHERE article_id IN ({marks}))", article_ids).rowcount
    for table in ARTICLE_TABLES:
        if table in ("route_points", "key_points"):
            continue
        column = "id" if table == "articles" else "article_id"
        deleted[table] = db.execute(f"DELETE FROM [{stored(table)}] WHERE {column} IN ({marks})",
                                    article_ids).rowcount
    return deleted


def write_meta(db: sqlite_utils.Database, values: dict[str, str]) -> None:
    # Plain SQL: upsert_all introspects the table first, 45 ms of a one-file reload.
    db.conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                        list(values.items()))
