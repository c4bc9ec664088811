"""Numbering prefixes of headings: "一、", "2.", "1.1", "IV.", "a.", "路线 A：", "(3)".

Only real numbering becomes a label; when in doubt, the text stays in the
title. A numeral needs its punctuation: Chinese numerals take 、 . ．;
Arabic numbers take . 、 ) ．; Roman numerals (upper case, well formed) take
. or 、 only. So "CI: pipelines" keeps "CI:", "0 运行时 CSS" keeps its "0",
and "2024 年" and "3 nm" are never labels. A dotted number ("1.2 技术路线")
is a label only where its first parts are the parent heading's number, so a
version number ("3.5 Sonnet") is not. A label word before the label ("路线
A：", "Option 1 —", "第二部分：") is read from the vocabulary.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .vocabulary import Vocabulary

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN = "零〇一二两三四五六七八九十百"
_CIRCLED = {chr(0x2460 + i): i + 1 for i in range(20)}  # ① .. ⑳
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}

# After "." or ")" a label must be followed by a space or a non-ASCII character:
# "a. 名称" and "a.名称" are labels, "e.g. this" and "1.5x faster" are not.
_AFTER = r"(?=\s|[^\x00-\x7f]|$)"
_PATTERNS = [
    ("cn", re.compile(rf"([{_CN}]+)\s*[、.．]\s*")),
    ("dotted", re.compile(r"(\d+(?:[.．]\d+)+)[.．]?(?:\s+|(?=[^\x00-\x7f]))")),
    ("arabic", re.compile(rf"(\d+)\s*(?:[、．）]|[.)]{_AFTER})\s*")),
    ("paren", re.compile(rf"[(（]\s*(\d+|[{_CN}]+|[A-Za-z])\s*[)）]\s*")),
    ("circled", re.compile(r"([\u2460-\u2473])\s*")),
    ("roman", re.compile(rf"([IVXLCDM]+)\s*(?:、|\.{_AFTER})\s*")),
    ("letter", re.compile(rf"([A-Za-z])\s*(?:[、．）]|[.)]{_AFTER})\s*")),
]
# After a label word: the label, then a separator or the end ("路线 A：", "方案一", "Option 2 —").
_WORD_LABEL = re.compile(rf"\s*(\d+|[{_CN}]+|[IVX]{{2,4}}|[A-Za-z])(?:\s*[:：—–\-、.．)）]+\s*|\s+|$)")
# "第一章 …", "第二部分：…", "第3节" (the ordinal prefix of Chinese headings).
_DI = re.compile(rf"第\s*(\d+|[{_CN}]+)\s*(?:章|节|部分|部|篇|讲|个趋势|点|项)?\s*[:：、.．,，]?\s*")
# Words that make a number a quantity, not a label: 2024 年, 5 月.
_QUANTITY = ("年", "月", "日", "号")


@dataclass(frozen=True)
class Numbering:
    label: str | None  # as written
    number: int | None  # the value of the label (its last part, for "1.2")
    title: str  # the rest of the heading
    parts: tuple[int, ...] = ()  # every part of a dotted label


NONE = Numbering(None, None, "")


def chinese_number(text: str) -> int | None:
    """一 -> 1, 十二 -> 12, 二十 -> 20, 一百零五 -> 105; None if not a numeral."""
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def roman_number(text: str) -> int | None:
    """A well-formed upper-case Roman numeral's value (IV -> 4); None otherwise."""
    if not text or any(ch not in _ROMAN for ch in text):
        return None
    values = [_ROMAN[ch] for ch in text]
    total = sum(-v if i + 1 < len(values) and values[i + 1] > v else v
                for i, v in enumerate(values))
    return total if 0 < total < 4000 and _to_roman(total) == text else None


def _to_roman(value: int) -> str:
    out = ""
    for number, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                            (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                            (4, "IV"), (1, "I")):
        while value >= number:
            out += letters
            value -= number
    return out


def _value(label: str, letters_first: bool = True) -> int | None:
    if not letters_first and roman_number(label) is not None:
        return roman_number(label)
    if label in _CIRCLED:
        return _CIRCLED[label]
    digits = unicodedata.normalize("NFKC", label)
    if digits.isdecimal():
        return int(digits)
    number = chinese_number(label)
    if number is not None:
        return number
    if len(label) == 1 and label.isascii() and label.isalpha():
        return ord(label.lower()) - ord("a") + 1
    return roman_number(label)


def split_number(text: str, *, vocabulary: Vocabulary | None = None, label_role: str = "",
                 parent: tuple[int, ...] | None = None, letters_first: bool = False) -> Numbering:
    """Split a heading's numbering off: (label, number, title).

    ``label_role`` names the vocabulary's label words to accept before a label
    (route_label, trend_label). ``parent`` is the number of the enclosing
    heading, which a dotted label must start with. ``letters_first`` reads a
    single I, V, X, L, C, D or M as a letter (routes: a, b, c) rather than a
    Roman numeral (trends: I, II, III).
    """
    text = text.strip()
    if vocabulary is not None and label_role:
        found = _after_label_word(text, vocabulary, label_role)
        if found is not None:
            return found
    di = _DI.match(text)
    if di and di.end() < len(text):
        number = _value(di.group(1))
        if number is not None:
            return Numbering(di.group(1), number, text[di.end():].strip(), (number,))
    for scheme, pattern in _ordered(letters_first):
        match = pattern.match(text)
        if not match:
            continue
        label, rest = match.group(1), text[match.end():].strip()
        if not rest or rest.startswith(_QUANTITY):
            continue
        if scheme == "dotted":
            parts = tuple(int(unicodedata.normalize("NFKC", p))
                          for p in re.split(r"[.．]", label))
            if parent is None or parts[:len(parent)] != parent or len(parts) <= len(parent):
                return Numbering(None, None, text)  # a version number, not a label
            return Numbering(label, parts[-1], rest, parts)
        number = _value(label) if scheme != "roman" else roman_number(label)
        if number is None:
            continue
        return Numbering(label, number, rest, (number,))
    return Numbering(None, None, text)


# Letters first: a single I, V, X, ... reads as a letter before a Roman numeral.
_LETTERS_FIRST = sorted(_PATTERNS, key=lambda entry: entry[0] == "roman")


def _ordered(letters_first: bool):
    return _LETTERS_FIRST if letters_first else _PATTERNS


def _after_label_word(text: str, vocabulary: Vocabulary, role: str) -> Numbering | None:
    size = vocabulary.label_word(role, text)
    if not size:
        return None
    match = _WORD_LABEL.match(text, size)
    if not match:
        return None
    label = match.group(1)
    number = _value(label, letters_first=role != "trend_label")
    if number is None:
        return None
    rest = text[match.end():].strip()
    # "方案一" alone: the label, and the heading itself as the name.
    return Numbering(label, number, rest or text, (number,))
