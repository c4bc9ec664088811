"""Article bodies' HTML, plain text and headings, derived when asked for.

The store keeps a body only as markdown (loader.body says why); a request
that asks for more derives it with the loader's own functions, and a bounded
cache keeps the bodies asked for most recently, so a popular article is
derived once per worker rather than once per request.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache

from loader.body import BodyForms, derive
from loader.model import Body

# About 30 KB per entry for a typical 7 KB body (markdown, HTML, plain text
# and headings): at most about 8 MB per worker.
CACHE_ENTRIES = 256


@lru_cache(maxsize=CACHE_ENTRIES)
def _derive(markdown: str, first_line: int) -> BodyForms:
    # Keyed by the text itself, not the article's id: a reload that changes a
    # body can never be answered from the cache, and nothing needs clearing.
    return derive(Body(markdown, first_line))


def forms(row: sqlite3.Row) -> BodyForms:
    """The derived forms of the body in ``row`` (body_md and body_line)."""
    return _derive(row["body_md"], row["body_line"])
