"""The content types of the schema: Node and the article tree under it.

Objects are built from database rows (``from_row``). Plain fields are set
up front; text fields read the column for the requested format; relations
go through the request's DataLoaders.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from enum import Enum
from typing import Annotated, Optional

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api import body, ids, navigation
from loader.body import unpack_headings
from loader.text import excerpt
from api.errors import bad_input
from api.loaders import (ADVICE_OF_TREND, ARTICLE_OF, BODY_OF_ARTICLE,
                         KEY_POINTS_OF_TREND, POINTS_OF_ROUTE, POINTS_OF_ROUTE_BY_KIND,
                         ROUTES_OF_TREND, SECTIONS_OF_ARTICLE, SECTIONS_OF_TREND,
                         TREND_OF, TRENDS_OF_ARTICLE, Context, related)


@strawberry.enum(description="How a text field is rendered.")
class TextFormat(Enum):
    MARKDOWN = strawberry.enum_value("md", description="The markdown source, as written.")
    HTML = strawberry.enum_value("html", description="HTML rendered from the markdown and sanitised.")
    PLAIN = strawberry.enum_value("text", description="Plain text, without any markup.")


FormatArg = Annotated[TextFormat, strawberry.argument(description="How to render the text.")]
ContextInfo = Info[Context, None]


@strawberry.interface(description="An object with a stable, opaque global ID. Fetch any node by ID "
                                  "with `node` or `nodes`. IDs survive content reloads.")
class Node:
    id: strawberry.ID = strawberry.field(description="The opaque global ID of this object.")


@strawberry.type(description="Where an object came from in its source file.")
class SourceSpan:
    path: str = strawberry.field(description="Path of the markdown file, relative to the content folder.")
    start_line: int = strawberry.field(description="First line of the span (1-based).")
    end_line: int = strawberry.field(description="Last line of the span (1-based, inclusive).")

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> "SourceSpan":
        return cls(path=row["source_path"], start_line=row["start_line"], end_line=row["end_line"])


@strawberry.type(description="A heading of an article's body, for a table of contents.")
class Heading:
    level: int = strawberry.field(description="Heading level, 1 to 6 (`##` is 2).")
    text: str = strawberry.field(description="The heading's plain text.")
    anchor: str = strawberry.field(description="The id of the heading in `Article.body(format: "
                                              "HTML)` (and in any section's HTML): link to "
                                              "`#anchor`.")
    line: int = strawberry.field(description="Line of the heading in the source file (1-based).")


# `fmt._value_`, not `fmt.value`: Enum.value is a descriptor costing a few µs, read
# once per text field of every object.
def _text(row: sqlite3.Row, name: str, fmt: TextFormat) -> str:
    return row[f"{name}_{fmt._value_}"]


_TEXT_ATTRIBUTES = {TextFormat.MARKDOWN: "md", TextFormat.HTML: "html", TextFormat.PLAIN: "plain"}


def _text_form(text, fmt: TextFormat) -> str:
    """One form of a loader.model.Text."""
    return getattr(text, _TEXT_ATTRIBUTES[fmt])


def _optional_text(row: sqlite3.Row, name: str, fmt: TextFormat) -> str | None:
    """A text the source may not have: null when absent (nothing written), in
    every format alike; markdown that renders to nothing is still ``""``."""
    return row[f"{name}_{fmt._value_}"] if row[f"{name}_md"] else None


def _inline(row: sqlite3.Row, name: str, fmt: TextFormat) -> str | None:
    """A title or description: its plain form is the column of its own name."""
    return row[name] if fmt is TextFormat.PLAIN else row[f"{name}_{fmt._value_}"]


InlineFormatArg = Annotated[TextFormat, strawberry.argument(
    description="How to render the text: PLAIN (the default) has no markup at all; HTML is "
                "inline (no enclosing paragraph) and sanitised; MARKDOWN is as written.")]


def _instant(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


@strawberry.type(description="An analysis article: one markdown file with its trends.")
class Article(Node):
    row: strawberry.Private[sqlite3.Row]
    slug: str = strawberry.field(description="URL-safe unique name of the article.")
    date: datetime.date = strawberry.field(description="Publication date.")
    year: int = strawberry.field(description="Year of the publication date.")
    word_count: int = strawberry.field(description="Words in the body (a CJK character counts as one).")
    reading_time_minutes: int = strawberry.field(description="Estimated reading time, in whole minutes.")
    summary_heading: Optional[str] = strawberry.field(
        description="The summary's heading as written (e.g. 总结); null without a summary.")
    source: SourceSpan = strawberry.field(description="Where the article is in its source file.")
    intro_heading: Optional[str] = strawberry.field(
        description="The intro's own heading as written (前言, Introduction); null when the intro "
                    "has none.")
    draft: bool = strawberry.field(
        description="True for a draft (`draft: true`). Drafts are never public: only a preview "
                    "server (`serve --drafts`) returns them.")
    published_at: Optional[datetime.datetime] = strawberry.field(
        description="The publication instant, with its offset, when the frontmatter date has a "
                    "time (2025-05-20T14:30:00+08:00); null for a plain date. A time written "
                    "without an offset is read in the content folder's timezone (UTC by default).")
    updated_date: Optional[datetime.date] = strawberry.field(
        description="The day of the last update (`updated`, `lastmod` or `updated_at`), in the "
                    "article's own timezone; null when not given.")
    updated_at: Optional[datetime.datetime] = strawberry.field(
        description="The instant of the last update, when it was given with a time; null otherwise.")
    language: str = strawberry.field(
        description="The article's language (BCP 47): from `lang`/`language` (region dropped, "
                    "Chinese as zh-Hans or zh-Hant), otherwise told from its script: zh-Hans, "
                    "zh-Hant, ja or en.")

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> "Article":
        return cls(
            row=row,
            id=strawberry.ID(ids.encode("Article", row["key"])),
            slug=row["slug"],
            date=datetime.date.fromisoformat(row["date"]),
            year=row["year"],
            word_count=row["word_count"],
            reading_time_minutes=row["reading_time_minutes"],
            summary_heading=row["summary_heading"],
            source=SourceSpan.from_row(row),
            intro_heading=row["intro_heading"],
            draft=bool(row["draft"]),
            published_at=_instant(row["published_at"]),
            updated_date=datetime.date.fromisoformat(row["updated_date"])
            if row["updated_date"] else None,
            updated_at=_instant(row["updated_at"]),
            language=row["language"],
        )

    @classmethod
    def with_body(cls, row: sqlite3.Row) -> "Article":
        """An article from a row that has its body too (queries.ARTICLE_WITH_BODY_COLUMNS)."""
        article = cls.from_row(row)
        article._body = row
        return article

    # Tags, authors, extra and headings are JSON in the row: decoded only when asked for.

    @strawberry.field(description="The authors' names, in frontmatter order (`author` or `authors`).")
    def authors(self) -> list[str]:
        return json.loads(self.row["authors"])

    @strawberry.field(description="Frontmatter keys the article format does not define (cover, "
                                  "categories, series, ...), with their values as written: a JSON "
                                  "object, empty when there are none.")
    def extra(self) -> JSON:
        return json.loads(self.row["extra"])

    @strawberry.field(description="Tags, in the order the article lists them.")
    def tags(self) -> list[str]:
        return json.loads(self.row["tags"])

    @strawberry.field(description="Every heading of the body, in order.")
    def headings(self) -> list[Heading]:
        return [Heading(level=level, text=text, anchor=anchor, line=line)
                for level, text, anchor, line in unpack_headings(self.row["headings"])]

    @strawberry.field(description="The article's title: the frontmatter `title`, or its lone "
                                  "H1 heading.")
    def title(self, format: InlineFormatArg = TextFormat.PLAIN) -> str:
        return _inline(self.row, "title", format)

    @strawberry.field(description="The one-line description from the frontmatter; null when it "
                                  "has none, empty when it is written empty.")
    def description(self, format: InlineFormatArg = TextFormat.PLAIN) -> Optional[str]:
        return _inline(self.row, "description", format)

    @strawberry.field(description="The introduction before the first trend; null when there "
                                  "is none.")
    def intro(self, format: FormatArg = TextFormat.MARKDOWN) -> Optional[str]:
        return _optional_text(self.row, "intro", format)

    @strawberry.field(description="The closing summary; null when the article has none.")
    def summary(self, format: FormatArg = TextFormat.MARKDOWN) -> Optional[str]:
        return _optional_text(self.row, "summary", format)

    @strawberry.field(description="The whole body, unwrapped from its code fence.")
    def body(self, info: ContextInfo, format: FormatArg = TextFormat.MARKDOWN) -> str:
        row = self._body_row(info)
        if format is TextFormat.MARKDOWN:
            return row["body_md"]
        return _text_form(body.forms(row).text, format)

    def _body_row(self, info: ContextInfo) -> sqlite3.Row:
        # Article rows leave the body out (api.queries.ARTICLE_COLUMNS); it is
        # loaded for the whole family the first time one member asks, unless
        # the article was looked up alone (with_body).
        body = self.__dict__.get("_body")
        return body if body is not None else related(info.context.loaders, self,
                                                     BODY_OF_ARTICLE)

    @strawberry.field(description="The start of the introduction (or of the body, when there is "
                                  "no introduction) as plain text, cut after the last whole "
                                  "sentence that fits (。！？.!? end sentences); a first sentence "
                                  "longer than `length` is cut and ended with an ellipsis.")
    def excerpt(
        self,
        info: ContextInfo,
        length: Annotated[int, strawberry.argument(
            description="Maximum length in characters, 1 to 2000.")] = 200,
    ) -> str:
        if not 1 <= length <= 2000:
            raise bad_input("`length` must be between 1 and 2000.", argument="length")
        text = self.row["intro_text"] or body.forms(self._body_row(info)).text.plain
        return excerpt(text, length)

    # Relations load for the object's whole family at once (api.loaders.related):
    # one statement per level, and plain lists, not futures.

    @strawberry.field(description="The article's trends, in order.")
    def trends(self, info: ContextInfo) -> list[Trend]:
        return related(info.context.loaders, self, TRENDS_OF_ARTICLE, Trend.from_row)

    @strawberry.field(description="Extra sections of the article kept verbatim (not inside a trend).")
    def sections(self, info: ContextInfo) -> list[Section]:
        return related(info.context.loaders, self, SECTIONS_OF_ARTICLE, Section.from_row)

    # Navigation: what an article page shows around the article (api.navigation).

    @strawberry.field(description="The article published just before this one (by `date`, then "
                                  "by id: the order of `orderBy: DATE_ASC`); null for the first.")
    def previous(self, info: ContextInfo) -> Optional["Article"]:
        return navigation.neighbour_of(info, self, "previous", Article.from_row)

    @strawberry.field(description="The article published just after this one; null for the last.")
    def next(self, info: ContextInfo) -> Optional["Article"]:
        return navigation.neighbour_of(info, self, "next", Article.from_row)

    @strawberry.field(description="Articles related to this one: those sharing the most tags "
                                  "first (tags compared ignoring case and script), then the "
                                  "newest; never the article itself.")
    def related(self, info: ContextInfo, first: Annotated[int, strawberry.argument(
            description="How many, 1 to 20.")] = 5) -> list["Article"]:
        if not 1 <= first <= 20:
            raise bad_input("`first` must be between 1 and 20.", argument="first")
        return navigation.related_of(info, self, first, Article.from_row)


def _article(info: ContextInfo, obj) -> Article:
    return related(info.context.loaders, obj, ARTICLE_OF, Article.from_row)


def _trend(info: ContextInfo, obj) -> Trend | None:
    return related(info.context.loaders, obj, TREND_OF, Trend.from_row)


@strawberry.type(description="One of an article's trends (an H2 section), with its status, "
                             "key points, technical routes and advice.")
class Trend(Node):
    row: strawberry.Private[sqlite3.Row]
    position: int = strawberry.field(description="1-based order of the trend in its article.")
    label: Optional[str] = strawberry.field(
        description="The numbering prefix as written (一, 2, IV); null when there is none.")
    title: str = strawberry.field(description="The heading's text without the numbering prefix.")
    anchor: str = strawberry.field(description="The anchor of the trend's heading in the article HTML.")
    source: SourceSpan = strawberry.field(description="Where the trend is in its source file.")

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> "Trend":
        return cls(row=row, id=strawberry.ID(ids.encode("Trend", row["key"])),
                   position=row["position"], label=row["label"], title=row["title"],
                   anchor=row["anchor"], source=SourceSpan.from_row(row))

    @strawberry.field(description="The article this trend belongs to.")
    def article(self, info: ContextInfo) -> Article:
        return _article(info, self)

    @strawberry.field(description="Text under the trend's heading, before its first part; "
                                  "null when none.")
    def intro(self, format: FormatArg = TextFormat.MARKDOWN) -> Optional[str]:
        return _optional_text(self.row, "intro", format)

    @strawberry.field(description="The text that introduces the current status; null when none.")
    def status_intro(self, format: FormatArg = TextFormat.MARKDOWN) -> Optional[str]:
        return _optional_text(self.row, "status_intro", format)

    @strawberry.field(description="Text of the status part after its key points; null when none.")
    def status_outro(self, format: FormatArg = TextFormat.MARKDOWN) -> Optional[str]:
        return _optional_text(self.row, "status_outro", format)

    @strawberry.field(description="Text of the routes part before its first route (a comparison "
                                  "table, say); null when none.")
    def routes_intro(self, format: FormatArg = TextFormat.MARKDOWN) -> Optional[str]:
        return _optional_text(self.row, "routes_intro", format)

    @strawberry.field(description="Text of the advice part before its first item; null when none.")
    def advice_intro(self, format: FormatArg = TextFormat.MARKDOWN) -> Optional[str]:
        return _optional_text(self.row, "advice_intro", format)

    @strawberry.field(description="Text of the advice part after its list; null when none.")
    def advice_outro(self, format: FormatArg = TextFormat.MARKDOWN) -> Optional[str]:
        return _optional_text(self.row, "advice_outro", format)

    @strawberry.field(description="The key points of the current status, in order.")
    def key_points(self, info: ContextInfo) -> list[KeyPoint]:
        return related(info.context.loaders, self, KEY_POINTS_OF_TREND, KeyPoint.from_row)

    @strawberry.field(description="The technical routes compared under this trend, in order.")
    def routes(self, info: ContextInfo) -> list[Route]:
        return related(info.context.loaders, self, ROUTES_OF_TREND, Route.from_row)

    @strawberry.field(description="Advice for developers under this trend, in order.")
    def advice(self, info: ContextInfo) -> list[Advice]:
        return related(info.context.loaders, self, ADVICE_OF_TREND, Advice.from_row)

    @strawberry.field(description="Extra sections inside this trend kept verbatim.")
    def sections(self, info: ContextInfo) -> list[Section]:
        return related(info.context.loaders, self, SECTIONS_OF_TREND, Section.from_row)


@strawberry.type(description="A key point of a trend's status: a list item, usually with a bold lead-in.")
class KeyPoint:
    row: strawberry.Private[sqlite3.Row]
    position: int = strawberry.field(description="1-based order among the trend's key points.")
    label: Optional[str] = strawberry.field(description="The bold lead-in, plain; null when none.")
    source: SourceSpan = strawberry.field(description="Where the key point is in its source file.")

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> "KeyPoint":
        return cls(row=row, position=row["position"], label=row["label"],
                   source=SourceSpan.from_row(row))

    @strawberry.field(description="The trend this key point belongs to.")
    def trend(self, info: ContextInfo) -> Trend:
        return _trend(info, self)

    @strawberry.field(description="The key point's text, without its lead-in; null when the "
                                  "point is only a lead-in.")
    def text(self, format: FormatArg = TextFormat.MARKDOWN) -> Optional[str]:
        return _optional_text(self.row, "text", format)


@strawberry.type(description="A technical route compared under a trend, with its pros and cons.")
class Route(Node):
    row: strawberry.Private[sqlite3.Row]
    position: int = strawberry.field(description="1-based order among the trend's routes.")
    label: Optional[str] = strawberry.field(
        description="The prefix as written (a, b, ...); null when there is none.")
    name: str = strawberry.field(description="The route's name, without its prefix.")
    source: SourceSpan = strawberry.field(description="Where the route is in its source file.")

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> "Route":
        return cls(row=row, id=strawberry.ID(ids.encode("Route", row["key"])),
                   position=row["position"], label=row["label"], name=row["name"],
                   source=SourceSpan.from_row(row))

    @strawberry.field(description="The trend this route belongs to.")
    def trend(self, info: ContextInfo) -> Trend:
        return _trend(info, self)

    @strawberry.field(description="The article this route belongs to.")
    def article(self, info: ContextInfo) -> Article:
        return _article(info, self)

    @strawberry.field(description="Text under the route's heading that is neither a pro nor a con.")
    def intro(self, format: FormatArg = TextFormat.MARKDOWN) -> Optional[str]:
        return _optional_text(self.row, "intro", format)

    @strawberry.field(description="The route's advantages, in order.")
    def pros(self, info: ContextInfo, format: FormatArg = TextFormat.MARKDOWN) -> list[str]:
        return self._points(info, "pro", format)

    @strawberry.field(description="The route's drawbacks, in order.")
    def cons(self, info: ContextInfo, format: FormatArg = TextFormat.MARKDOWN) -> list[str]:
        return self._points(info, "con", format)

    def _points(self, info: ContextInfo, kind: str, format: TextFormat) -> list[str]:
        column = f"text_{format._value_}"
        return [row[column] for row in related(info.context.loaders, self, POINTS_OF_ROUTE_BY_KIND)
                if row["kind"] == kind]

    @strawberry.field(description="Every pro and con in source order, typed, with the label a "
                                  "point was given in a nested list (`- **成本低**：…`).")
    def points(self, info: ContextInfo) -> list[RoutePoint]:
        return related(info.context.loaders, self, POINTS_OF_ROUTE, RoutePoint.from_row)


@strawberry.enum(description="Whether a route point is an advantage or a drawback.")
class PointKind(Enum):
    PRO = strawberry.enum_value("pro", description="An advantage (优点, Pros, メリット, ...).")
    CON = strawberry.enum_value("con", description="A drawback (缺点, Cons, デメリット, ...).")


@strawberry.type(description="One pro or con of a route.")
class RoutePoint:
    row: strawberry.Private[sqlite3.Row]
    kind: PointKind = strawberry.field(description="PRO or CON.")
    position: int = strawberry.field(description="1-based order among the route's points of its kind.")
    label: Optional[str] = strawberry.field(
        description="The point's own bold lead-in, when it has one (a nested list under "
                    "`**优点**`); null otherwise.")
    source: SourceSpan = strawberry.field(description="Where the point is in its source file.")

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> "RoutePoint":
        return cls(row=row, kind=PointKind(row["kind"]), position=row["position"],
                   label=row["label"], source=SourceSpan.from_row(row))

    @strawberry.field(description="The point's text, without its lead-in; null when the point "
                                  "is only a lead-in.")
    def text(self, format: FormatArg = TextFormat.MARKDOWN) -> Optional[str]:
        return _optional_text(self.row, "text", format)


@strawberry.type(description="A piece of advice for developers under a trend.")
class Advice(Node):
    row: strawberry.Private[sqlite3.Row]
    position: int = strawberry.field(description="The number of the item as written in its list.")
    label: Optional[str] = strawberry.field(
        description="The bold lead-in, plain; null when there is none (as KeyPoint.label).")
    title: str = strawberry.field(
        description="The bold lead-in, plain; empty when there is none.",
        deprecation_reason="Use `label`, which is null when there is no lead-in. (`title` stays "
                           "non-null so that it merges with `Trend.title` and `Article.title` "
                           "in one selection on SearchResult.)")
    source: SourceSpan = strawberry.field(description="Where the advice is in its source file.")

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> "Advice":
        return cls(row=row, id=strawberry.ID(ids.encode("Advice", row["key"])),
                   position=row["position"], label=row["title"] or None, title=row["title"],
                   source=SourceSpan.from_row(row))

    @strawberry.field(description="The trend this advice belongs to.")
    def trend(self, info: ContextInfo) -> Trend:
        return _trend(info, self)

    @strawberry.field(description="The article this advice belongs to.")
    def article(self, info: ContextInfo) -> Article:
        return _article(info, self)

    @strawberry.field(description="The advice's text, without its lead-in; null when the item "
                                  "is only a lead-in.")
    def text(self, format: FormatArg = TextFormat.MARKDOWN) -> Optional[str]:
        return _optional_text(self.row, "text", format)


@strawberry.type(description="Content that fits no slot of the article format, kept verbatim "
                             "(an unknown heading and what follows it, or stray text).")
class Section(Node):
    row: strawberry.Private[sqlite3.Row]
    position: int = strawberry.field(description="1-based order among its owner's sections.")
    heading: Optional[str] = strawberry.field(
        description="The section's heading; null for stray text (content under no heading).")
    source: SourceSpan = strawberry.field(description="Where the section is in its source file.")

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> "Section":
        return cls(row=row, id=strawberry.ID(ids.encode("Section", row["key"])),
                   position=row["position"], heading=row["heading"] or None,
                   source=SourceSpan.from_row(row))

    # Non-null, unlike other texts that may be absent: `body` must merge with
    # Article.body in one selection on SearchResult. A heading alone has "".
    @strawberry.field(description="The section's content; empty when the section is only a "
                                  "heading.")
    def body(self, format: FormatArg = TextFormat.MARKDOWN) -> str:
        return _text(self.row, "body", format)

    @strawberry.field(description="The article this section belongs to.")
    def article(self, info: ContextInfo) -> Article:
        return _article(info, self)

    @strawberry.field(description="The trend this section is inside; null for an article's own section.")
    def trend(self, info: ContextInfo) -> Optional[Trend]:
        if self.row["trend_id"] is None:
            return None
        return _trend(info, self)


# Node type name -> class, for resolving global IDs and search hits.
NODE_CLASSES = {"Article": Article, "Trend": Trend, "Route": Route, "Advice": Advice,
                "Section": Section}
