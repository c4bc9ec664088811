"""An article body's derived forms: its headings, its HTML and its plain text.

The store keeps the body only as markdown, with the file line it starts on,
and its headings packed small: the HTML and plain text are rarely asked for
and together weigh twice the markdown (see BENCHMARKS.md, *Store size*). The
loader (for word counts and heading anchors) and the API (when a client
asks) derive them with these same functions, so both always agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from .blocks import Document
from .model import Body, Heading, Text
from .text import Anchors, text_of


def stored_body(doc: Document) -> Body:
    """The body as stored: the document without blank lines around it."""
    leading = len(doc.markdown) - len(doc.markdown.lstrip("\n"))
    return Body(doc.markdown.strip("\n"), doc.first_line + leading)


def headings_of(doc: Document) -> list[Heading]:
    """Every heading, in order, with the anchor the rendered HTML gives it."""
    anchors = Anchors()
    return [Heading(b.level, b.text, anchors(b.text), doc.line(b.start), doc.heading_markdown(b))
            for b in doc.headings()]


def pack_headings(headings: list[Heading]) -> str:
    """The headings as stored: a JSON array of [level, line, text]. Anchors are
    left out, since unpack_headings computes them again from the texts."""
    return json.dumps([[h.level, h.line, h.text] for h in headings], ensure_ascii=False)


@lru_cache(maxsize=1024)
def unpack_headings(packed: str) -> tuple[tuple[int, str, str, int], ...]:
    """(level, text, anchor, line) of each packed heading, as headings_of gave
    them. Cached (keyed by the packed text, so never stale): an article page
    asks for the same headings on every request, and anchors cost a regex each."""
    anchors = Anchors()
    return tuple((level, text, anchors(text), line) for level, line, text in json.loads(packed))


def anchored_markdown(doc: Document, anchor_at: dict[int, str], start: int, end: int
                      ) -> str | None:
    """The blocks' markdown from ``start`` to ``end`` with ``{#anchor}`` after
    each heading (rewritten from its own text, without its closing #s), so
    that the HTML's headings carry the anchors of Article.headings; None when
    the range holds no heading. ``anchor_at``: heading line -> anchor."""
    heads = doc.headings_in(start, end)
    if not heads:
        return None
    first = doc.raw.rfind(b"\n", 0, start) + 1
    lines = doc.source(first, end).split("\n")
    base = doc.line(first)
    for head in heads:
        anchor = anchor_at.get(doc.line(head.start))
        if anchor is None:
            continue
        at = doc.line(head.start) - base
        text = doc.heading_markdown(head)
        last = doc.last_line(head.end) - base
        if last > at:  # setext: the text lines, then the underline
            lines[at:last] = [f"{text} {{#{anchor}}}"] + [""] * (last - at - 1)
        else:
            lines[at] = f"{'#' * head.level} {text} {{#{anchor}}}"
    return "\n".join(lines).rstrip().lstrip("\n")


def plain_of(doc: Document) -> str:
    return doc.plain(0, len(doc.raw))


@dataclass(frozen=True)
class BodyForms:
    headings: list[Heading]
    text: Text  # markdown, sanitised HTML with heading ids, plain text


def derive(body: Body) -> BodyForms:
    """Every derived form of a stored body (a markdown parse, a render and a
    sanitise: about a millisecond for a 7 KB body)."""
    doc = Document(body.markdown, body.first_line)
    headings = headings_of(doc)
    anchored = anchored_markdown(doc, {h.line: h.anchor for h in headings}, 0, len(doc.raw))
    return BodyForms(headings, text_of(body.markdown, plain_of(doc), anchored))
