"""The data floor: the benchmark's article queries answered by hand, in process.

What the data costs with no GraphQL at all: one SELECT per level (the article,
its trends, their key points, routes, route points, advice, sections), rows
built straight into the response dicts, orjson for the bytes. It uses the
same helpers as the API for what is derived (global IDs, the excerpt, the
cursor), so the work is the same and only the machinery differs.

``article(conn, slug)`` and ``articles(conn)`` return the bytes of ``{"data":
...}`` for bench.queries.ARTICLE and ARTICLES; bench/inprocess.py checks that
they equal the API's own data before timing both.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict

import orjson

from api import body, ids, queries
from api.pagination import encode_cursor, signature
from loader.body import unpack_headings
from loader.text import excerpt


def _in(conn: sqlite3.Connection, table: str, column: str, keys: list, extra: str = "",
        order: str = "position") -> dict:
    """Rows of ``table`` whose ``column`` is one of ``keys``, grouped by it."""
    grouped: dict = defaultdict(list)
    if not keys:
        return grouped
    marks = ",".join("?" * len(keys))
    for row in conn.execute(f"SELECT * FROM {table} WHERE {column} IN ({marks}){extra} "
                            f"ORDER BY {column}, {order}", keys):
        grouped[row[column]].append(row)
    return grouped


def _source(row) -> dict:
    return {"path": row["source_path"], "startLine": row["start_line"], "endLine": row["end_line"]}


def _section(row) -> dict:
    return {"id": ids.encode("Section", row["key"]), "position": row["position"],
            "heading": row["heading"] or None, "body": row["body_md"], "source": _source(row)}


def _articles(conn: sqlite3.Connection, rows: list) -> list[dict]:
    article_ids = [row["id"] for row in rows]
    trends = _in(conn, "trends", "article_id", article_ids)
    sections = _in(conn, "sections", "article_id", article_ids, " AND trend_id IS NULL")
    trend_ids = [t["id"] for group in trends.values() for t in group]
    key_points = _in(conn, "key_points", "trend_id", trend_ids)
    routes = _in(conn, "routes", "trend_id", trend_ids)
    advice = _in(conn, "advice", "trend_id", trend_ids)
    trend_sections = _in(conn, "sections", "trend_id", trend_ids)
    route_ids = [r["id"] for group in routes.values() for r in group]
    points = _in(conn, "route_points", "route_id", route_ids)
    out = []
    for a in rows:
        out.append({
            "id": ids.encode("Article", a["key"]), "slug": a["slug"], "title": a["title"],
            "date": a["date"], "year": a["year"], "description": a["description"],
            "tags": json.loads(a["tags"]), "wordCount": a["word_count"],
            "readingTimeMinutes": a["reading_time_minutes"],
            "headings": [{"level": level, "text": text, "anchor": anchor, "line": line}
                         for level, text, anchor, line in unpack_headings(a["headings"])],
            "summaryHeading": a["summary_heading"], "intro": a["intro_md"] or None,
            "summary": a["summary_md"] or None, "body": a["body_md"],
            "excerpt": excerpt(a["intro_text"] or body.forms(a).text.plain, 200), "source": _source(a),
            "sections": [_section(s) for s in sections[a["id"]]],
            "trends": [{
                "id": ids.encode("Trend", t["key"]), "position": t["position"],
                "label": t["label"], "title": t["title"], "anchor": t["anchor"],
                "statusIntro": t["status_intro_md"] or None, "source": _source(t),
                "keyPoints": [{"position": k["position"], "label": k["label"],
                               "text": k["text_md"] or None, "source": _source(k)}
                              for k in key_points[t["id"]]],
                "routes": [{
                    "id": ids.encode("Route", r["key"]), "position": r["position"],
                    "label": r["label"], "name": r["name"], "intro": r["intro_md"] or None,
                    "pros": [p["text_md"] for p in points[r["id"]] if p["kind"] == "pro"],
                    "cons": [p["text_md"] for p in points[r["id"]] if p["kind"] == "con"],
                    "source": _source(r)} for r in routes[t["id"]]],
                "advice": [{"id": ids.encode("Advice", v["key"]), "position": v["position"],
                            "title": v["title"], "text": v["text_md"] or None,
                            "source": _source(v)} for v in advice[t["id"]]],
                "sections": [_section(s) for s in trend_sections[t["id"]]],
            } for t in trends[a["id"]]],
        })
    return out


def article(conn: sqlite3.Connection, slug: str) -> bytes:
    rows = conn.execute("SELECT * FROM articles WHERE slug = ?", (slug,)).fetchall()
    found = _articles(conn, rows)
    return orjson.dumps({"data": {"article": found[0] if found else None}})


def articles(conn: sqlite3.Connection, first: int = 100) -> bytes:
    order = queries.article_order([])
    cursor_sign = signature("Article", order.keys, queries.Where().sql, [])
    total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    rows = conn.execute("SELECT * FROM articles ORDER BY date DESC, id DESC LIMIT ?",
                        (first + 1,)).fetchall()
    more, rows = len(rows) > first, rows[:first]
    end = encode_cursor(cursor_sign, [rows[-1]["date"], rows[-1]["id"]]) if rows else None
    return orjson.dumps({"data": {"articles": {
        "totalCount": total, "pageInfo": {"hasNextPage": more, "endCursor": end},
        "nodes": _articles(conn, rows)}}})
