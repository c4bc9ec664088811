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


@dataclass
class Item:
    """One list item. ``lead`` is the text of a bold run that opens the item."""

    start: int
    end: int
    lead: str | None = None
    lead_end: int = 0  # byte offset just after the bold run
    sublists: list["Block"] = field(default_factory=list)
    has_content: bool = False  # something came before any bold lead-in
    content_start: int = -1  # byte offset of the item's first content, after the marker


@dataclass
class Block:
    kind: str  # heading, paragraph, list, code, rule, html, quote, table, other
    start: int
    end: int
    level: int = 0  # heading level 1-6
    text: str = ""  # heading: its plain text
    info: str = ""  # code: the fence's info string
    ordered_start: int | None = None  # list: first number, None for bullets
    items: list[Item] = field(default_factory=list)


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


def _tag_name(tag) -> str:
    return tag if isinstance(tag, str) else next(iter(tag))


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

    def plain(self, start: int, end: int) -> str:
        """The text content of a byte range, without markup."""
        lo = bisect.bisect_left(self._piece_starts, start)
        hi = bisect.bisect_left(self._piece_starts, end)
        text = "".join(self._pieces[lo:hi])
        lines = [" ".join(line.split()) for line in text.split("\n")]
        out: list[str] = []
        for line in lines:  # collapse runs of blank lines into one
            if line or (out and out[-1]):
                out.append(line)
        return "\n".join(out).strip()

    # -- building ----------------------------------------------------------

    def _piece(self, offset: int, text: str) -> None:
        self._piece_starts.append(offset)
        self._pieces.append(text)

    def _build(self, events) -> None:
        stack: list[Block | Item] = []  # open blocks and items, innermost last
        lead_item: Item | None = None  # item whose opening bold run is being read
        lead_text: list[str] = []
        for event, span in events:
            start, end = span["start"], span["end"]
            if isinstance(event, str):  # Rule, SoftBreak, HardBreak
                if stack and isinstance(stack[-1], Item) and stack[-1].content_start < 0:
                    stack[-1].content_start = start
                if event == "Rule" and not stack:
                    self.blocks.append(Block("rule", start, end))
                elif event == "SoftBreak":
                    self._piece(start, " ")
                elif event == "HardBreak":
                    self._piece(start, "\n")
                self._mark_content(stack)
                continue
            (name, payload), = event.items()
            if stack and isinstance(stack[-1], Item) and stack[-1].content_start < 0:
                stack[-1].content_start = start
            tag = _tag_name(payload) if name in ("Start", "End") else ""
            if name == "Start" and tag in _CONTAINERS:
                stack.append(self._open(tag, payload, start, end, stack))
            elif name == "End" and tag in _CONTAINERS:
                stack.pop()
                if tag in ("Paragraph", "Heading", "Item", "CodeBlock"):
                    self._piece(max(end - 1, start), "\n")
            elif name == "Start" and tag == "Strong":
                item = self._item_awaiting_lead(stack)
                if item is not None:
                    lead_item, lead_text = item, []
            elif name == "End" and tag == "Strong" and lead_item is not None:
                lead_item.lead = "".join(lead_text).strip()
                lead_item.lead_end = end
                lead_item = None
            elif name in ("Text", "Code", "InlineMath", "DisplayMath"):
                if lead_item is not None:
                    lead_text.append(payload)
                else:
                    self._mark_content(stack)
                self._piece(start, payload)
                if stack and isinstance(stack[-1], Block) and stack[-1].kind == "heading":
                    stack[-1].text += payload
            elif name in ("Html", "InlineHtml"):
                # Raw HTML stays in the markdown (and is sanitised in the HTML),
                # but it is not text, so it is left out of the plain text.
                self._mark_content(stack)
        for block in self.blocks:
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

    @staticmethod
    def _mark_content(stack) -> None:
        """Note that the innermost item has content before any bold lead-in."""
        for entry in reversed(stack):
            if isinstance(entry, Item):
                entry.has_content = True
                return

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
    def _item_awaiting_lead(stack) -> Item | None:
        """The innermost item, if this bold run is the first thing in it."""
        for entry in reversed(stack):
            if isinstance(entry, Item):
                return None if entry.has_content or entry.lead is not None else entry
            if isinstance(entry, Block) and entry.kind != "paragraph":
                return None
        return None


def render_html(markdown: str) -> str:
    """Unsanitised HTML for a markdown fragment (sanitise before storing)."""
    return pyromark.html(markdown, options=MARKDOWN_OPTIONS)
