"""What every step of reading one article needs: the parsed document, the
settings, and the diagnostics found so far, with helpers that cut source
ranges into stored texts."""

from __future__ import annotations

from dataclasses import dataclass, field

from .blocks import Block, Document, Item
from .body import anchored_markdown
from .config import ContentConfig
from .diagnostics import Diagnostic
from .model import EMPTY, Span, Text
from .text import text_of

Unit = Item | Block  # a list item or a top-level paragraph

# Separators between a lead-in and its text: "**优点**：…", "Pros - …", "Pros — …".
SEPARATORS = ":：-—–"


@dataclass
class ReadContext:
    path: str
    doc: Document
    config: ContentConfig
    anchor_at: dict[int, str] = field(default_factory=dict)  # heading line -> anchor
    problems: list[Diagnostic] = field(default_factory=list)
    last_line: int = 0  # the file's last line: no span ends after it

    @property
    def vocabulary(self):
        return self.config.vocabulary

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Diagnostic(self.path, line, message, "warning"))

    def error(self, line: int, message: str) -> None:
        self.problems.append(Diagnostic(self.path, line, message, "error"))

    def line(self, offset: int) -> int:
        return self.doc.line(offset)

    def span(self, start: int, end: int) -> Span:
        last = self.doc.last_line(end)
        if self.last_line:
            last = min(last, self.last_line)
        return Span(self.path, self.doc.line(start), max(last, self.doc.line(start)))

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
        return dedent(self.doc.source(start, end), indent)

    def column(self, offset: int) -> int:
        """The column (in characters) of the byte at ``offset`` in its line."""
        line_start = self.doc.raw.rfind(b"\n", 0, offset) + 1
        return len(self.doc.raw[line_start:offset].decode("utf-8"))

    def text(self, start: int, end: int, indent: int | None = None) -> Text:
        if start >= end:
            return EMPTY
        markdown = self.fragment(start, end, indent)
        anchored = self.anchored(start, end) if indent is None else None
        return text_of(markdown, self.doc.plain(start, end), anchored)

    def anchored(self, start: int, end: int) -> str | None:
        return anchored_markdown(self.doc, self.anchor_at, start, end)

    def blocks_text(self, blocks: list[Block]) -> Text:
        return self.text(blocks[0].start, blocks[-1].end) if blocks else EMPTY

    def skip_separator(self, offset: int, end: int) -> int:
        """The offset after the spaces and one run of separator characters at ``offset``."""
        window = self.doc.peek(offset, end)
        stripped = window.lstrip()
        if stripped[:1] and stripped[0] in SEPARATORS:
            stripped = stripped.lstrip(SEPARATORS)
        stripped = stripped.lstrip()
        return offset + len(window.encode()) - len(stripped.encode())

    def unit_text(self, unit: Unit, start: int, end: int | None = None) -> Text:
        """A unit's text from byte ``start`` (after its marker and lead-in) to
        ``end`` (its own end by default), as a fragment that renders alone."""
        end = unit.end if end is None else end
        source = self.doc.source(start, end).strip()
        if start >= end or not source:
            return EMPTY
        plain = self.doc.plain(start, end)
        # A paragraph starts its line: no marker to dedent; nor has a text of one line.
        if unit.__class__ is Block or "\n" not in source:
            return text_of(source, plain)
        return text_of(dedent(source, self.column(unit.content_start)), plain)


def dedent(source: str, indent: int) -> str:
    """A list item's content (from mid-line) with its later lines losing up to
    ``indent`` leading spaces: see ReadContext.fragment."""
    first, _, rest = source.partition("\n")
    if not rest:
        return first.strip()
    lines = [first.strip()]
    for line in rest.split("\n"):
        spaces = len(line) - len(line.lstrip(" "))
        lines.append(line[min(spaces, indent):])
    return "\n".join(lines).rstrip()


def join_texts(texts: list[Text]) -> Text:
    """Texts one after another, as one text (blank lines between)."""
    kept = [t for t in texts if t.md]
    if not kept:
        return EMPTY
    if len(kept) == 1:
        return kept[0]
    return Text("\n\n".join(t.md for t in kept), "\n".join(t.html for t in kept),
                "\n".join(t.plain for t in kept))
