"""Drafts are never public: every query of a public server reads past them.

A draft article (``draft: true``) is stored like any other, so that
``serve --drafts`` can preview it from the same file. A public connection
hides drafts by shadowing each content table with a TEMP view of the same
name that leaves out the rows of draft articles: SQLite resolves an
unqualified table name in the temp schema first, so every statement of the
API, written now or later, reads the views. The full-text index cannot be
shadowed; drafts' entries carry a token that public searches exclude
(``search_expression``). Stores without drafts get no views at all.
"""

from __future__ import annotations

import sqlite3

from loader.tokens import DRAFT_TOKEN

_DRAFTS = "(SELECT id FROM main.articles WHERE draft = 1)"
_DRAFT_TRENDS = f"(SELECT id FROM main.trends WHERE article_id IN {_DRAFTS})"
_DRAFT_ROUTES = f"(SELECT id FROM main.routes WHERE article_id IN {_DRAFTS})"

VIEWS = {
    "articles": "draft = 0",
    "article_tags": f"article_id NOT IN {_DRAFTS}",
    "trends": f"article_id NOT IN {_DRAFTS}",
    "routes": f"article_id NOT IN {_DRAFTS}",
    "advice": f"article_id NOT IN {_DRAFTS}",
    "sections": f"article_id NOT IN {_DRAFTS}",
    "search_docs": f"article_id NOT IN {_DRAFTS}",
    "key_points": f"trend_id NOT IN {_DRAFT_TRENDS}",
    "route_points": f"route_id NOT IN {_DRAFT_ROUTES}",
    "diagnostics": "path NOT IN (SELECT source_path FROM main.articles WHERE draft = 1)",
}


def has_drafts(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM main.articles WHERE draft = 1 LIMIT 1").fetchone() is not None


def hide_drafts(conn: sqlite3.Connection) -> bool:
    """Shadow the content tables on ``conn`` (before it is made query-only).
    Returns whether there were drafts to hide."""
    if not has_drafts(conn):
        return False
    for table, condition in VIEWS.items():
        conn.execute(f"CREATE TEMP VIEW {table} AS SELECT * FROM main.{table} WHERE {condition}")
    return True


def search_expression(expression: str, drafts_hidden: bool) -> str:
    """An FTS5 MATCH expression that leaves out drafts' entries when they are hidden."""
    if not drafts_hidden:
        return expression
    return f'({expression}) NOT "{DRAFT_TOKEN}"'
