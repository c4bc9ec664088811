"""Writing articles into the SQLite store (and removing them again)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

import sqlite_utils

from .model import Article, Span, Text
from .schema import ARTICLE_TABLES, FTS_TABLE, TABLES
from .tokens import index_text


@dataclass
class SourceRecord:
    """A file that parsed cleanly, ready to store."""

    path: str
    sha256: str
    size: int
    mtime_ns: int
    article: Article


def _span(span: Span) -> dict:
    return {"source_path": span.path, "start_line": span.start_line, "end_line": span.end_line}


def _text(name: str, text: Text | None) -> dict:
    if text is None:
        return {f"{name}_md": None, f"{name}_html": None, f"{name}_text": None}
    return {f"{name}_md": text.md, f"{name}_html": text.html, f"{name}_text": text.plain}


class _Rows:
    """Rows for every table, with ids handed out from the table's current maximum."""

    def __init__(self, db: sqlite_utils.Database):
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self._next: dict[str, int] = {}
        for table in TABLES:
            if TABLES[table]["pk"] == "id":
                current = db.execute(f"SELECT max(id) FROM [{table}]").fetchone()[0]
                self._next[table] = (current or 0) + 1

    def add(self, table: str, row: dict) -> int:
        if table in self._next:
            row["id"] = self._next[table]
            self._next[table] += 1
        self.rows[table].append(row)
        return row.get("id", 0)

    def search(self, article_id: int, kind: str, table: str, node_id: int, field: str,
               text: str) -> None:
        if text and text.strip():
            self.add("search_docs", {"article_id": article_id, "kind": kind, "node_table": table,
                                     "node_id": node_id, "field": field, "text": text})


def _add_article(rows: _Rows, record: SourceRecord) -> None:
    a = record.article
    article_id = rows.add("articles", {
        "key": a.slug, "slug": a.slug, "title": a.title, "date": a.date.isoformat(),
        "year": a.date.year, "description": a.description,
        "tags": json.dumps(a.tags, ensure_ascii=False),
        **_text("intro", a.intro), **_text("summary", a.summary),
        "summary_heading": a.summary_heading, **_text("body", a.body),
        "word_count": a.word_count, "reading_time_minutes": a.reading_time_minutes,
        "headings": json.dumps([h.__dict__ for h in a.headings], ensure_ascii=False),
        **_span(a.span),
    })
    rows.add("sources", {"path": record.path, "sha256": record.sha256, "size": record.size,
                         "mtime_ns": record.mtime_ns, "article_id": article_id})
    for position, tag in enumerate(a.tags, start=1):
        rows.add("article_tags", {"article_id": article_id, "tag": tag, "position": position})
    for field, value in (("title", a.title), ("description", a.description),
                         ("intro", a.intro.plain), ("summary", a.summary and a.summary.plain)):
        rows.search(article_id, "ARTICLE", "articles", article_id, field, value or "")
    for section in a.sections:
        _add_section(rows, article_id, None, f"{a.slug}/s{section.position}", section)
    for trend in a.trends:
        _add_trend(rows, a.slug, article_id, trend)


def _add_section(rows: _Rows, article_id: int, trend_id: int | None, key: str, section) -> None:
    section_id = rows.add("sections", {
        "key": key, "article_id": article_id, "trend_id": trend_id,
        "position": section.position, "heading": section.heading,
        **_text("body", section.body), **_span(section.span),
    })
    rows.search(article_id, "SECTION", "sections", section_id, "heading", section.heading)
    rows.search(article_id, "SECTION", "sections", section_id, "body", section.body.plain)


def _add_trend(rows: _Rows, slug: str, article_id: int, trend) -> None:
    key = f"{slug}/{trend.position}"
    trend_id = rows.add("trends", {
        "key": key, "article_id": article_id, "position": trend.position,
        "label": trend.label, "title": trend.title, "heading": trend.heading,
        "anchor": trend.anchor, **_text("status_intro", trend.status_intro),
        "status_heading": trend.status_heading, "routes_heading": trend.routes_heading,
        "advice_heading": trend.advice_heading, **_span(trend.span),
    })
    rows.search(article_id, "TREND", "trends", trend_id, "title", trend.title)
    rows.search(article_id, "TREND", "trends", trend_id, "statusIntro", trend.status_intro.plain)
    for point in trend.key_points:
        rows.add("key_points", {"trend_id": trend_id, "position": point.position,
                                "label": point.label, **_text("text", point.text),
                                **_span(point.span)})
        rows.search(article_id, "TREND", "trends", trend_id, "keyPoints",
                    f"{point.label or ''} {point.text.plain}".strip())
    for route in trend.routes:
        route_id = rows.add("routes", {
            "key": f"{key}/r{route.position}", "trend_id": trend_id, "article_id": article_id,
            "position": route.position, "label": route.label, "name": route.name,
            **_text("intro", route.intro), **_span(route.span),
        })
        rows.search(article_id, "ROUTE", "routes", route_id, "name", route.name)
        rows.search(article_id, "ROUTE", "routes", route_id, "intro", route.intro.plain)
        for point in route.points:
            rows.add("route_points", {"route_id": route_id, "kind": point.kind,
                                      "position": point.position, **_text("text", point.text),
                                      **_span(point.span)})
            rows.search(article_id, "ROUTE", "routes", route_id,
                        "pros" if point.kind == "pro" else "cons", point.text.plain)
    for advice in trend.advice:
        advice_id = rows.add("advice", {
            "key": f"{key}/a{advice.position}", "trend_id": trend_id, "article_id": article_id,
            "position": advice.position, "title": advice.title, **_text("text", advice.text),
            **_span(advice.span),
        })
        rows.search(article_id, "ADVICE", "advice", advice_id, "title", advice.title)
        rows.search(article_id, "ADVICE", "advice", advice_id, "text", advice.text.plain)
    for section in trend.sections:
        _add_section(rows, article_id, trend_id, f"{key}/s{section.position}", section)


def _insert_rows(db: sqlite_utils.Database, table: str, rows: list[dict]) -> None:
    """A plain executemany: the rows are already typed, and sqlite-utils'
    insert_all spent 70% of a 10,000-article load converting values one by one
    and building queries (profiled with cProfile)."""
    columns = list(TABLES[table]["columns"])
    sql = (f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    db.conn.executemany(sql, [tuple(row.get(c) for c in columns) for row in rows])


def insert_articles(db: sqlite_utils.Database, records: list[SourceRecord]) -> dict[str, int]:
    """Insert parsed articles with all their parts, and index them for search.
    Returns how many rows went into each table."""
    rows = _Rows(db)
    for record in records:
        _add_article(rows, record)
    for table in TABLES:  # dict order puts parents before children where it matters
        if rows.rows[table]:
            _insert_rows(db, table, rows.rows[table])
    db.conn.executemany(f"INSERT INTO {FTS_TABLE}(rowid, tokens) VALUES (?, ?)",
                        [(doc["id"], index_text(doc["text"])) for doc in rows.rows["search_docs"]])
    return {table: len(table_rows) for table, table_rows in rows.rows.items()}


def delete_articles(db: sqlite_utils.Database, article_ids: list[int]) -> dict[str, int]:
    """Remove articles and everything that belongs to them, search entries included.
    Returns how many rows left each table."""
    if not article_ids:
        return {}
    deleted: dict[str, int] = {}
    marks = ",".join("?" * len(article_ids))
    # A contentless FTS5 index forgets a row only when given the row's tokens.
    docs = db.execute(f"SELECT id, text FROM search_docs WHERE article_id IN ({marks})",
                      article_ids).fetchall()
    db.conn.executemany(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, tokens) VALUES ('delete', ?, ?)",
                        [(doc_id, index_text(text)) for doc_id, text in docs])
    deleted["route_points"] = db.execute(
        f"DELETE FROM route_points WHERE route_id IN "
        f"(SELECT id FROM routes WHERE article_id IN ({marks}))", article_ids).rowcount
    deleted["key_points"] = db.execute(
        f"DELETE FROM key_points WHERE trend_id IN "
        f"(SELECT id FROM trends WHERE article_id IN ({marks}))", article_ids).rowcount
    for table in ARTICLE_TABLES:
        if table in ("route_points", "key_points"):
            continue
        column = "id" if table == "articles" else "article_id"
        deleted[table] = db.execute(f"DELETE FROM [{table}] WHERE {column} IN ({marks})",
                                    article_ids).rowcount
    return deleted


def write_meta(db: sqlite_utils.Database, values: dict[str, str]) -> None:
    # Plain SQL: upsert_all introspects the table first, 45 ms of a one-file reload.
    db.conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                        list(values.items()))
