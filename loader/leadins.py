"""Lead-ins of units (list items and top-level paragraphs).

A unit may open with a label before its text, written in several ways:

* a bold run: ``- **优点**：…``, ``**Label**: …`` (read by the parser, blocks.py);
* a plain word and a separator: ``- 优点：…``, ``Benefits - …``;
* a marker that numbers it: ``（1）…``, ``1、…``, ``①…``, ``第一，…``, ``首先，…``,
  ``First, …``, optionally followed by a bold title: ``(2) **标题**：…``.

Each function returns a ``Lead``: the label, and where the unit's own text
starts in the source, so that neither the label nor its separator is stored
in the text. The plain-text forms are read from the parser's plain text of
the unit, never from markdown syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .context import SEPARATORS, ReadContext, Unit
from .numbering import chinese_number

# Separators a plain lead-in may end with, and how far into the unit it may be.
_PLAIN_SEPARATORS = re.compile(r"[:：]|\s[-—–]\s|—|–")
_PLAIN_LEAD_CHARS = 24

_CN = "一二三四五六七八九十"
_WORDLIKE = re.compile(r"[^\W_]")  # a letter, digit or CJK character: not a symbol
_MARKERS = [
    re.compile(rf"[(（]\s*(\d+|[{_CN}]+)\s*[)）]\s*"),
    re.compile(r"(\d+)\s*(?:[、．）)]|\.(?!\d))\s*"),
    re.compile(r"([\u2460-\u2473])\s*"),
    re.compile(rf"第\s*(\d+|[{_CN}]+)\s*(?:点|条|项|步|个)?\s*[，,、:：]\s*"),
]


@dataclass(frozen=True)
class Lead:
    label: str | None  # plain text of the lead-in, without separators
    start: int  # byte offset where the unit's own text starts
    number: int | None = None  # a marker's number (advice paragraphs)


def strip_separators(text: str) -> str:
    return text.strip().strip(SEPARATORS + " ").strip()


def bold_label(ctx: ReadContext, unit: Unit) -> tuple[str, int] | None:
    """The label of the bold run that opens the unit, after nothing but symbols
    if any ("✅ **优点**：…", "🚀 **Label**: …"), and the offset where the run ends."""
    if unit.lead is not None:
        return strip_separators(unit.lead) or unit.lead, unit.lead_end
    if unit.strong_start < 0 or unit.content_start < 0 or not unit.strong_text:
        return None
    before = ctx.doc.plain(unit.content_start, unit.strong_start)
    if _WORDLIKE.search(before):
        return None
    return strip_separators(unit.strong_text) or unit.strong_text, unit.strong_end


def bold_lead(ctx: ReadContext, unit: Unit) -> Lead | None:
    """``**Label**：text``: the bold run that opens the unit (bold_label), and
    where the unit's own text starts after it and its separator."""
    found = bold_label(ctx, unit)
    if found is None:
        return None
    label, end = found
    return Lead(label, ctx.skip_separator(end, unit.end))


def plain_lead(ctx: ReadContext, unit: Unit, accept: Callable[[str], bool]) -> Lead | None:
    """``优点：text``: a short plain label and a separator, if ``accept(label)``."""
    if unit.content_start < 0:
        return None
    head = ctx.doc.plain(unit.content_start, unit.end)[:_PLAIN_LEAD_CHARS + 3]
    found = _PLAIN_SEPARATORS.search(head)
    if not found or found.start() > _PLAIN_LEAD_CHARS:
        return None
    label = head[:found.start()].strip()
    if not label or not accept(label):
        return None
    after = _source_after(ctx, unit, head[:found.end()])
    return None if after is None else Lead(label, ctx.skip_separator(after, unit.end))


def marker_lead(ctx: ReadContext, unit: Unit) -> Lead | None:
    """``（1）…``, ``1、…``, ``①…``, ``第一，…``, ``首先，…``: a marker that numbers the
    unit, then an optional bold title."""
    if unit.content_start < 0:
        return None
    head = ctx.doc.plain(unit.content_start, unit.end)[:40]
    number = None
    marker = None
    for pattern in _MARKERS:
        found = pattern.match(head)
        if found:
            marker, number = found.group(0), _number(found.group(1))
            break
    if marker is None:
        word = ctx.vocabulary.ordinal(head)
        if word is None:
            return None
        rest = head[len(word):]
        marker = word + rest[:len(rest) - len(rest.lstrip(" ,，、:："))]
    after = _source_after(ctx, unit, marker)
    if after is None:
        return None
    start = _skip_spaces(ctx, after, unit.end)
    title = None
    if unit.strong_start >= start and not ctx.doc.source(start, unit.strong_start).strip():
        title = strip_separators(unit.strong_text) or unit.strong_text
        start = ctx.skip_separator(unit.strong_end, unit.end)
    return Lead(title, start, number)


def _number(label: str) -> int | None:
    if len(label) == 1 and 0x2460 <= ord(label) <= 0x2473:
        return ord(label) - 0x2460 + 1
    if label.isdecimal():
        return int(label)
    return chinese_number(label)


def _skip_spaces(ctx: ReadContext, offset: int, end: int) -> int:
    raw = ctx.doc.raw
    while offset < end and raw[offset:offset + 1] in (b" ", b"\t", b"\n"):
        offset += 1
    return offset


def _source_after(ctx: ReadContext, unit: Unit, plain_head: str) -> int | None:
    """The byte offset in the source just after the characters of
    ``plain_head`` (the unit's plain text up to there), skipping the markup
    between them (``**``, backslashes)."""
    source = ctx.doc.source(unit.content_start, unit.end)
    position = 0
    for ch in plain_head:
        if ch.isspace():
            continue
        found = source.find(ch, position)
        if found < 0:
            return None
        position = found + 1
    return unit.content_start + len(source[:position].encode())
