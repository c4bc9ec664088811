"""The article model: what the parser produces and the store writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """Where something came from: 1-based, inclusive lines of one file."""

    path: str
    start_line: int
    end_line: int


@dataclass(frozen=True)
class Text:
    """A markdown text with its derived forms."""

    md: str
    html: str
    plain: str


EMPTY = Text("", "", "")


@dataclass
class KeyPoint:
    position: int
    label: str | None
    text: Text
    span: Span


@dataclass
class RoutePoint:
    kind: str  # 'pro' or 'con'
    position: int
    text: Text
    span: Span
    label: str | None = None  # a nested point's own bold lead-in ("**成本低**：…")


@dataclass
class Route:
    position: int
    label: str | None
    name: str
    intro: Text
    points: list[RoutePoint]
    span: Span

    @property
    def pros(self) -> list[RoutePoint]:
        return [p for p in self.points if p.kind == "pro"]

    @property
    def cons(self) -> list[RoutePoint]:
        return [p for p in self.points if p.kind == "con"]


@dataclass
class Advice:
    position: int
    title: str
    text: Text
    span: Span


@dataclass
class Section:
    """Content that fits no slot, kept verbatim with its heading."""

    position: int
    heading: str
    body: Text
    span: Span


@dataclass
class Heading:
    level: int
    text: str
    anchor: str
    line: int
    markdown: str  # the heading as written, without the #s


@dataclass
class Trend:
    position: int
    label: str | None
    title: str
    heading: str
    anchor: str
    status_intro: Text
    key_points: list[KeyPoint]
    routes: list[Route]
    advice: list[Advice]
    sections: list[Section]
    span: Span
    status_heading: str | None = None
    routes_heading: str | None = None
    advice_heading: str | None = None
    intro: Text = EMPTY  # text under the trend's heading, before its first part
    status_outro: Text = EMPTY  # text after the key points
    routes_intro: Text = EMPTY  # text before the first route
    advice_intro: Text = EMPTY  # text before the first piece of advice
    advice_outro: Text = EMPTY  # text after the advice list


@dataclass(frozen=True)
class Body:
    """A body as stored: its markdown, without blank lines around it, and the
    file line that markdown starts on (its HTML and plain text: loader.body)."""

    markdown: str
    first_line: int


@dataclass
class Article:
    slug: str
    title: Text  # inline: from the frontmatter, or the lone H1
    date: dt.date
    description: Text | None  # inline; None when the frontmatter has none
    tags: list[str]
    intro: Text
    summary: Text | None
    summary_heading: str | None
    body: Body
    word_count: int
    reading_time_minutes: int
    headings: list[Heading]
    trends: list[Trend]
    sections: list[Section]
    span: Span
    warnings: list = field(default_factory=list)
    intro_heading: str | None = None  # the intro's own H2 (前言, Introduction), if any
    draft: bool = False
    published_at: str | None = None  # ISO 8601 instant, when the date has a time
    updated_date: dt.date | None = None
    updated_at: str | None = None  # ISO 8601 instant, when the updated date has a time
    authors: list[str] = field(default_factory=list)
    language: str = "en"  # BCP 47: zh-Hans, zh-Hant, ja, en, ...
    extra: dict = field(default_factory=dict)  # frontmatter keys the format does not define
    coverage: tuple[int, int] = (0, 0)  # units under trends in typed slots, units in all
