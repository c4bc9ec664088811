"""The frontmatter's fields, read the way site generators write them.

Known keys, with the aliases other tools use (keys match in any letter case):

* ``title``, ``description``, ``slug``;
* ``date`` (or ``pubDate``, ``publishDate``, ``published_at``): see loader/dates.py;
* ``updated`` / ``lastmod`` / ``updated_at`` / ``last_modified`` / ``modified``;
* ``tags``: a list, or one string separated by , ， 、 ; or ；;
* ``author`` / ``authors``: a string, a list, or ``{name: …}`` entries;
* ``lang`` / ``language``: a BCP 47 tag; otherwise told from the script;
* ``draft: true`` (or Jekyll's ``published: false``): never public.

Every other key is kept as it is in ``extra``. A key that looks like a
misspelling of a known one (``titel``, ``tag``) gets a warning, since the
author most likely meant the known key.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from .context import ReadContext
from .dates import EXPECTED, When, iso_instant, parse_when
from .language import normalise_tag
from .source import SourceFile

ALIASES = {
    "title": "title", "description": "description", "slug": "slug",
    "date": "date", "pubdate": "date", "publishdate": "date", "published_at": "date",
    "updated": "updated", "lastmod": "updated", "updated_at": "updated",
    "last_modified": "updated", "modified": "updated", "updatedat": "updated",
    "tags": "tags",
    "author": "authors", "authors": "authors",
    "lang": "language", "language": "language",
    "draft": "draft", "published": "published",
}
KNOWN_KEYS = set(ALIASES)
_LIST_SEPARATORS = re.compile(r"[,，、;；]")
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


@dataclass
class Meta:
    title: str | None = None
    date: dt.date | None = None
    published_at: str | None = None
    updated_date: dt.date | None = None
    updated_at: str | None = None
    description: str | None = None  # "" only when written empty
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    language: str | None = None  # None: tell it from the text
    draft: bool = False
    slug: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def default_slug(path: str) -> str:
    return PurePosixPath(path).stem


def split_list(value: str) -> list[str]:
    return [part.strip() for part in _LIST_SEPARATORS.split(value) if part.strip()]


def json_value(value: Any) -> Any:
    """A YAML value as JSON can hold it (dates as ISO text, keys as text)."""
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_value(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _flag_like(value: Any) -> bool:
    return isinstance(value, bool) or (isinstance(value, str)
                                       and value.strip().lower() in _TRUE | _FALSE)


class _Reader:
    def __init__(self, ctx: ReadContext, src: SourceFile) -> None:
        self.ctx = ctx
        self.src = src
        self.meta = Meta(slug=default_slug(src.path))
        # Each known field, with the key it was written under.
        self.fields: dict[str, list[tuple[str, Any]]] = {}

    def line(self, key: str) -> int:
        return self.src.meta_lines.get(key, 1)

    def error(self, key: str, message: str) -> None:
        self.ctx.error(self.line(key), message)

    def read(self) -> Meta:
        for key, value in self.src.meta.items():
            name = ALIASES.get(str(key).lower())
            if name == "published" and not _flag_like(value):
                name = "date"  # "published: 2025-05-20" is a date, not Jekyll's flag
            if name is None:
                self.extra(str(key), value)
            else:
                self.fields.setdefault(name, []).append((key, value))
        for name, written in self.fields.items():
            if len(written) > 1 and name not in ("authors",):
                keys = ", ".join(f"'{k}'" for k, _ in written)
                self.ctx.warn(self.line(written[1][0]), f"frontmatter has {keys} for the same "
                              f"field ({name}); the first one is used")
        self.title()
        self.dates()
        self.description()
        self.tags()
        self.authors()
        self.language()
        self.draft()
        self.slug()
        return self.meta

    def first(self, name: str) -> tuple[str, Any] | None:
        found = self.fields.get(name)
        return found[0] if found else None

    def extra(self, key: str, value: Any) -> None:
        self.meta.extra[key] = json_value(value)
        near = difflib.get_close_matches(key.lower(), KNOWN_KEYS, n=1, cutoff=0.75)
        if near:
            self.ctx.warn(self.line(key), f"frontmatter key '{key}' is not a known key; did you "
                          f"mean '{near[0]}'? It is kept as a custom field (extra)")

    def title(self) -> None:
        found = self.first("title")
        if found is None:
            return
        key, value = found
        if not isinstance(value, (str, int, float)) or not str(value).strip():
            self.error(key, f"frontmatter '{key}' must be non-empty text")
            return
        self.meta.title = str(value).strip()

    def when(self, key: str, value: Any) -> When | None:
        when = parse_when(value, self.ctx.config.timezone)
        if when is None:
            shown = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
            self.error(key, f"invalid {key} {shown!r}: expected {EXPECTED}")
        return when

    def dates(self) -> None:
        found = self.first("date")
        if found is None:
            self.ctx.error(self.src.frontmatter_end_line or 1,
                           "frontmatter has no 'date' (for example date: 2025-05-20)")
        else:
            when = self.when(*found)
            if when is not None:
                self.meta.date, self.meta.published_at = when.date, iso_instant(when.instant)
        found = self.first("updated")
        if found is not None:
            when = self.when(*found)
            if when is not None:
                self.meta.updated_date, self.meta.updated_at = when.date, iso_instant(when.instant)

    def description(self) -> None:
        found = self.first("description")
        if found is None or found[1] is None:
            self.ctx.warn(self.line(found[0]) if found else 1, "frontmatter has no 'description'")
            return
        key, value = found
        if not isinstance(value, (str, int, float)):
            self.error(key, f"frontmatter '{key}' must be text")
            return
        self.meta.description = str(value).strip()
        if not self.meta.description:
            self.ctx.warn(self.line(key), "frontmatter has an empty 'description'")

    def texts(self, key: str, value: Any, what: str) -> list[str] | None:
        """A list of texts from a list or a separated string; None (and an error) otherwise."""
        if value is None:
            return []
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return split_list(str(value))
        if isinstance(value, list):
            out = []
            for entry in value:
                if isinstance(entry, dict) and "name" in entry:
                    entry = entry["name"]
                if not isinstance(entry, (str, int, float)) or isinstance(entry, bool):
                    self.error(key, f"frontmatter '{key}' must be a list of {what}")
                    return None
                if str(entry).strip():
                    out.append(str(entry).strip())
            return out
        if isinstance(value, dict) and "name" in value:
            return self.texts(key, [value], what)
        self.error(key, f"frontmatter '{key}' must be a list of {what}, or {what} separated "
                        "by commas")
        return None

    def tags(self) -> None:
        found = self.first("tags")
        if found is not None:
            tags = self.texts(*found, "tags")
            self.meta.tags = list(dict.fromkeys(tags or []))

    def authors(self) -> None:
        authors: list[str] = []
        for key, value in self.fields.get("authors", []):
            if isinstance(value, str):  # one author; "A, B" and "A、B" are several
                authors.extend(split_list(value))
            else:
                authors.extend(self.texts(key, value, "names") or [])
        self.meta.authors = list(dict.fromkeys(authors))

    def language(self) -> None:
        found = self.first("language")
        if found is None:
            return
        key, value = found
        tag = normalise_tag(str(value)) if isinstance(value, str) else ""
        if tag == "":
            self.error(key, f"frontmatter '{key}' must be a language tag like zh-Hans, ja or en, "
                            f"not {value!r}")
            return
        self.meta.language = tag

    def flag(self, key: str, value: Any) -> bool | None:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        self.error(key, f"frontmatter '{key}' must be true or false, not {value!r}")
        return None

    def draft(self) -> None:
        found = self.first("draft")
        if found is not None and self.flag(*found):
            self.meta.draft = True
        found = self.first("published")  # Jekyll: published: false is a draft
        if found is not None and self.flag(*found) is False:
            self.meta.draft = True

    def slug(self) -> None:
        found = self.first("slug")
        if found is None:
            return
        key, value = found
        slug = str(value).strip() if isinstance(value, (str, int)) else ""
        if not slug or any(c.isspace() or c == "/" for c in slug):
            self.error(key, f"invalid slug {value!r}: use text without spaces or '/'")
            return
        self.meta.slug = slug


def read_meta(ctx: ReadContext, src: SourceFile) -> Meta:
    """The frontmatter's fields; problems go to ``ctx``."""
    return _Reader(ctx, src).read()
