"""One trend: its heading's numbering, its intro, and its parts by role.

A part's role comes from its heading's words (the vocabulary) and from its
shape. Shape wins where the two disagree: a part whose content compares
routes with pros and cons is a routes part, even if its heading also says
建议 ("主流方案对比及选型建议").
"""

from __future__ import annotations

import bisect

from .blocks import Block
from .context import ReadContext
from .model import EMPTY, Trend
from .numbering import Numbering, split_number
from .parts import (content, groups, has_points, read_advice, read_routes, read_status,
                    section, sub_level, texts_of)
from .context import SEPARATORS
from .leadins import marker_lead, strip_separators

PART_ROLES = ("status", "routes", "advice")


def _shape(ctx: ReadContext, blocks: list[Block]) -> str | None:
    """The role a part's content suggests: routes when it has pros or cons
    (at any heading depth), advice when it is numbered, status for a list."""
    if has_points(ctx, [b for b in blocks if b.kind != "heading"]):
        return "routes"
    level = sub_level(blocks, 0)
    if level is not None:
        _, found = groups(blocks, level)
        if any(has_points(ctx, group[1:]) or ctx.vocabulary.point_kind(group[0].text)
               for group in found):
            return "routes"
    lists = [b for b in blocks if b.kind == "list"]
    if lists and all(b.ordered_start is not None for b in lists):
        return "advice"
    if not lists and sum(1 for b in blocks if b.kind == "paragraph"
                         and marker_lead(ctx, b) is not None) >= 2:
        return "advice"
    if lists:
        return "status"
    return None


def part_role(ctx: ReadContext, head: Block, blocks: list[Block], title: str) -> str | None:
    """The role of a part: its words, unless its shape clearly says routes."""
    named = ctx.vocabulary.heading_roles(title) & set(PART_ROLES)
    preferred = next((role for role in ("advice", "status", "routes") if role in named), None)
    if preferred == "routes":  # words and shape cannot disagree in the direction that matters
        return preferred
    shape = _shape(ctx, blocks)
    if shape == "routes":
        if preferred not in (None, "routes"):
            ctx.warn(ctx.line(head.start), f"heading '{head.text}' reads as the {preferred} "
                     "part, but its content compares routes with pros and cons: read as the "
                     "routes part")
        return "routes"
    if preferred is not None:
        return preferred
    if shape is not None:
        kind = {"advice": "a numbered list", "status": "a list"}[shape]
        ctx.warn(ctx.line(head.start), f"heading '{head.text}' has no known part word; read as "
                 f"the {shape} part because it holds {kind}")
    return shape


def _bold_part_headings(ctx: ReadContext, blocks: list[Block], level: int) -> list[Block]:
    """A trend without sub-headings whose parts open with a bold line instead
    ("**现状：**", "**Recommendations**"): those lines read as part headings."""
    out = []
    for block in blocks:
        alone = block.kind == "paragraph" and block.lead is not None and \
            not ctx.doc.source(block.lead_end, block.end).strip(SEPARATORS + " \t\n")
        title = strip_separators(block.lead) if alone else ""
        if title and ctx.vocabulary.heading_roles(title) & set(PART_ROLES):
            block = Block("heading", block.start, block.end, level=level, text=title)
        out.append(block)
    return out


def read_trend(ctx: ReadContext, position: int, group: list[Block],
               numbering: Numbering) -> Trend:
    head, blocks = group[0], group[1:]
    end = (content(blocks) or [head])[-1].end
    trend = Trend(position, numbering.label, numbering.title, ctx.doc.heading_markdown(head),
                  ctx.anchor_at[ctx.line(head.start)], EMPTY, [], [], [], [],
                  ctx.span(head.start, end))
    if not any(b.kind == "heading" and b.level == head.level + 1 for b in blocks):
        blocks = _bold_part_headings(ctx, blocks, head.level + 1)
    level = sub_level(blocks, head.level)
    if level is None:
        trend.intro = texts_of(ctx, content(blocks))
        if trend.intro.md:
            ctx.warn(ctx.line(head.start), f"trend '{numbering.title}' has no part headings "
                     "(status, routes, advice); its text is kept as the trend's intro")
        return trend
    lead, parts = groups(blocks, level)
    trend.intro = texts_of(ctx, content(lead))
    parent = numbering.parts or (position,)
    for part in parts:
        part_head, part_blocks = part[0], part[1:]
        title = split_number(part_head.text, parent=parent).title
        role = part_role(ctx, part_head, part_blocks, title)
        taken = {"status": trend.status_heading, "routes": trend.routes_heading,
                 "advice": trend.advice_heading}
        if role is not None and taken[role] is None:
            reader = {"status": read_status, "advice": read_advice, "routes": read_routes}[role]
            reader(ctx, trend, part_head.text, part_blocks, sub_level(part_blocks, part_head.level))
            continue
        why = (f"a second {role} part ('{part_head.text}') in one trend" if role
               else f"part '{part_head.text}' is none of status, routes or advice")
        kept = content(part_blocks)
        stop = kept[-1].end if kept else part_head.end
        section(ctx, trend.sections, part_head.text, part_head.start, stop,
                texts_of(ctx, kept) if kept else EMPTY, why)
    return trend


def coverage(ctx: ReadContext, trend: Trend, blocks: list[Block]) -> tuple[int, int]:
    """(units in typed slots, units) for the trend's list items and paragraphs:
    a unit is untyped when it landed in one of the trend's extra sections."""
    lines = [ctx.line(b.start) for b in _units(blocks)]
    covered = LineRanges((s.span.start_line, s.span.end_line) for s in trend.sections)
    in_sections = sum(1 for line in lines if line in covered)
    return len(lines) - in_sections, len(lines)


class LineRanges:
    """Whether a line lies in any of some inclusive ranges (first, last), by
    bisection over the ranges merged. Asking every range for every line, with the
    scan of Document.headings_in, took a trend of 8,000 sections 5 s."""

    def __init__(self, ranges) -> None:
        merged: list[list[int]] = []
        for first, last in sorted(r for r in ranges if r[0] <= r[1]):
            if merged and first <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        self._firsts = [first for first, _ in merged]
        self._lasts = [last for _, last in merged]

    def __contains__(self, line: int) -> bool:
        at = bisect.bisect_right(self._firsts, line) - 1
        return at >= 0 and line <= self._lasts[at]


def _units(blocks: list[Block]):
    for block in blocks:
        if block.kind == "paragraph":
            yield block
        elif block.kind == "list":
            yield from block.items

