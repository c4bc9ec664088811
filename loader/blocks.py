"""Markdown -> a flat list of top-level blocks, from pyromark's event stream.

pyromark (pulldown-cmark) reports every event with its byte range in the
UTF-8 source, so each block knows exactly which bytes, and so which lines,
it came from. The structure of an article is read from these blocks only;
nothing here looks at markdown syntax with string matching.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import pyromark

# Tables and strikethrough are common in articles; the rest of GFM is not needed.
MARKDOWN_OPTIONS = pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_STRIKETHROUGH


@dataclass(slots=True)
class Item:
    """One list item: a *unit* of text that may open with a bold lead-in.

    ``lead`` is the text of a bold run that opens the item (nothing before it
    but the marker). ``strong_*`` describe the first bold run anywhere in the
    item's first paragraph, so that "（1）**标题**：…" can be read too.
    """

    start: int
    end: int
    lead: str | None = None
    lead_end: int = 0  # byte offset just after the bold run
    sublists: list["Block"] = field(default_factory=list)
    has_content: bool = False  # something came before any bold lead-in
    content_start: int = -1  # byte offset of the item's first content, after the marker
    strong_start: int = -1
    strong_end: int = 0
    strong_text: str = ""


@dataclass(slots=True)
class Block:
    kind: str  # heading, paragraph, list, code, rule, html, quote, table, other
    start: int
    end: int
    level: int = 0  # heading level 1-6
    text: str = ""  # heading: its plain text
    info: str = ""  # code: the fence's info string
    ordered_start: int | None = None  # list: first number, None for bullets
    items: list[Item] = field(default_factory=list)
    # A top-level paragraph is a unit like a list item (see Item).
    lead: str | None = None
    lead_end: int = 0
    has_content: bool = False
    content_start: int = -1
    strong_start: int = -1
    strong_end: int = 0
    strong_text: str = ""
    sublists: list["Block"] = field(default_factory=list)  # always empty: for the unit protocol


_BLOCK_KINDS = {
    "Paragraph": "paragraph",
    "BlockQuote": "quote",
    "Table": "table",
    "HtmlBlock": "html",
    "FootnoteDefinition": "other",
    "DefinitionList": "other",
    "MetadataBlock": "other",
}


_CONTAINERS = {"Heading", "CodeBlock", "List", "Item", "Paragraph", "BlockQuote", "Table",
               "HtmlBlock", "FootnoteDefinition", "DefinitionList", "MetadataBlock"}
_ENDS_LINE = {"Paragraph", "Heading", "Item", "CodeBlock"}  # their text ends with a newline
_TEXT_EVENTS = {"Text", "Code", "InlineMath", "DisplayMath"}


def _newline_offsets(raw: bytes) -> list[int]:
    offsets = []
    at = raw.find(b"\n")
    while at >= 0:
        offsets.append(at)
        at = raw.find(b"\n", at + 1)
    return offsets


class Document:
    """A parsed markdown text: its blocks, and lookups from bytes to lines and text."""

    def __init__(self, markdown: str, first_line: int = 1):
        self.markdown = markdown
        self.raw = markdown.encode("utf-8")
        self.first_line = first_line
        self._newlines = _newline_offsets(self.raw)
        self._piece_starts: list[int] = []
        self._pieces: list[str] = []
        self.blocks: list[Block] = []
        self._build(pyromark.events_with_range(markdown, options=MARKDOWN_OPTIONS))
        self._headings: list[Block] | None = None  # made on first use
        self._heading_starts: list[int] = []

    # -- lookups -----------------------------------------------------------

    def line(self, offset: int) -> int:
        """The file line holding the byte at ``offset``."""
        return self.first_line + bisect.bisect_left(self._newlines, offset)

    def last_line(self, end: int) -> int:
        """The file line of the last non-blank byte before ``end`` (ranges are
        half-open, and a block's range may include the newlines after it)."""
        while end > 1 and self.raw[end - 1] in b" \t\n":
            end -= 1
        return self.line(max(end - 1, 0))

    def source(self, start: int, end: int) -> str:
        return self.raw[start:end].decode("utf-8")

    def headings(self) -> list[Block]:
        """The heading blocks of ``blocks``, in order."""
        if self._headings is None:
            self._headings = [b for b in self.blocks if b.kind == "heading"]
            self._heading_starts = [b.start for b in self._headings]
        return self._headings

    def headings_in(self, start: int, end: int) -> list[Block]:
        """The heading blocks (of ``blocks``) that start in ``[start, end)``, in order.
        Found by bisection: every section asks. A scan of all blocks for each, with
        the scan of LineRanges (loader/trend.py), took a file of 8,000 headings
        (170 kB) 5 s."""
        headings = self.headings()  # and their starts, in _heading_starts
        lo = bisect.bisect_left(self._heading_starts, start)
        hi = bisect.bisect_left(self._heading_starts, end)
        return headings[lo:hi]

    def peek(self, start: int, end: int, size: int = 16) -> str:
        """Up to ``size`` bytes from ``start`` (not past ``end``), as text; a
        character cut at the end is dropped."""
        return self.raw[start:min(end, start + size)].decode("utf-8", errors="ignore")

    def plain(self, start: int, end: int) -> str:
        """The text content of a byte range, without markup."""
        lo = bisect.bisect_left(self._piece_starts, start)
        hi = bisect.bisect_left(self._piece_starts, end)
        text = self._piece_tail(lo - 1, start) + "".join(self._pieces[lo:hi])
        text = text.strip()
        if "\n" not in text:  # most list items: one line, so nothing to collapse
            return " ".join(text.split())
        lines = [" ".join(line.split()) for line in text.split("\n")]
        out: list[str] = []
        for line in lines:  # collapse runs of blank lines into one
            if line or (out and out[-1]):
                out.append(line)
        return "\n".join(out).strip()

    def _piece_tail(self, index: int, start: int) -> str:
        """The part of piece ``index`` from byte ``start`` on, when ``start`` falls
        inside it (a range that begins after a lead-in's separator: "：text")."""
        if index < 0:
            return ""
        piece, piece_start = self._pieces[index], self._piece_starts[index]
        before = self.raw[piece_start:start].decode("utf-8", errors="ignore")
        if not before or not piece.startswith(before) or len(before) >= len(piece):
            return ""  # not inside, or the piece is not the source's text (an entity)
        return piece[len(before):]

    # -- building ----------------------------------------------------------

    def _build(self, events) -> None:
        # The hottest loop of a load: one pass per event, so the innermost open
        # entry (``top``) and the open units (``units``: list items, and a
        # top-level paragraph) are kept at hand rather than found by scanning
        # the stack, and events are told apart by their most frequent kinds first.
        blocks = self.blocks
        add_start = self._piece_starts.append
        add_piece = self._pieces.append
        stack: list[Block | Item] = []  # open blocks and items, innermost last
        units: list[Block | Item] = []  # the units in ``stack``, innermost last
        top: Block | Item | None = None  # stack[-1]
        strong_unit: Block | Item | None = None  # unit whose first bold run is being read
        strong_text: list[str] = []
        for event, span in events:
            start = span["start"]
            if top.__class__ is Item and top.content_start < 0:
                top.content_start = start
            if event.__class__ is str:  # Rule, SoftBreak, HardBreak
                if event == "SoftBreak":
                    add_start(start)
                    add_piece(" ")
                elif event == "HardBreak":
                    add_start(start)
                    add_piece("\n")
                elif event == "Rule" and not stack:
                    blocks.append(Block("rule", start, span["end"]))
                if units:
                    units[-1].has_content = True
                continue
            (name, payload), = event.items()
            if name in _TEXT_EVENTS:
                if strong_unit is not None:
                    strong_text.append(payload)
                elif units:
                    units[-1].has_content = True
                add_start(start)
                add_piece(payload)
                if top.__class__ is Block and top.kind == "heading":
                    top.text += payload
            elif name == "Start":
                tag = payload if payload.__class__ is str else next(iter(payload))
                if tag in _CONTAINERS:
                    top = self._open(tag, payload, start, span["end"], stack)
                    stack.append(top)
                    if top.__class__ is Item:
                        units.append(top)
                    elif tag == "Paragraph" and len(stack) == 1:
                        top.content_start = start
                        units.append(top)
                elif tag == "Strong" and strong_unit is None:
                    unit = self._unit_awaiting_strong(stack, units)
                    if unit is not None:
                        strong_unit, strong_text = unit, []
                        unit.strong_start = start
            elif name == "End":
                tag = payload if payload.__class__ is str else next(iter(payload))
                if tag in _CONTAINERS:
                    closed = stack.pop()
                    if units and closed is units[-1]:
                        units.pop()
                    top = stack[-1] if stack else None
                    if tag in _ENDS_LINE:
                        add_start(max(span["end"] - 1, start))
                        add_piece("\n")
                elif tag == "Strong" and strong_unit is not None:
                    text = "".join(strong_text).strip()
                    strong_unit.strong_text = text
                    strong_unit.strong_end = span["end"]
                    if not strong_unit.has_content:
                        strong_unit.lead = text
                        strong_unit.lead_end = span["end"]
                    strong_unit.has_content = True
                    strong_unit = None
            elif name == "Html" or name == "InlineHtml":
                # Raw HTML stays in the markdown (and is sanitised in the HTML),
                # but it is not text, so it is left out of the plain text.
                if units:
                    units[-1].has_content = True
        for block in blocks:
            block.text = block.text.strip()
            if block.kind == "heading" and not block.text:
                block.text = self.heading_markdown(block)

    def heading_markdown(self, block: Block) -> str:
        """A heading's inline markdown, without the #s or the setext underline.
        Also its text when it has no plain text (``# <b>``)."""
        lines = self.source(block.start, block.end).strip().split("\n")
        if len(lines) > 1:  # setext: drop the === / --- underline
            lines = lines[:-1]
        return " ".join(lines).strip().strip("#").strip()

    def _open(self, tag, payload, start, end, stack):
        if tag == "Item":
            item = Item(start, end)
            parent = stack[-1]
            assert isinstance(parent, Block)
            parent.items.append(item)
            return item
        if tag == "Heading":
            block = Block("heading", start, end, level=int(payload["Heading"]["level"][1]))
        elif tag == "CodeBlock":
            kind = payload["CodeBlock"] if isinstance(payload, dict) else payload
            info = ""
            if isinstance(kind, dict) and "Fenced" in kind:
                info = kind["Fenced"]
            block = Block("code", start, end, info=info.strip())
        elif tag == "List":
            block = Block("list", start, end, ordered_start=payload["List"])
        else:
            block = Block(_BLOCK_KINDS[tag], start, end)
        if not stack:
            self.blocks.append(block)
        elif tag == "List" and stack and isinstance(stack[-1], Item):
            stack[-1].sublists.append(block)
        return block

    @staticmethod
    def _unit_awaiting_strong(stack, units) -> Item | Block | None:
        """The innermost unit, if this is the first bold run of its first paragraph."""
        if not units:
            return None
        unit = units[-1]
        if unit.strong_start >= 0:
            return None
        if unit.__class__ is Item:
            # Only in the item's own first paragraph (or its tight text), not in a
            # nested quote or list of the item.
            inner = stack[stack.index(unit) + 1:]
            if any(e.__class__ is not Block or e.kind != "paragraph" for e in inner):
                return None
            if unit.sublists:
                return None
        return unit


def render_html(markdown: str, heading_ids: bool = False) -> str:
    """Unsanitised HTML for a markdown fragment (sanitise before storing).
    ``heading_ids``: the fragment's headings end with ``{#anchor}``, which
    becomes their ``id`` (see ReadContext.anchored)."""
    options = MARKDOWN_OPTIONS | pyromark.Options.ENABLE_HEADING_ATTRIBUTES if heading_ids \
        else MARKDOWN_OPTIONS
    return pyromark.html(markdown, options=options)
