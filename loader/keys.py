"""Surrogate keys: the names an HTTP cache knows each response's content by.

A response lists in its ``xkey`` header what it read: ``article:<slug>`` for
every article whose data it holds (or that it looked up and did not find),
and a collection key for what depends on the whole set of articles. A load
writes the keys whose content it changed (``load --changed-keys FILE``), and
``content-api purge`` tells the cache to drop exactly those.

The loader and the API share this module so that both spell keys alike.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

# What depends on the whole collection: pages of lists and an article's
# neighbours (``list``), search (``search``), tag and year counts (``facets``),
# and the stored warnings with live-reload errors (``diagnostics``). Any change
# to any article changes them all.
LIST, SEARCH, FACETS, DIAGNOSTICS = "list", "search", "facets", "diagnostics"
COLLECTION_KEYS = (LIST, SEARCH, FACETS, DIAGNOSTICS)
ARTICLE_PREFIX = "article:"


def article_key(slug: str) -> str:
    """``article:<slug>``, the slug percent-encoded: a header holds only ASCII, and
    xkey splits its list at spaces and commas (a slug from a file name may have either)."""
    return ARTICLE_PREFIX + quote(slug, safe="")


def changed_keys(changed_slugs: set[str], anything_changed: bool) -> list[str]:
    """The keys a load invalidated: each added, changed or removed article, and
    every collection key when anything changed at all."""
    keys = sorted(article_key(slug) for slug in changed_slugs)
    return keys + list(COLLECTION_KEYS) if anything_changed else keys


VERSION_LINE = "# content version: "


def write_keys(path: Path, keys: list[str], content_version: str) -> None:
    """One key a line after a comment naming the content version the load made
    (``purge --replica`` waits for replicas to serve it), written whole or not
    at all (a rename over the target)."""
    path = Path(path)
    temp = path.with_name(f".{path.name}.tmp")
    lines = [VERSION_LINE + content_version, *keys]
    temp.write_text("".join(f"{line}\n" for line in lines), encoding="ascii")
    temp.replace(path)
