"""Folding text for matching: one form for the spellings a reader treats as the same.

Three differences are folded away, in this order:

* full-width and half-width forms, ligatures and compatibility characters
  (Unicode NFKC: ``ＡＢＣ１２３`` -> ``ABC123``, ``：`` stays a CJK colon);
* letter case (``str.casefold``);
* Traditional and Simplified Chinese characters (隱私 -> 隐私), with OpenCC's
  Traditional-to-Simplified character table.

The Chinese folding is done character by character, never by phrase: the
search index and a query must fold every character the same way whatever
stands beside it, or a two-character query could miss a match that OpenCC's
phrase rules spelled differently in context. Every entry of the table maps
one character to one character, so folded CJK text keeps its length.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# The CJK blocks whose characters OpenCC may map: unified ideographs with
# extension A and the supplementary planes, and the compatibility ideographs.
_HAN_BLOCKS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))


@lru_cache(maxsize=None)
def han_table(config: str = "t2s") -> dict[int, str]:
    """OpenCC's character table for ``config`` (t2s: Traditional -> Simplified,
    about 5,000 entries), one character to one character, built once per
    process in about 60 ms."""
    import opencc

    converter = opencc.OpenCC(config)
    chars = "".join(map(chr, (code for low, high in _HAN_BLOCKS for code in range(low, high + 1))))
    # One call over all characters, one per line: a line break stops every
    # phrase rule, so each character is converted on its own.
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # never seen; refuse rather than misalign
        raise RuntimeError("OpenCC changed the number of lines while converting characters")
    changed = [(a, b) for a, b in zip(chars, converted) if a != b and len(b) == 1]
    return str.maketrans("".join(a for a, _ in changed), "".join(b for _, b in changed))


@lru_cache(maxsize=None)
def traditional_characters() -> frozenset[str]:
    """The characters OpenCC's t2s table changes."""
    return frozenset(map(chr, han_table("t2s")))


def fold_han(text: str) -> str:
    """Traditional Chinese characters to Simplified, character by character."""
    # Most text holds none: looking for one in a set takes 40 % of translating.
    if traditional_characters().isdisjoint(text):
        return text
    return text.translate(han_table("t2s"))


def fold(text: str) -> str:
    """The matching form of ``text``: NFKC, case-folded, Simplified Chinese."""
    if text.isascii():  # nothing to normalise and no Chinese: the common case of words
        return text.casefold()
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return fold_han(text.casefold())


def fold_with_positions(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` and, for every character of it, the index of the character
    of ``text`` it came from (NFKC and case folding may turn one character into
    several, e.g. ``ﬁ`` -> ``fi``), so that a match found in the folded text can
    be shown in the original."""
    pieces: list[str] = []
    origins: list[int] = []
    for index, ch in enumerate(text):
        folded = fold(ch)
        pieces.append(folded)
        origins.extend([index] * len(folded))
    return "".join(pieces), origins


def sources(char: str) -> frozenset[str]:
    """Every character that may stand in a text whose fold holds ``char``
    (``char`` itself, ``＋`` and ``⁺`` for ``+``, ``Á`` for ``a``), for ``char``
    taken from the full compatibility decomposition (NFKD) of a folded string.

    A text whose fold holds a folded string holds, for each character of the
    string's NFKD, one of that character's sources: so ``instr()`` over the
    raw text for the sources of one of them rules texts out without folding
    them (api.search). Folding is a Python call per text; instr is not."""
    return _sources().get(char, frozenset()) | {char}


@lru_cache(maxsize=None)
def _sources() -> dict[str, frozenset[str]]:
    # Built once per process from every code point that folding may change, in
    # about 0.35 s: a character's sources are the characters whose NFKD, or the
    # NFKD of whose fold, holds it.
    found: dict[str, set[str]] = {}
    traditional = traditional_characters()
    for code in range(0x110000):
        ch = chr(code)
        if not unicodedata.is_normalized("NFKD", ch) or ch.casefold() != ch \
                or ch in traditional:  # (Hangul syllables have no decomposition() entry)
            decomposed = unicodedata.normalize("NFKD", ch) + unicodedata.normalize("NFKD", fold(ch))
            for part in set(decomposed) - {ch}:
                found.setdefault(part, set()).add(ch)
    return {part: frozenset(chars) for part, chars in found.items()}
