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
    # Character by character, in one pass over a table, unless a character may
    # combine with its neighbours (see _CharFolds): then the whole text, as defined.
    folded = text.translate(_CHAR_FOLDS)
    return folded if _WHOLE not in folded else fold_whole(text)


def fold_whole(text: str) -> str:
    """``fold`` as defined: the whole text normalised (NFKC), case-folded, then each
    character to Simplified Chinese. ``fold`` gives the same, faster."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return fold_han(text.casefold())


# What _CharFolds gives a character whose fold needs its neighbours (no fold holds it:
# NUL itself maps to it, and a text holding NUL is folded whole).
_WHOLE = "\x00"

# Starters (combining class 0) that a canonical composition takes as its second
# character, so that NFKC joins them to the character before (U+0B3E after U+0B47 is
# U+0B4B): every one in Unicode 14.0 (Python 3.11's data; checked by
# tests/loader/test_fold.py), and the Hangul jamo block, whose vowels and trailing
# consonants compose syllables by rule.
_LISTED_FOR = "14.0.0"
_LISTED = (0x09BE, 0x09D7, 0x0B3E, 0x0B56, 0x0B57, 0x0BBE, 0x0BD7, 0x0CC2, 0x0CD5, 0x0CD6,
           0x0D3E, 0x0D57, 0x0DCF, 0x0DDF, 0x0FB5, 0x0FB7, 0x102E, 0x1B35, 0x11127, 0x1133E,
           0x11357, 0x114B0, 0x114BA, 0x114BD, 0x115AF, 0x11930)


def canonical_pairs() -> set[str]:
    """The two characters of every canonical decomposition into two in this Python's
    Unicode data (a scan of every code point: about 0.2 s)."""
    pairs = set()
    for code in range(0x110000):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            pairs.add("".join(chr(int(part, 16)) for part in parts))
    return pairs


def second_starters(pairs: set[str]) -> set[str]:
    """The starters among the second characters of ``pairs``."""
    return {pair[1] for pair in pairs if unicodedata.combining(pair[1]) == 0}


# Another Python's Unicode data may add compositions: there the list is made again.
_COMPOSES_BACKWARD = frozenset(map(chr, range(0x1100, 0x1200))) | (
    frozenset(map(chr, _LISTED)) if unicodedata.unidata_version == _LISTED_FOR
    else frozenset(second_starters(canonical_pairs())))


def _stands_alone(ch: str) -> bool:
    """True when NFKC can neither join ``ch`` to a neighbour nor reorder it: a starter
    that composes with nothing before it."""
    return unicodedata.combining(ch) == 0 and ch not in _COMPOSES_BACKWARD


class _CharFolds(dict):
    """Code point -> the fold of that one character, or _WHOLE; filled as characters
    are met (a table of every code point takes about a second to build).

    A text whose characters' NFKC forms all stand alone is normalised character by
    character: replacing a character by its NFKC form keeps the text's NFKD, and the
    result, made of starters that compose with nothing before them, is already NFKC
    (its quick check is Yes throughout). Case folding and the Chinese table work
    character by character anyway. So such a text's fold is the concatenation of its
    characters' folds, and str.translate makes it in one pass: the benchmark corpus'
    non-ASCII search texts folded in 0.10 s where normalising them whole took 0.23 s
    (CJK text with full-width punctuation, which is never in NFKC)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        nfkc = unicodedata.normalize("NFKC", ch)
        if ch == _WHOLE or not all(map(_stands_alone, nfkc)):
            folded = _WHOLE
        else:
            folded = fold_han(nfkc.casefold())
        if len(self) < _CHAR_FOLDS_KEPT:  # search queries are anyone's text: bounded
            self[code] = folded
        return folded


# Characters whose folds are kept (a few MB at most); articles use a few thousand.
_CHAR_FOLDS_KEPT = 50_000


_CHAR_FOLDS = _CharFolds()


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
    # (fold_whole: these 22,068 mostly rare characters would fill the table
    # of _CharFolds, which is kept for the characters texts are made of.)
    found: dict[str, set[str]] = {}
    traditional = traditional_characters()
    for code in range(0x110000):
        ch = chr(code)
        if not unicodedata.is_normalized("NFKD", ch) or ch.casefold() != ch \
                or ch in traditional:  # (Hangul syllables have no decomposition() entry)
            decomposed = (unicodedata.normalize("NFKD", ch)
                          + unicodedata.normalize("NFKD", fold_whole(ch)))
            for part in set(decomposed) - {ch}:
                found.setdefault(part, set()).add(ch)
    return {part: frozenset(chars) for part, chars in found.items()}
