"""The three parts of a trend: status (key points), routes (pros and cons), advice.

Each reader takes the blocks under a part's heading and fills the trend's
typed slots. What fits no slot is kept, in order, as an extra section with a
warning that names the construct and its line.
"""

from __future__ import annotations

from .blocks import Block, Item
from .context import SEPARATORS, ReadContext, Unit, join_texts
from .leadins import Lead, bold_label, bold_lead, marker_lead, plain_lead
from .model import EMPTY, Advice, KeyPoint, Route, RoutePoint, Section, Text, Trend
from .numbering import split_number


def content(blocks: list[Block]) -> list[Block]:
    """Blocks that carry content: thematic breaks are decoration between parts."""
    return [b for b in blocks if b.kind != "rule"]


def groups(blocks: list[Block], level: int) -> tuple[list[Block], list[list[Block]]]:
    """Split blocks at headings of ``level``: (blocks before the first, groups).
    Each group starts with its heading."""
    lead: list[Block] = []
    found: list[list[Block]] = []
    for block in blocks:
        if block.kind == "heading" and block.level == level:
            found.append([block])
        elif found:
            found[-1].append(block)
        else:
            lead.append(block)
    return lead, found


def sub_level(blocks: list[Block], below: int) -> int | None:
    """The shallowest heading level deeper than ``below`` among ``blocks``."""
    levels = [b.level for b in blocks if b.kind == "heading" and b.level > below]
    return min(levels) if levels else None


def texts_of(ctx: ReadContext, blocks: list[Block]) -> Text:
    """The blocks' text; blocks that are not next to each other are joined, so
    that nothing between them is taken in."""
    runs: list[list[Block]] = []
    for block in blocks:
        if runs and runs[-1][-1].end >= block.start - 1 and _adjacent(ctx, runs[-1][-1], block):
            runs[-1].append(block)
        else:
            runs.append([block])
    return join_texts([ctx.text(run[0].start, run[-1].end) for run in runs])


def _adjacent(ctx: ReadContext, first: Block, second: Block) -> bool:
    return not ctx.doc.source(first.end, second.start).strip()


def labelled(ctx: ReadContext, unit: Unit) -> bool:
    """A bold lead-in used as a label: followed by a separator, ending with one,
    or alone in its unit ("**Label**：…", "**Label:** …", "**Label**")."""
    if unit.lead is None:
        return False
    if unit.lead.rstrip()[-1:] in SEPARATORS:
        return True
    after = ctx.doc.peek(unit.lead_end, unit.end).lstrip()
    return not after or after[0] in SEPARATORS


def section(ctx: ReadContext, sections: list[Section], heading: str, start: int, end: int,
            body: Text, why: str) -> None:
    ctx.warn(ctx.line(start), f"{why}; kept as an extra section")
    sections.append(Section(len(sections) + 1, heading, body, ctx.span(start, end)))


def leftover(ctx: ReadContext, heading: str, blocks: list[Block], sections: list[Section],
             why: str) -> None:
    """Keep blocks that fit no slot as an extra section, with a warning."""
    blocks = content(blocks)
    if blocks:
        section(ctx, sections, heading, blocks[0].start, blocks[-1].end, texts_of(ctx, blocks), why)


# -- status --------------------------------------------------------------------------


def headed_items(ctx: ReadContext, blocks: list[Block], level: int | None):
    """(text before the first sub-heading, [(sub-heading block, its numbering, its
    text, end)]) for a part written as one sub-heading per item; None without
    sub-headings."""
    if level is None:
        return None
    lead, found = groups(content(blocks), level)
    items = []
    for group in found:
        head, body = group[0], content(group[1:])
        items.append((head, split_number(head.text), texts_of(ctx, body),
                      (body or [head])[-1].end))
    return texts_of(ctx, lead), items


def read_status(ctx: ReadContext, trend: Trend, heading: str, blocks: list[Block],
                level: int | None = None) -> None:
    """Key points: list items (bulleted or numbered), bold-led paragraphs, or
    sub-headings (the heading is the label). Text before them is the status
    intro, text after them the status outro."""
    trend.status_heading = heading
    headed = headed_items(ctx, blocks, level)
    if headed is not None:
        trend.status_intro, items = headed
        for head, numbering, text, end in items:
            trend.key_points.append(KeyPoint(len(trend.key_points) + 1, numbering.title, text,
                                             ctx.span(head.start, end)))
        return
    blocks = content(blocks)
    is_point = [b.kind == "list" or (b.kind == "paragraph" and labelled(ctx, b)) for b in blocks]
    if not any(is_point):
        trend.status_intro = texts_of(ctx, blocks)
        return
    first = is_point.index(True)
    last = len(is_point) - 1 - is_point[::-1].index(True)
    trend.status_intro = texts_of(ctx, blocks[:first])
    trend.status_outro = texts_of(ctx, blocks[last + 1:])
    units: list[tuple[Unit, int]] = []  # each key point and where its text ends
    for block, point in zip(blocks[first:last + 1], is_point[first:last + 1]):
        if point:
            units.extend((u, u.end) for u in (block.items if block.kind == "list" else [block]))
            continue
        # A block between key points belongs to the key point before it.
        if block.kind == "paragraph":
            ctx.warn(ctx.line(block.start), "a paragraph between key points is kept with the "
                                            f"key point before it ({len(units)})")
        units[-1] = (units[-1][0], block.end)
    for unit, end in units:
        lead = bold_lead(ctx, unit)
        start = lead.start if lead else unit.content_start
        trend.key_points.append(KeyPoint(len(trend.key_points) + 1, lead.label if lead else None,
                                         ctx.unit_text(unit, start, end),
                                         ctx.span(unit.start, end)))


# -- routes --------------------------------------------------------------------------


def point_lead(ctx: ReadContext, unit: Unit) -> tuple[str | None, Lead | None]:
    """('pro' | 'con', its lead-in) when the unit opens with a pros or cons lead-in."""
    vocabulary = ctx.vocabulary
    bold = bold_label(ctx, unit)
    if bold is not None:  # where its text starts is only looked for in a point
        label, end = bold
        kind = vocabulary.point_kind(label)
        return (kind, Lead(label, ctx.skip_separator(end, unit.end))) if kind else (None, None)
    lead = plain_lead(ctx, unit, lambda label: vocabulary.point_kind(label) is not None)
    return (vocabulary.point_kind(lead.label), lead) if lead else (None, None)


def _announces(ctx: ReadContext, unit: Unit, lead: Lead) -> bool:
    """True when nothing follows the lead-in in its unit's own text ("**优点**："),
    so the list after it holds the points."""
    end = unit.sublists[0].start if unit.sublists else unit.end
    return not ctx.doc.source(lead.start, end).strip(SEPARATORS + " \n\t")


def has_points(ctx: ReadContext, blocks: list[Block]) -> bool:
    """Whether any unit among ``blocks`` (or one list level down) is a pro or a con."""
    for block in blocks:
        if block.kind == "paragraph" and point_lead(ctx, block)[0]:
            return True
        if block.kind == "heading" and ctx.vocabulary.point_kind(block.text):
            return True
        if block.kind == "list":
            for item in block.items:
                if point_lead(ctx, item)[0]:
                    return True
                if any(point_lead(ctx, sub)[0] for lst in item.sublists for sub in lst.items):
                    return True
    return False


class _RouteReader:
    """Reads one route's blocks into points and an intro."""

    def __init__(self, ctx: ReadContext, route: Route) -> None:
        self.ctx = ctx
        self.route = route
        self.intro: list[Block] = []
        self.pending: str | None = None  # kind announced by "**优点**：" with a list to follow
        # Points of each kind so far: counting them again for each new point took a
        # route of 16,000 points 2.8 s.
        self.counts: dict[str, int] = {}

    def add_point(self, kind: str, label: str | None, text: Text, start: int, end: int) -> None:
        position = self.counts[kind] = self.counts.get(kind, 0) + 1
        self.route.points.append(RoutePoint(kind, position, text, self.ctx.span(start, end), label))

    def read(self, blocks: list[Block]) -> None:
        ctx = self.ctx
        for block in blocks:
            announced, self.pending = self.pending, None
            if block.kind == "list":
                self.read_list(block, announced)
            elif block.kind == "paragraph":
                kind, lead = point_lead(ctx, block)
                if kind is None:
                    self.intro.append(block)
                elif _announces(ctx, block, lead):
                    # A lone "**优点**：" line: its word is stored as the kind of
                    # the points in the list that follows.
                    self.pending = kind
                else:
                    self.add_point(kind, None, ctx.unit_text(block, lead.start), block.start, block.end)
            elif block.kind == "heading" and ctx.vocabulary.point_kind(block.text):
                self.pending = ctx.vocabulary.point_kind(block.text)
            else:
                self.intro.append(block)

    def read_list(self, block: Block, announced: str | None) -> None:
        ctx = self.ctx
        for item in block.items:
            if announced:  # the list after "**优点**：": every item is one point
                lead = bold_lead(ctx, item)
                start = lead.start if lead else item.content_start
                self.add_point(announced, lead.label if lead else None,
                               ctx.unit_text(item, start), item.start, item.end)
                continue
            kind, lead = point_lead(ctx, item)
            if kind is None:
                ctx.warn(ctx.line(item.start), f"list item in route '{self.route.name}' does not "
                         "start with a pros or cons word (such as 优点/缺点 or Pros/Cons); "
                         "kept in the route's intro")
                self.intro.append(Block("list", item.start, item.end))
                continue
            subs = [sub for lst in item.sublists for sub in lst.items]
            if subs and _announces(ctx, item, lead):
                for sub in subs:  # "- **优点**：" with one nested bullet per point
                    sub_lead = bold_lead(ctx, sub)
                    start = sub_lead.start if sub_lead else sub.content_start
                    self.add_point(kind, sub_lead.label if sub_lead else None,
                                   ctx.unit_text(sub, start), sub.start, sub.end)
                continue
            self.add_point(kind, None, ctx.unit_text(item, lead.start), item.start, item.end)


def _route_name(ctx: ReadContext, text: str) -> tuple[str | None, str]:
    numbering = split_number(text, vocabulary=ctx.vocabulary, label_role="route_label",
                             letters_first=True)
    return numbering.label, numbering.title


def _new_route(ctx: ReadContext, trend: Trend, label: str | None, name: str,
               start: int) -> Route:
    return Route(len(trend.routes) + 1, label, name, EMPTY, [], ctx.span(start, start))


def _finish_route(ctx: ReadContext, trend: Trend, reader: _RouteReader, start: int,
                  end: int) -> None:
    route = reader.route
    if reader.intro:
        route.intro = texts_of(ctx, reader.intro)
    if not route.points:
        ctx.warn(ctx.line(start), f"route '{route.name}' has no pros or cons")
    route.span = ctx.span(start, end)
    trend.routes.append(route)


def read_routes(ctx: ReadContext, trend: Trend, heading: str, blocks: list[Block],
                level: int | None) -> None:
    """Routes under sub-headings ("#### a. 名称"), or, without sub-headings,
    routes named by a bold paragraph or a list item whose points follow."""
    trend.routes_heading = heading
    blocks = content(blocks)
    if level is not None:
        lead, found = groups(blocks, level)
        trend.routes_intro = texts_of(ctx, lead)
        for group in found:
            head, body = group[0], group[1:]
            label, name = _route_name(ctx, head.text)
            reader = _RouteReader(ctx, _new_route(ctx, trend, label, name, head.start))
            reader.read(body)
            _finish_route(ctx, trend, reader, head.start, (body or [head])[-1].end)
        return
    _read_unheaded_routes(ctx, trend, blocks)


def _route_item(ctx: ReadContext, item: Item) -> bool:
    """A list item naming a route, with its pros and cons as nested items."""
    if point_lead(ctx, item)[0]:
        return False
    return any(point_lead(ctx, sub)[0] for lst in item.sublists for sub in lst.items)


def _route_title(ctx: ReadContext, block: Block, following: list[Block]) -> bool:
    """A paragraph naming a route: alone in bold, or opening with a route label
    word ("路线 A：…"), with pros or cons right after it (``following``: the
    block after it, if any)."""
    if block.kind != "paragraph" or point_lead(ctx, block)[0] or not following:
        return False
    alone = block.lead is not None and not ctx.doc.source(block.lead_end, block.end).strip()
    label_word = ctx.vocabulary.label_word("route_label", ctx.doc.plain(block.start, block.end)) > 0
    return (alone or label_word) and has_points(ctx, following[:1])


def _read_unheaded_routes(ctx: ReadContext, trend: Trend, blocks: list[Block]) -> None:
    before: list[Block] = []
    reader: _RouteReader | None = None
    start = 0
    last_end = 0
    for index, block in enumerate(blocks):
        if block.kind == "list" and any(_route_item(ctx, item) for item in block.items):
            for item in block.items:
                if reader is not None:
                    _finish_route(ctx, trend, reader, start, last_end)
                    reader = None
                text = ctx.doc.plain(item.content_start, item.sublists[0].start
                                     if item.sublists else item.end)
                label, name = _route_name(ctx, item.lead or text)
                route_reader = _RouteReader(ctx, _new_route(ctx, trend, label, name, item.start))
                route_reader.read(item.sublists)
                _finish_route(ctx, trend, route_reader, item.start, item.end)
            continue
        if _route_title(ctx, block, blocks[index + 1:index + 2]):
            if reader is not None:
                _finish_route(ctx, trend, reader, start, last_end)
            label, name = _route_name(ctx, ctx.doc.plain(block.start, block.end))
            reader = _RouteReader(ctx, _new_route(ctx, trend, label, name, block.start))
            start = last_end = block.start
            last_end = block.end
            continue
        if reader is None:
            before.append(block)
        else:
            reader.read([block])
            last_end = block.end
    if reader is not None:
        _finish_route(ctx, trend, reader, start, last_end)
    trend.routes_intro = texts_of(ctx, before)
    if not trend.routes and has_points(ctx, blocks):
        ctx.warn(ctx.line(blocks[0].start), "pros and cons without a route name (an H4 heading "
                 "or a bold line before them); kept in the routes part's intro")


# -- advice --------------------------------------------------------------------------


def _advice_starts(ctx: ReadContext, blocks: list[Block]) -> list[tuple[int, Unit, Lead | None]]:
    """(block index, unit, marker) for every unit that opens a piece of advice."""
    starts: list[tuple[int, Unit, Lead | None]] = []
    lists = any(b.kind == "list" for b in blocks)
    markers = [(i, b, marker_lead(ctx, b)) for i, b in enumerate(blocks) if b.kind == "paragraph"]
    numbered = [(i, b, m) for i, b, m in markers if m is not None]
    if numbered and not lists:
        return numbered
    # With a numbered list, a bulleted list between its items is a sub-list
    # written without indentation: it belongs to the item before it.
    ordered = any(b.kind == "list" and b.ordered_start is not None for b in blocks)
    for index, block in enumerate(blocks):
        if block.kind == "list" and (block.ordered_start is not None or not ordered
                                     or not starts):
            starts.extend((index, item, None) for item in block.items)
    return starts


def read_advice(ctx: ReadContext, trend: Trend, heading: str, blocks: list[Block],
                level: int | None = None) -> None:
    """Advice items: list items, paragraphs opened by (1), 1、, ①, 第一，, 首先，,
    First, …, or sub-headings (the heading is the title). A code block or list
    after an item, before the next, belongs to it."""
    trend.advice_heading = heading
    headed = headed_items(ctx, blocks, level)
    if headed is not None:
        trend.advice_intro, items = headed
        for head, numbering, text, end in items:
            number = numbering.number or len(trend.advice) + 1
            if trend.advice and number <= trend.advice[-1].position:
                number = trend.advice[-1].position + 1
            trend.advice.append(Advice(number, numbering.title, text, ctx.span(head.start, end)))
        return
    blocks = content(blocks)
    starts = _advice_starts(ctx, blocks)
    if not starts:
        trend.advice_intro = texts_of(ctx, blocks)
        return
    trend.advice_intro = texts_of(ctx, blocks[:starts[0][0]])
    paragraphs = isinstance(starts[0][2], Lead)
    last_index = starts[-1][0]
    tail = blocks[last_index + 1:]
    attached = len(tail)
    if not paragraphs:  # after a list, only blocks up to the first paragraph are its item's
        attached = next((i for i, b in enumerate(tail) if b.kind == "paragraph"), len(tail))
    trend.advice_outro = texts_of(ctx, tail[attached:])
    ends = []
    for n, (index, unit, _) in enumerate(starts):
        if n + 1 < len(starts):
            next_index, next_unit, _ = starts[n + 1]
            between = blocks[index + 1:next_index] if next_index > index else []
        else:
            between = tail[:attached]
        ends.append(between[-1].end if between else unit.end)
    previous = 0
    item_numbers: dict[int, int] = {}  # id of a list item -> its number in its list
    for (index, unit, marker), end in zip(starts, ends):
        if marker is not None:
            lead, number = marker, marker.number or previous + 1
        else:
            lead = bold_lead(ctx, unit)
            if id(unit) not in item_numbers:
                # By identity, once per list: list.index compared items field by
                # field, and a list of 8,000 advice items took 5 s.
                block = blocks[index]
                first = block.ordered_start or 1
                item_numbers.update((id(item), first + n) for n, item in enumerate(block.items))
            number = item_numbers[id(unit)]
        if number <= previous:
            ctx.warn(ctx.line(unit.start), f"advice numbered {number} follows advice {previous}; "
                                           f"position {previous + 1} is used")
            number = previous + 1
        start = lead.start if lead else unit.content_start
        trend.advice.append(Advice(number, lead.label if lead and lead.label else "",
                                   ctx.unit_text(unit, start, end), ctx.span(unit.start, end)))
        previous = number
