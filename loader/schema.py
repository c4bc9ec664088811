"""The SQLite schema: the one contract between the loader and the API.

Every node table has an integer ``id`` (internal, may change between loads)
and a text ``key`` that stays stable across loads as long as the article's
slug and the node's position do not change. The API builds its opaque global
IDs from ``key``, so IDs held by clients survive reloads.

Every text field that may contain markdown is stored three times:
``<field>_md`` (the source), ``<field>_html`` (rendered and sanitised) and
``<field>_text`` (plain text), except the article's whole body: it is kept
as ``body_md`` with ``body_line`` and its packed headings, and its HTML and
plain text are derived when asked for (loader.body), since they are rarely read and would
double the store. Every node records where it came from:
``source_path`` (relative to the content folder), ``start_line`` and
``end_line`` (1-based, inclusive, in the original file).
"""

from __future__ import annotations

import sqlite_utils

SCHEMA_VERSION = 7

# Columns shared by every node that came from a span of a source file.
_SPAN = {"source_path": str, "start_line": int, "end_line": int}


def _text(name: str) -> dict[str, type]:
    return {f"{name}_md": str, f"{name}_html": str, f"{name}_text": str}


TABLES: dict[str, dict] = {
    "articles": {
        "columns": {
            "id": int,
            "key": str,
            "slug": str,
            # Title and description: plain text, then as written and as inline HTML.
            "title": str,
            "title_md": str,
            "title_html": str,
            "date": str,  # ISO 8601 calendar date, YYYY-MM-DD
            "year": int,
            "description": str,  # NULL (all three) without one; '' only when written empty
            "description_md": str,
            "description_html": str,
            "tags": str,  # JSON array, in frontmatter order
            **_text("intro"),
            **_text("summary"),  # all three NULL when the article has no summary
            "summary_heading": str,
            "body_md": str,  # the whole markdown body, unwrapped from its fence
            "body_line": int,  # the file line body_md starts on
            "word_count": int,
            "reading_time_minutes": int,
            "headings": str,  # every heading: loader.body.pack_headings
            **_SPAN,
            "intro_heading": str,  # the intro's own H2 (前言, Introduction); NULL if none
            "draft": int,  # 1: never served publicly (only by serve --drafts)
            "published_at": str,  # ISO 8601 instant with offset; NULL without a time
            "updated_date": str,  # YYYY-MM-DD; NULL when not given
            "updated_at": str,  # ISO 8601 instant; NULL without a time
            "authors": str,  # JSON array of names
            "language": str,  # BCP 47: zh-Hans, zh-Hant, ja, en, ...
            "extra": str,  # JSON object: frontmatter keys the format does not define
        },
        "pk": "id",
        "not_null": {"key", "slug", "title", "title_md", "title_html", "date", "year", "tags",
                     "draft",
                     "authors", "language", "extra",
                     "intro_md", "intro_html", "intro_text", "body_md", "body_line",
                     "word_count", "reading_time_minutes", "headings",
                     "source_path", "start_line", "end_line"},
    },
    # One row per file in the content folder; drives incremental loads.
    "sources": {
        # size, mtime_ns, ctime_ns and inode let a reload skip reading files that
        # did not change; read_ns (when the file was read) tells a "racily clean"
        # file, modified too close to its reading for its mtime to be trusted.
        "columns": {"path": str, "sha256": str, "size": int, "mtime_ns": int, "article_id": int,
                    "ctime_ns": int, "inode": int, "read_ns": int},
        "pk": "path",
        "foreign_keys": [("article_id", "articles", "id")],
        "not_null": {"sha256", "size", "mtime_ns", "article_id", "ctime_ns", "inode", "read_ns"},
    },
    "article_tags": {
        # folded: the tag in loader.fold's matching form, for case-insensitive filters
        "columns": {"article_id": int, "tag": str, "position": int, "folded": str},
        "pk": ("article_id", "position"),
        "foreign_keys": [("article_id", "articles", "id")],
    },
    "trends": {
        "columns": {
            "id": int,
            "key": str,
            "article_id": int,
            "position": int,  # 1-based order in the article
            "label": str,  # numbering prefix as written ("一", "2", "IV"); NULL if none
            "title": str,  # heading text without the prefix, plain
            "heading": str,  # the heading as written (markdown inline)
            "anchor": str,
            **_text("status_intro"),  # '' when the trend has no status section
            "status_heading": str,
            "routes_heading": str,
            "advice_heading": str,
            **_SPAN,
            # Text around the parts' structure; '' when there is none.
            **_text("intro"),  # under the trend's heading, before its first part
            **_text("status_outro"),  # after the key points
            **_text("routes_intro"),  # before the first route
            **_text("advice_intro"),  # before the first piece of advice
            **_text("advice_outro"),  # after the advice list
        },
        "pk": "id",
        "foreign_keys": [("article_id", "articles", "id")],
        "not_null": {"key", "article_id", "position", "title", "heading", "anchor",
                     "status_intro_md", "status_intro_html", "status_intro_text",
                     "source_path", "start_line", "end_line"},
    },
    "key_points": {
        "columns": {
            "id": int,
            "trend_id": int,
            "position": int,
            "label": str,  # the bold lead-in; NULL when the item has none
            **_text("text"),
            **_SPAN,
        },
        "pk": "id",
        "foreign_keys": [("trend_id", "trends", "id")],
        "not_null": {"trend_id", "position", "text_md", "text_html", "text_text",
                     "source_path", "start_line", "end_line"},
    },
    "routes": {
        "columns": {
            "id": int,
            "key": str,
            "trend_id": int,
            "article_id": int,
            "position": int,
            "label": str,  # "a", "b", ...; NULL if the heading has no prefix
            "name": str,
            **_text("intro"),  # paragraphs under the route heading that are not pros/cons
            **_SPAN,
        },
        "pk": "id",
        "foreign_keys": [("trend_id", "trends", "id"), ("article_id", "articles", "id")],
        "not_null": {"key", "trend_id", "article_id", "position", "name",
                     "intro_md", "intro_html", "intro_text",
                     "source_path", "start_line", "end_line"},
    },
    # Pros and cons of a route, in source order within each kind.
    "route_points": {
        "columns": {
            "id": int,
            "route_id": int,
            "kind": str,  # 'pro' or 'con'
            "position": int,
            **_text("text"),
            **_SPAN,
            "label": str,  # a nested point's own bold lead-in; NULL when none
        },
        "pk": "id",
        "foreign_keys": [("route_id", "routes", "id")],
        "not_null": {"route_id", "kind", "position", "text_md", "text_html",
                     "text_text", "source_path", "start_line", "end_line"},
    },
    "advice": {
        "columns": {
            "id": int,
            "key": str,
            "trend_id": int,
            "article_id": int,
            "position": int,  # the number as written in the ordered list
            "title": str,  # the bold lead-in, plain; '' when the item has none
            **_text("text"),
            **_SPAN,
        },
        "pk": "id",
        "foreign_keys": [("trend_id", "trends", "id"), ("article_id", "articles", "id")],
        "not_null": {"key", "trend_id", "article_id", "position", "title", "text_md",
                     "text_html", "text_text", "source_path", "start_line", "end_line"},
    },
    # Content kept verbatim because it fits no slot (unknown H3, stray blocks).
    "sections": {
        "columns": {
            "id": int,
            "key": str,
            "article_id": int,
            "trend_id": int,  # NULL for a section on the article itself
            "position": int,  # order among the sections of the same owner
            "heading": str,  # '' for stray text without a heading
            **_text("body"),
            **_SPAN,
        },
        "pk": "id",
        "foreign_keys": [("article_id", "articles", "id"), ("trend_id", "trends", "id")],
        "not_null": {"key", "article_id", "position", "heading", "body_md", "body_html",
                     "body_text", "source_path", "start_line", "end_line"},
    },
    # One row per searchable text; its rowid is its rowid in the FTS index,
    # which holds ``loader.tokens.index_text(text)``. ``kind`` is the GraphQL SearchKind.
    # The text itself is not copied here: search_text_sql() reads it from the
    # node's own plain-text column (SEARCH_TEXTS).
    "search_docs": {
        "columns": {
            "id": int,
            "article_id": int,
            "kind": str,  # ARTICLE, TREND, KEY_POINT, ROUTE, ADVICE, SECTION (the hit's type)
            "node_table": str,  # articles, trends, key_points, routes, advice, sections
            "node_id": int,  # id in node_table
            "field": str,  # the hit's field: 'title', 'intro', 'text', 'cons', ... (SearchField)
            # A route's pros and cons: the route_points row holding the text.
            "point_id": int,
        },
        "pk": "id",
        "foreign_keys": [("article_id", "articles", "id")],
        "not_null": {"article_id", "kind", "node_table", "node_id", "field"},
    },
    # Warnings from the last successful load (errors never reach the store).
    "diagnostics": {
        "columns": {"id": int, "path": str, "line": int, "severity": str, "message": str},
        "pk": "id",
    },
    "meta": {
        "columns": {"key": str, "value": str},
        "pk": "key",
    },
}

INDEXES: list[tuple[str, list[str], bool]] = [
    ("articles", ["key"], True),
    ("articles", ["slug"], True),
    ("articles", ["date", "id"], False),
    ("articles", ["year"], False),
    ("articles", ["title", "id"], False),
    ("articles", ["draft"], False),
    ("article_tags", ["tag"], False),
    ("article_tags", ["folded"], False),
    ("trends", ["key"], True),
    ("trends", ["article_id", "position"], False),
    ("key_points", ["trend_id", "position"], False),
    ("routes", ["key"], True),
    ("routes", ["trend_id", "position"], False),
    ("routes", ["article_id"], False),
    ("route_points", ["route_id", "kind", "position"], False),
    ("advice", ["key"], True),
    ("advice", ["trend_id", "position"], False),
    ("advice", ["article_id"], False),
    ("sections", ["key"], True),
    ("sections", ["article_id", "trend_id", "position"], False),
    ("sections", ["trend_id"], False),
    ("search_docs", ["article_id"], False),
    ("search_docs", ["node_table", "node_id"], False),
]

# Tables whose rows belong to one article, children before parents, so that
# deleting an article's rows in this order never violates a foreign key.
ARTICLE_TABLES = ["search_docs", "route_points", "key_points", "advice", "routes",
                  "sections", "trends", "article_tags", "sources", "articles"]

FTS_TABLE = "search_fts"

# Where each search doc's text is stored, by (node_table, field): a column of
# the node (alias n), or an expression over it. A labelled item (a key point,
# a pro or con) is searched as its label, a space and its text
# (loader.store.labelled builds the same string for the index).
_LABELLED = ("CASE WHEN n.label IS NULL OR n.label = '' THEN n.text_text "
             "WHEN n.text_text = '' THEN n.label ELSE n.label || ' ' || n.text_text END")
SEARCH_TEXTS: dict[tuple[str, str], str] = {
    ("articles", "title"): "n.title",
    ("articles", "description"): "n.description",
    ("articles", "intro"): "n.intro_text",
    ("articles", "summary"): "n.summary_text",
    ("sections", "heading"): "n.heading",
    ("sections", "body"): "n.body_text",
    ("trends", "title"): "n.title",
    ("trends", "intro"): "n.intro_text",
    ("trends", "statusIntro"): "n.status_intro_text",
    ("trends", "statusOutro"): "n.status_outro_text",
    ("trends", "routesIntro"): "n.routes_intro_text",
    ("trends", "adviceIntro"): "n.advice_intro_text",
    ("trends", "adviceOutro"): "n.advice_outro_text",
    ("key_points", "text"): _LABELLED,
    ("routes", "name"): "n.name",
    ("routes", "intro"): "n.intro_text",
    ("route_points", "pros"): _LABELLED,
    ("route_points", "cons"): _LABELLED,
    ("advice", "title"): "n.title",
    ("advice", "text"): "n.text_text",
}


def search_text_sql(doc: str = "d") -> str:
    """An SQL expression for the text of the search doc aliased ``doc``: one
    primary-key lookup in its node's table (for pros and cons, in
    route_points by point_id). Unqualified table names, so that a connection
    that hides drafts (api.drafts) reads through its own views."""
    cases = []
    for (table, field), expression in SEARCH_TEXTS.items():
        key = f"{doc}.point_id" if table == "route_points" else f"{doc}.node_id"
        node_table = "routes" if table == "route_points" else table
        cases.append(f"WHEN {doc}.node_table = '{node_table}' AND {doc}.field = '{field}' "
                     f"THEN (SELECT {expression} FROM {table} n WHERE n.id = {key})")
    return "(CASE " + " ".join(cases) + " END)"


def create(db: sqlite_utils.Database) -> None:
    """Create every table, index and the full-text index in an empty database."""
    for name, spec in TABLES.items():
        db[name].create(
            spec["columns"],
            pk=spec["pk"],
            foreign_keys=spec.get("foreign_keys"),
            not_null=spec.get("not_null"),
        )
    for table, columns, unique in INDEXES:
        db[table].create_index(columns, unique=unique)
    # A contentless FTS5 index: the tokens (CJK bigrams and lowercased words,
    # from loader.tokens) are indexed but not stored, since they can always
    # be computed again from search_docs.text; that halves the search data.
    # unicode61 only has to split on the spaces between the tokens.
    db.execute(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
        "tokens, content='', tokenize=\"unicode61 remove_diacritics 0\")"
    )
