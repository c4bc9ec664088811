"""One file's bytes -> an Article, or diagnostics. Pure: no I/O, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from . import outline
import pyromark

from .blocks import MARKDOWN_OPTIONS, Block, Document, Item
from .diagnostics import Diagnostic
from .model import (Advice, Article, Heading, KeyPoint, Route, RoutePoint, Section, Span,
                    Text, Trend)
from .source import SourceFile, parse_date, parse_source
from .text import Anchors, reading_time_minutes, text_of, word_count

KNOWN_KEYS = {"title", "date", "description", "tags", "slug"}
EMPTY = Text("", "", "")


@dataclass
class _Context:
    """What every step of building one article needs."""

    path: str
    doc: Document
    anchor_at: dict[int, str] = field(default_factory=dict)  # heading line -> anchor
    problems: list[Diagnostic] = field(default_factory=list)

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Diagnostic(self.path, line, message, "warning"))

    def error(self, line: int, message: str) -> None:
        self.problems.append(Diagnostic(self.path, line, message, "error"))

    def span(self, start: int, end: int) -> Span:
        return Span(self.path, self.doc.line(start), self.doc.last_line(end))

    def fragment(self, start: int, end: int, indent: int | None = None) -> str:
        """The source of a byte range as markdown that renders on its own as it
        did in place.

        Blocks (``indent`` None) are taken from the start of their first line,
        so an indented code block keeps its indentation. The content of a list
        item starts mid-line; its later lines lose the item's own ``indent``
        (the column its content starts at), keeping any deeper indentation.
        """
        raw = self.doc.raw
        if indent is None:
            start = raw.rfind(b"\n", 0, start) + 1
            return self.doc.source(start, end).rstrip().lstrip("\n")
        return _dedent(self.doc.source(start, end), indent)

    def column(self, offset: int) -> int:
        """The column (in characters) of the byte at ``offset`` in its line."""
        line_start = self.doc.raw.rfind(b"\n", 0, offset) + 1
        return len(self.doc.raw[line_start:offset].decode("utf-8"))

    def text(self, start: int, end: int, indent: int | None = None) -> Text:
        if start >= end:
            return EMPTY
        return text_of(self.fragment(start, end, indent), self.doc.plain(start, end))

    def blocks_text(self, blocks: list[Block]) -> Text:
        return self.text(blocks[0].start, blocks[-1].end) if blocks else EMPTY


def _dedent(source: str, indent: int) -> str:
    """A list item's content (from mid-line) with its later lines losing up to
    ``indent`` leading spaces: see _Context.fragment."""
    first, _, rest = source.partition("\n")
    if not rest:
        return first.strip()
    lines = [first.strip()]
    for line in rest.split("\n"):
        spaces = len(line) - len(line.lstrip(" "))
        lines.append(line[min(spaces, indent):])
    return "\n".join(lines).rstrip()


def default_slug(path: str) -> str:
    return PurePosixPath(path).stem


# -- the body ------------------------------------------------------------


def _fence_wrapper(body: str) -> tuple[int, int] | None:
    """(start, end) byte range of the body's only block when that block is a
    ```markdown fence, else None. Reads pyromark's events without building a
    Document, since a wrapped body is parsed again once unwrapped."""
    events = iter(pyromark.events_with_range(body, options=MARKDOWN_OPTIONS))
    first, span = next(events, (None, None))
    if first is None:
        return None
    last, last_span = first, span
    for last, last_span in events:
        pass
    if not (isinstance(first, dict) and "Start" in first and isinstance(first["Start"], dict)
            and "CodeBlock" in first["Start"]):
        return None
    if not (isinstance(last, dict) and "End" in last and last_span == span):
        return None  # something follows the fence
    kind = first["Start"]["CodeBlock"]
    info = kind.get("Fenced", "") if isinstance(kind, dict) else ""
    if info.split()[:1] not in (["markdown"], ["md"]):
        return None
    return span["start"], span["end"]


def _unwrap(src: SourceFile) -> Document:
    """The body as a Document, unwrapped when it is one ```markdown fence."""
    wrapper = _fence_wrapper(src.body)
    if wrapper is None:
        return Document(src.body, src.body_line)
    raw = src.body.encode("utf-8")
    start, end = wrapper
    open_line = src.body_line + raw.count(b"\n", 0, start)
    last_line = src.body_line + raw.rstrip(b" \t\n").count(b"\n", 0, end)
    lines = src.text.split("\n")
    closing = lines[last_line - 1].strip()
    closed = last_line > open_line and closing and set(closing) <= {"`", "~"}
    inner_end = last_line - 1 if closed else last_line
    inner = "\n".join(lines[open_line:inner_end])
    return Document(inner, open_line + 1)


def _groups(blocks: list[Block], level: int) -> tuple[list[Block], list[list[Block]]]:
    """Split blocks at headings of ``level``: (blocks before the first, groups).
    Each group starts with its heading."""
    lead: list[Block] = []
    groups: list[list[Block]] = []
    for block in blocks:
        if block.kind == "heading" and block.level == level:
            groups.append([block])
        elif groups:
            groups[-1].append(block)
        else:
            lead.append(block)
    return lead, groups


def _content(blocks: list[Block]) -> list[Block]:
    """Blocks that carry content: thematic breaks are decoration between parts."""
    return [b for b in blocks if b.kind != "rule"]


def _leftover(ctx: _Context, heading: str, blocks: list[Block], sections: list[Section],
              why: str) -> None:
    """Keep blocks that fit no slot as an extra section, with a warning."""
    blocks = _content(blocks)
    if not blocks:
        return
    start, end = blocks[0].start, blocks[-1].end
    ctx.warn(ctx.doc.line(start), f"{why}; kept as an extra section")
    sections.append(Section(len(sections) + 1, heading, ctx.text(start, end), ctx.span(start, end)))


# -- lists ------------------------------------------------------------------


def _item_parts(ctx: _Context, item: Item) -> tuple[str | None, Text]:
    """(bold lead-in without its colon, the rest of the item as Text)."""
    start = item.lead_end if item.lead is not None else item.content_start
    if start < 0:
        return item.lead, EMPTY
    # The colon after a lead-in belongs to neither the label nor the text.
    # What is left is the source of the markdown fragment (ctx.fragment would
    # cut the same bytes out and decode them again).
    source = ctx.doc.source(start, item.end).lstrip().lstrip("：:").lstrip()
    label = outline.strip_colon(item.lead) if item.lead is not None else None
    if not source:
        return label, EMPTY
    plain = ctx.doc.plain(start, item.end).lstrip("：: ")
    indent = ctx.column(item.content_start)
    return label, text_of(_dedent(source, indent), plain)


def _list_items(blocks: list[Block]) -> list[tuple[Block, int, Item]]:
    """(list, number, item) for every item of every list, numbered as written."""
    out = []
    for block in blocks:
        for index, item in enumerate(block.items):
            number = (block.ordered_start or 1) + index
            out.append((block, number, item))
    return out


# -- trend parts ------------------------------------------------------------------


def _status(ctx: _Context, trend: Trend, heading: str, blocks: list[Block]) -> None:
    trend.status_heading = heading
    first_list = next((i for i, b in enumerate(blocks) if b.kind == "list"), len(blocks))
    intro, after = blocks[:first_list], blocks[first_list:]
    trend.status_intro = ctx.blocks_text(_content(intro))
    lists = [b for b in after if b.kind == "list"]
    for _, _, item in _list_items(lists):
        label, text = _item_parts(ctx, item)
        trend.key_points.append(KeyPoint(len(trend.key_points) + 1, label, text,
                                         ctx.span(item.start, item.end)))
    _leftover(ctx, heading, [b for b in after if b.kind != "list"], trend.sections,
              "text after the key points fits no slot")


def _route_points(ctx: _Context, route: Route, item: Item, kind: str) -> None:
    label, text = _item_parts(ctx, item)
    sub_items = [i for sub in item.sublists for i in sub.items]
    if sub_items and not ctx.doc.plain(item.lead_end, item.sublists[0].start).strip("：: "):
        # **优点**： followed by a nested list: each nested item is one point.
        for sub in sub_items:
            _, sub_text = _item_parts(ctx, sub)
            position = sum(1 for p in route.points if p.kind == kind) + 1
            route.points.append(RoutePoint(kind, position, sub_text, ctx.span(sub.start, sub.end)))
        return
    position = sum(1 for p in route.points if p.kind == kind) + 1
    route.points.append(RoutePoint(kind, position, text, ctx.span(item.start, item.end)))


def _route(ctx: _Context, trend: Trend, group: list[Block]) -> None:
    head, blocks = group[0], group[1:]
    label, _, name = outline.split_prefix(head.text)
    route = Route(len(trend.routes) + 1, label, name, EMPTY, [],
                  ctx.span(head.start, (_content(blocks) or [head])[-1].end))
    intro: list[Block] = []
    for block in _content(blocks):
        if block.kind != "list":
            intro.append(block)
            continue
        for item in block.items:
            kind = outline.point_kind(item.lead)
            if kind is None:
                ctx.warn(ctx.doc.line(item.start),
                         f"route item is neither pros nor cons (bold lead-in {item.lead!r}); "
                         "kept in the route's intro")
                intro.append(Block("list", item.start, item.end))
            else:
                _route_points(ctx, route, item, kind)
    if intro:
        route.intro = ctx.text(intro[0].start, intro[-1].end)
    trend.routes.append(route)


def _routes(ctx: _Context, trend: Trend, heading: str, blocks: list[Block]) -> None:
    trend.routes_heading = heading
    lead, groups = _groups(blocks, 4)
    _leftover(ctx, heading, lead, trend.sections, "text before the first route fits no slot")
    for group in groups:
        _route(ctx, trend, group)


def _advice(ctx: _Context, trend: Trend, heading: str, blocks: list[Block]) -> None:
    trend.advice_heading = heading
    lists = [b for b in blocks if b.kind == "list"]
    for _, number, item in _list_items(lists):
        title, text = _item_parts(ctx, item)
        previous = trend.advice[-1].position if trend.advice else 0
        if number <= previous:  # a second list restarting at 1, or numbers out of order
            ctx.warn(ctx.doc.line(item.start), f"advice numbered {number} follows advice "
                                               f"{previous}; position {previous + 1} is used")
            number = previous + 1
        trend.advice.append(Advice(number, title or "", text, ctx.span(item.start, item.end)))
    _leftover(ctx, heading, [b for b in blocks if b.kind != "list"], trend.sections,
              "text beside the advice list fits no slot")


def _shape_role(blocks: list[Block]) -> str | None:
    """Guess an H3's role from its shape when its words are unknown."""
    _, routes = _groups(blocks, 4)
    if routes and any(outline.point_kind(item.lead)
                      for group in routes for b in group if b.kind == "list" for item in b.items):
        return "routes"
    ordered = [b for b in blocks if b.kind == "list" and b.ordered_start is not None]
    if ordered and all(item.lead for b in ordered for item in b.items):
        return "advice"
    return None


_ROLE_BUILDERS = {"status": _status, "routes": _routes, "advice": _advice}


def _trend(ctx: _Context, position: int, group: list[Block]) -> Trend:
    head, blocks = group[0], group[1:]
    label, number, title = outline.split_prefix(head.text)
    if number is not None and number != position:
        ctx.warn(ctx.doc.line(head.start),
                 f"trend is numbered {label} but is trend {position}; position {position} is used")
    end = (_content(blocks) or [head])[-1].end
    trend = Trend(position, label, title, ctx.doc.heading_markdown(head),
                  ctx.anchor_at[ctx.doc.line(head.start)], EMPTY, [], [], [], [], ctx.span(head.start, end))
    lead, subsections = _groups(blocks, 3)
    _leftover(ctx, "", lead, trend.sections, "text before the trend's first H3 fits no slot")
    for sub in subsections:
        sub_head, sub_blocks = sub[0], sub[1:]
        role = outline.section_role(sub_head.text) or _shape_role(sub_blocks)
        taken = {"status": trend.status_heading, "routes": trend.routes_heading,
                 "advice": trend.advice_heading}
        if role is not None and taken[role] is None:
            _ROLE_BUILDERS[role](ctx, trend, sub_head.text, sub_blocks)
            continue
        why = (f"a second {role} section in one trend" if role
               else f"H3 section {sub_head.text!r} has no known role")
        blocks_with_head = [b for b in sub_blocks if b.kind != "rule"]
        start = sub_head.start
        end = blocks_with_head[-1].end if blocks_with_head else sub_head.end
        ctx.warn(ctx.doc.line(start), f"{why}; kept as an extra section")
        body = ctx.text(blocks_with_head[0].start, end) if blocks_with_head else EMPTY
        trend.sections.append(Section(len(trend.sections) + 1, sub_head.text, body,
                                      ctx.span(start, end)))
    return trend


# -- the article -------------------------------------------------------------------


def _meta_line(src: SourceFile, key: str) -> int:
    return src.meta_lines.get(key, 1)


def _frontmatter(ctx: _Context, src: SourceFile) -> dict[str, Any]:
    meta = src.meta
    out: dict[str, Any] = {}
    for key in meta:
        if key not in KNOWN_KEYS:
            ctx.warn(_meta_line(src, key), f"unknown frontmatter key {key!r} is ignored")
    title = meta.get("title")
    if title is not None and (not isinstance(title, str) or not title.strip()):
        ctx.error(_meta_line(src, "title"), "frontmatter 'title' must be non-empty text")
        title = None
    out["title"] = title.strip() if isinstance(title, str) else None
    if "date" not in meta:
        ctx.error(src.frontmatter_end_line or 1, "frontmatter has no 'date' (YYYY-MM-DD)")
    else:
        date = parse_date(meta["date"])
        if date is None:
            ctx.error(_meta_line(src, "date"),
                      f"invalid date {meta['date']!r}: expected a calendar date YYYY-MM-DD")
        out["date"] = date
    description = meta.get("description", "")
    if not isinstance(description, str):
        ctx.error(_meta_line(src, "description"), "frontmatter 'description' must be text")
        description = ""
    if not description.strip():
        ctx.warn(_meta_line(src, "description") if "description" in meta else 1,
                 "frontmatter has no 'description'")
    out["description"] = description.strip()
    tags = meta.get("tags", [])
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list) or not all(isinstance(t, (str, int)) for t in tags):
        ctx.error(_meta_line(src, "tags"), "frontmatter 'tags' must be a list of text")
        tags = []
    out["tags"] = list(dict.fromkeys(str(t).strip() for t in tags if str(t).strip()))
    slug = meta.get("slug", default_slug(src.path))
    if not isinstance(slug, str) or not slug.strip() or any(c.isspace() or c == "/" for c in slug):
        ctx.error(_meta_line(src, "slug"), f"invalid slug {slug!r}: use text without spaces or '/'")
        slug = default_slug(src.path)
    out["slug"] = slug.strip()
    return out


def parse_article(path: str, data: bytes) -> tuple[Article | None, list[Diagnostic]]:
    """Parse one file. Returns the article (None on errors) and every diagnostic."""
    src, problems = parse_source(path, data)
    if src is None:
        return None, problems
    doc = _unwrap(src)
    headings = _headings(doc)
    ctx = _Context(path, doc, {h.line: h.anchor for h in headings})
    meta = _frontmatter(ctx, src)

    lead, groups = _groups(doc.blocks, 2)
    h1 = next((b for b in lead if b.kind == "heading" and b.level == 1), None)
    title = meta["title"] or (h1.text if h1 else None)
    if not title:
        ctx.error(1, "article has no title: add 'title' to the frontmatter or a '# ' heading")
    intro_blocks = _content([b for b in lead if b is not h1])

    summary, summary_heading = None, None
    if groups and outline.is_closing(groups[-1][0].text):
        closing = groups.pop()
        summary_heading = closing[0].text
        summary = ctx.blocks_text(_content(closing[1:]))
    trends = [_trend(ctx, i, group) for i, group in enumerate(groups, start=1)]
    if not trends:
        ctx.warn(src.body_line, "article has no trends (no '## ' headings)")

    if any(p.is_error for p in ctx.problems):
        return None, ctx.problems
    body = text_of(doc.markdown, doc.plain(0, len(doc.raw)))
    words = word_count(body.plain)
    article = Article(
        slug=meta["slug"], title=title, date=meta["date"], description=meta["description"],
        tags=meta["tags"], intro=ctx.blocks_text(intro_blocks), summary=summary,
        summary_heading=summary_heading, body=body, word_count=words,
        reading_time_minutes=reading_time_minutes(body.plain, words), headings=headings,
        trends=trends, sections=[], span=Span(path, 1, src.text.count("\n") + 1),
        warnings=[p for p in ctx.problems if not p.is_error],
    )
    return article, ctx.problems


def _headings(doc: Document) -> list[Heading]:
    anchors = Anchors()
    return [Heading(b.level, b.text, anchors(b.text), doc.line(b.start), doc.heading_markdown(b))
            for b in doc.blocks if b.kind == "heading"]
