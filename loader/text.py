"""Derived text: sanitised HTML, plain text, anchors, word counts, excerpts.

Reading time depends on the language: see loader/language.py."""

from __future__ import annotations

import html
import re
import unicodedata

import nh3

from .blocks import render_html
from .model import Text
from .tokens import CJK_RANGES, count_cjk

# Characters that end a sentence, in Chinese/Japanese and Latin scripts.
SENTENCE_ENDS = "。！？!?.…"

# What survives sanitising: ammonia's defaults (no script, style, iframe,
# event handlers or javascript: URLs) plus <mark> for search highlights.
_ALLOWED_TAGS = nh3.ALLOWED_TAGS | {"mark"}


# Headings keep their id: the anchor a table of contents or a search hit links to.
_ALLOWED_ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES,
                       **{f"h{n}": {*nh3.ALLOWED_ATTRIBUTES.get(f"h{n}", ()), "id"}
                          for n in range(1, 7)}}
_CLEANER = nh3.Cleaner(tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES,
                       link_rel="noopener noreferrer")


def sanitise(html: str) -> str:
    return _CLEANER.clean(html)


# A line of markdown that renders as itself in one paragraph: it starts with a
# letter or digit (not as "1." or "2)", an ordered list's marker), and holds only
# letters, digits, spaces (none at the end), and punctuation that is never
# markup nor escaped in HTML, where nothing can open a block, an emphasis, a
# code span, a link, an entity or a tag. Most key points, pros, cons and advice
# are such sentences. tests/loader/test_text.py checks the claim against
# rendering and sanitising, on written and generated lines; it holds for
# MARKDOWN_OPTIONS (tables and strikethrough), and another option (math,
# autolinks, smart punctuation) would need the class read again.
# (One character class, and "_" ruled out apart: an alternation per character
# took longer than rendering and sanitising.)
_PLAIN_LINE = re.compile("(?![0-9]*[.)])\\w"
                         "[\\w ,.;:?!'\"%/()+=@$^{}，。：；、！？（）《》“”‘’「」【】…—·-]*")


def renders_as_itself(markdown: str) -> bool:
    """Whether ``markdown`` renders (and sanitises) to ``<p>markdown</p>``."""
    return _PLAIN_LINE.fullmatch(markdown) is not None and "_" not in markdown \
        and not markdown.endswith(" ")


def text_of(markdown: str, plain: str, anchored: str | None = None) -> Text:
    """A Text from markdown and its already-extracted plain form. The HTML is
    sanitised unless the markdown is a plain line (renders_as_itself): whether
    a fragment holds raw HTML depends on how it parses on its own (an indented
    code block in place can be an HTML block once cut out). Rendering and
    sanitising cost about 4 µs a field; a plain line's check, under 1 µs.
    ``anchored``: the same markdown with ``{#anchor}`` after each heading, to
    render headings with their ids."""
    if not markdown.strip():
        return Text("", "", "")
    if anchored is None and renders_as_itself(markdown):
        return Text(markdown, f"<p>{markdown}</p>\n", plain)
    html = render_html(anchored, heading_ids=True) if anchored else render_html(markdown)
    return Text(markdown, sanitise(html), plain)


def inline_text(markdown: str) -> Text:
    """A one-line text (a title, a description) in its three forms. The HTML is
    inline, without a paragraph around it; the text is read as inline markdown
    even where it would start a block (``1. Intro``, ``# Hi``): a title is never
    a list or a heading. Line breaks inside it are spaces."""
    line = " ".join(markdown.split())
    if not line:
        return Text(markdown.strip(), "", "")
    for candidate in (line, _escape_block_start(line)):
        inner = _paragraph_content(render_html(candidate))
        if inner is not None:
            break
    else:  # raw HTML that opens a block (`<div>…`): kept as HTML, sanitised
        inner = line
    clean = sanitise(inner).strip()
    return Text(markdown.strip(), clean, _plain_of_html(clean))


_TEXT_ONLY = nh3.Cleaner(tags=set(), attributes={})


def _plain_of_html(fragment: str) -> str:
    """The text of sanitised inline HTML: no tag survives, a line break is a space."""
    text = html.unescape(_TEXT_ONLY.clean(fragment.replace("<br>", " ")))
    return " ".join(text.split())


def _paragraph_content(rendered: str) -> str | None:
    """What is inside ``<p>…</p>`` when the HTML is exactly one paragraph."""
    rendered = rendered.strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        return rendered[3:-4]
    return None


def _escape_block_start(line: str) -> str:
    """``line`` with a backslash before what would open a block: a leading
    punctuation mark (#, -, +, >, =, |, `, ~) or an ordered list's delimiter."""
    digits = len(line) - len(line.lstrip("0123456789"))
    if 0 < digits <= 9 and line[digits:digits + 1] in (".", ")"):
        return f"{line[:digits]}\\{line[digits:]}"
    if line[0] in "#-+*>=|`~_":
        return "\\" + line
    return line


# What an anchor keeps: letters and digits (str.isalnum, which is re's \w
# without '_') and CJK. Runs of anything else become one hyphen, and none is
# left at either end, so the anchor is its kept runs joined by hyphens.
_ANCHOR_RUN = re.compile(f"(?:[^\\W_]|[{CJK_RANGES}])+")


def anchor(text: str) -> str:
    """A URL fragment for a heading: lowercase letters, digits and CJK kept, the
    rest folded to single hyphens. Stable for the same text, and never empty."""
    slug = "-".join(_ANCHOR_RUN.findall(unicodedata.normalize("NFKC", text).lower()))
    return slug or "section"


class Anchors:
    """Hands out unique anchors within one article (repeats get -2, -3, ...)."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def __call__(self, text: str) -> str:
        base = anchor(text)
        count = self._seen.get(base, 0) + 1
        self._seen[base] = count
        return base if count == 1 else f"{base}-{count}"


# A word of non-CJK text, where CJK characters separate words as whitespace
# does: matched from its first letter or digit to its end, so each word that
# has one is found once, and the rest are skipped. Unlike blanking the CJK
# characters out first and then matching, this reads the text once.
_WORD = re.compile(f"[^\\W_{CJK_RANGES}][^\\s{CJK_RANGES}]*")
# The same for ASCII text, without the CJK ranges to test each character against.
_ASCII_WORD = re.compile("[A-Za-z0-9]\\S*")


def word_count(plain: str) -> int:
    """Each CJK character is a word; other text counts whitespace-separated words."""
    if plain.isascii():
        return len(_ASCII_WORD.findall(plain))
    return count_cjk(plain) + len(_WORD.findall(plain))


def excerpt(plain: str, length: int = 200) -> str:
    """At most ``length`` characters of ``plain``, cut after the last whole
    sentence that fits; a first sentence longer than that is cut with '…'."""
    text = " ".join(plain.split())
    if len(text) <= length:
        return text
    # A '.' only ends a sentence before a space (not in "4.5" or "e.g.x").
    cut = max(
        (i for i, ch in enumerate(text[:length])
         if ch in SENTENCE_ENDS and (ch != "." or text[i + 1: i + 2] in (" ", ""))),
        default=-1,
    )
    if cut > 0:
        return text[: cut + 1].strip()
    return text[: max(length - 1, 1)].rstrip() + "…"
