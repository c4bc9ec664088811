"""The SQLite schema: the one contract between the loader and the API.

Every node table has an integer ``id`` (internal, may change between loads)
and a text ``key`` that stays stable across loads as long as the article's
slug and the node's position do not change. The API builds its opaque global
IDs from ``key``, so IDs held by clients survive reloads.

Every text field that may contain markdown is read in three forms:
``<field>_md`` (the source), ``<field>_html`` (rendered and sanitised) and
``<field>_text`` (plain text). A node table with such fields is stored as
``<table>_stored`` and read through a view named ``<table>``, which is what
readers (the API, sqlite3, anything else) see: the stored table leaves the
HTML NULL where it is just the markdown in a paragraph, and the plain text
NULL where it is the markdown itself, and the view fills them in (FORMS;
likewise a title's markdown and HTML where they are its plain text,
INLINE_FORMS). Most items are plain sentences, so this stores them once
instead of three times. Search docs are stored and viewed the same way
(loader.search_docs). The article's whole body is kept as ``body_md`` with ``body_line``
and its packed headings, and its HTML and plain text are derived when asked
for (loader.body). Every node records where it came from:
``source_path`` (relative to the content folder), ``start_line`` and
``end_line`` (1-based, inclusive, in the original file).
"""

from __future__ import annotations

import sqlite_utils

from .search_docs import slot_columns_sql

SCHEMA_VERSION = 10

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
            # Last: it spills onto overflow pages, which SQLite walks to reach
            # any column stored after it, and most reads never want it.
            "body_md": str,  # the whole markdown body, unwrapped from its fence
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
    # which holds ``loader.tokens.index_text(text)``. The text itself is not
    # copied here: search_text_sql() reads it from the node's own plain-text
    # column (SEARCH_TEXTS). Stored as search_docs_stored with ``slot`` (a
    # position in SEARCH_SLOTS); the view search_docs adds what the slot
    # stands for: ``kind`` (the GraphQL SearchKind: ARTICLE, TREND, ...),
    # ``node_table`` (articles, trends, ...) and ``field`` (SearchField:
    # 'title', 'intro', 'text', 'cons', ...).
    "search_docs": {
        "columns": {
            "id": int,
            "article_id": int,
            "slot": int,  # which (kind, node_table, field): SEARCH_SLOTS
            "node_id": int,  # id in node_table
            # A route's pros and cons: the route_points row holding the text.
            "point_id": int,
        },
        "pk": "id",
        "foreign_keys": [("article_id", "articles", "id")],
        "not_null": {"article_id", "slot", "node_id"},
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
]

# Tables whose rows belong to one article, children before parents, so that
# deleting an article's rows in this order never violates a foreign key.
ARTICLE_TABLES = ["search_docs", "route_points", "key_points", "advice", "routes",
                  "sections", "trends", "article_tags", "sources", "articles"]

FTS_TABLE = "search_fts"
# How FTS5 splits the tokens it is given (loader.search_bigrams asks it which
# characters it keeps).
FTS_TOKENIZER = "unicode61 remove_diacritics 0"
# How many bytes of new terms FTS5 holds in memory before writing a segment.
FTS_PENDING_BYTES = 16 * 2 ** 20
# The index's terms of two CJK characters, by their last character
# (loader.search_bigrams).
BIGRAM_TABLE = "search_bigrams"

def _forms(columns: dict[str, type]) -> list[str]:
    """The fields stored in the three forms of _text()."""
    return [c[:-3] for c in columns
            if c.endswith("_md") and f"{c[:-3]}_html" in columns and f"{c[:-3]}_text" in columns]


def _inline_forms(columns: dict[str, type]) -> list[str]:
    """The inline texts (a title): plain in the column of their own name."""
    return [c[:-3] for c in columns
            if c.endswith("_md") and c[:-3] in columns and f"{c[:-3]}_html" in columns]


# Tables with fields in three forms: name -> those fields.
FORMS: dict[str, list[str]] = {t: fields for t, spec in TABLES.items()
                               if (fields := _forms(spec["columns"]))}
INLINE_FORMS: dict[str, list[str]] = {t: fields for t, spec in TABLES.items()
                                      if (fields := _inline_forms(spec["columns"]))}
# Tables read through a view of their name (view_sql).
VIEWED = [*FORMS, "search_docs"]


def stored(table: str) -> str:
    """The table that holds ``table``'s rows (the view's name is ``table``)."""
    return f"{table}_stored" if table in VIEWED else table


# The one rule for the HTML that is left out, in Python and in SQL: a
# paragraph of the markdown as written, which is what a plain sentence
# renders to. The loader stores NULL only where the real rendering equals
# it, so reading back through the view is exact by construction.
def paragraph_html(markdown: str) -> str:
    return f"<p>{markdown}</p>\n"


def _paragraph_html_sql(markdown: str) -> str:
    return f"'<p>' || {markdown} || '</p>' || char(10)"


def stored_forms(md: str | None, html: str | None, plain: str | None) -> tuple:
    """The (md, html, plain) to store for a text: html and plain are NULL
    where the view derives them exactly."""
    if md is None:
        return None, html, plain
    return (md, None if html == paragraph_html(md) else html,
            None if plain == md else plain)


def stored_inline_forms(plain: str | None, md: str | None, html: str | None) -> tuple:
    """The (plain, md, html) to store for an inline text: md is NULL where it
    is the plain text, html where it is the markdown (no markup, nothing to escape)."""
    if plain is None:
        return None, md, html
    return plain, None if md == plain else md, None if html == md else html


def view_sql(table: str) -> str:
    """The view that reads ``table`` back with every form filled in (and
    search docs with what their slot stands for)."""
    fields, inline = FORMS.get(table, ()), INLINE_FORMS.get(table, ())
    selected = []
    if table == "search_docs":
        selected = slot_columns_sql()
    for column in TABLES[table]["columns"]:
        field = column.rsplit("_", 1)[0]
        if field in inline and column.endswith("_md"):
            selected.append(f"coalesce({column}, {field}) AS {column}")
        elif field in inline and column.endswith("_html"):
            selected.append(f"coalesce({column}, {field}_md, {field}) AS {column}")
        elif field in fields and column.endswith("_html"):
            selected.append(f"coalesce({column}, {_paragraph_html_sql(field + '_md')}) AS {column}")
        elif field in fields and column.endswith("_text"):
            selected.append(f"coalesce({column}, {field}_md) AS {column}")
        else:
            selected.append(column)
    return f"CREATE VIEW {table} AS SELECT {', '.join(selected)} FROM {stored(table)}"


def create(db: sqlite_utils.Database, indexes: bool = True) -> None:
    """Create every table, view and the full-text index in an empty database,
    and the indexes unless told not to (create_indexes, after a bulk insert)."""
    for name, spec in TABLES.items():
        derived = ({f"{f}_{form}" for f in FORMS.get(name, ()) for form in ("html", "text")}
                   | {f"{f}_{form}" for f in INLINE_FORMS.get(name, ()) for form in ("md", "html")})
        db[stored(name)].create(
            spec["columns"],
            pk=spec["pk"],
            foreign_keys=[(c, stored(t), k) for c, t, k in spec.get("foreign_keys", ())],
            not_null=set(spec.get("not_null", ())) - derived,
        )
        if name in VIEWED:
            db.execute(view_sql(name))
    if indexes:
        create_indexes(db)
    # A contentless FTS5 index: the tokens (CJK bigrams and lowercased words,
    # from loader.tokens) are indexed but not stored, since they can always
    # be computed again from the nodes' text (loader.search_docs).
    # unicode61 only has to split on the spaces between the tokens.
    db.execute(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
               f"tokens, content='', tokenize=\"{FTS_TOKENIZER}\")")
    # FTS5 keeps new terms in memory and writes them out as a segment when they
    # pass its 'hashsize' (1 MiB by default); segments are then merged, again
    # and again as they grow. Written out 16 times less often, the terms of
    # the 10,000-article benchmark corpus went into a new index in 2.2 s
    # instead of 3.2 s, for the same index size and about 19 MB more memory
    # in the writing process (measured beside the default, twice). 'hashsize'
    # is a setting of FTS5's source (fts5_config.c) that its documentation does
    # not list; an SQLite that refused it would make this statement raise.
    db.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES('hashsize', ?)",
               [FTS_PENDING_BYTES])
    # A rowid table: a row of a WITHOUT ROWID table keeps at most about 1 kB in
    # its page, and the rest of a long ``firsts`` took an overflow page of its own.
    db.execute(f"CREATE TABLE {BIGRAM_TABLE} (last TEXT PRIMARY KEY, firsts TEXT NOT NULL)")


def create_indexes(db: sqlite_utils.Database) -> None:
    """The indexes. Built after a fresh store's rows are in, an index is
    written from sorted keys into full pages; built before, it grows by page
    splits that leave pages part empty (1 % of a 1,000-article store)."""
    for table, columns, unique in INDEXES:
        db[stored(table)].create_index(columns, unique=unique)
