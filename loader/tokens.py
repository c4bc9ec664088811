"""Tokens for the full-text index, shared by the loader (indexing) and the API (querying).

SQLite's FTS5 ``trigram`` tokenizer cannot match terms shorter than three
characters, and most Chinese words are two characters long (芯片, 隐私). So
the index is fed pre-split tokens instead:

* a run of CJK characters becomes its overlapping bigrams (生成式 -> 生成 成式);
  a lone CJK character stays a unigram;
* any other run of letters or digits becomes one lowercased word.

A query is split the same way and searched as a phrase, so a CJK term of two
or more characters matches exactly where its characters stand side by side,
and a one-character CJK term matches the tokens that start with it and, given
the index's vocabulary, the bigrams that end with it (match_expression).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable, Sequence

from .fold import fold

# A token no text can produce (a private-use character: index_text only emits
# letters, digits and CJK), added to every search doc of a draft article so
# that public searches exclude drafts inside the index: ``… NOT DRAFT_TOKEN``.
DRAFT_TOKEN = "\ue000"

# Han ideographs (with extensions and compatibility forms), kana and hangul:
# scripts written without spaces between words.
CJK_RANGES = ("\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
              "\U00020000-\U0002fa1f")
_CJK = re.compile(f"[{CJK_RANGES}]")
_CJK_RUN = re.compile(f"[{CJK_RANGES}]+")
# A CJK run, or a run of word characters that are not CJK.
_RUN = re.compile(f"([{CJK_RANGES}]+)|([^\\W{CJK_RANGES}]+)")
# Every index token in one pass, in text order (the same tokens as splitting
# into runs() and each run into _run_tokens(), before lowercasing): at a CJK
# character followed by another, the bigram it starts (read by the lookahead,
# so bigrams overlap); a CJK character with no CJK neighbour on either side,
# alone; a whole run of other word characters. The last character of a CJK run
# of two or more matches nothing: its bigram was already taken.
_TOKEN = re.compile(f"(?=([{CJK_RANGES}]{{2}}|(?<![{CJK_RANGES}])[{CJK_RANGES}]"
                    f"|[^\\W{CJK_RANGES}]+))(?:[{CJK_RANGES}]|[^\\W{CJK_RANGES}]+)")
# The tokens of ASCII text: its runs of letters, digits and underscores.
_ASCII_WORD = re.compile(r"\w+", re.ASCII)


def is_cjk(ch: str) -> bool:
    return _CJK.match(ch) is not None


def count_cjk(text: str) -> int:
    if text.isascii():  # which Python knows without reading the text
        return 0
    # Summing run lengths makes one object per run rather than per character:
    # a quarter of the time on the seed corpus' bodies.
    return sum(map(len, _CJK_RUN.findall(text)))


def runs(text: str) -> list[tuple[str, bool]]:
    """Split text into (run, is_cjk) pairs of CJK runs and word runs; drop the rest."""
    return [(m.group(0), m.group(1) is not None) for m in _RUN.finditer(text)]


def _run_tokens(run: str, cjk: bool) -> list[str]:
    if not cjk:
        return [run.lower()]
    if len(run) == 1:
        return [run]
    return [a + b for a, b in zip(run, run[1:])]


def tokenize(text: str) -> list[str]:
    """The index tokens of a text, in order."""
    joined = index_text(text)
    return joined.split(" ") if joined else []


def index_text(text: str) -> str:
    """What the full-text index holds for ``text``: its tokens, joined by spaces.

    The text is folded first (loader/fold.py: full-width forms, letter case,
    Traditional to Simplified Chinese), and a query is folded the same way,
    so 隐私 finds 隱私 and ＡＩ finds ai. Folding keeps CJK characters one
    for one, so the bigrams of folded text are the folded bigrams."""
    if text.isascii():
        # Folding ASCII is lowercasing, and its tokens are its runs of word
        # characters: one simple match, a third of the time of the general one
        # (half of what the index holds is ASCII text in the benchmark's corpus).
        return " ".join(_ASCII_WORD.findall(text.lower()))
    # Lowercased after folding too, as query words are (_run_tokens): case
    # folding and lowercasing differ for a few scripts (Cherokee).
    return " ".join(_TOKEN.findall(fold(text))).lower()


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def match_expression(query: str, prefix: bool = True,
                     endings: Callable[[str], Sequence[str]] | None = None) -> str | None:
    """An FTS5 MATCH expression that treats ``query`` as literal text.

    Each whitespace-separated term becomes a quoted phrase of its tokens and
    the terms are ANDed, so user input can never be FTS5 syntax (quotes,
    NEAR(, *, AND, -, ^ and brackets are just characters). With ``prefix``,
    a last term that ends in a word of at least two Latin letters or digits
    (nothing after it: "c++" and "ai." are whole words) matches as a prefix
    too (search as you type: "infer" finds "inference"), and so does any
    such term followed by ``*`` ("infer*", as other engines spell a prefix).
    Returns None when the query has no searchable characters at all.

    A term of one CJK character X matches the tokens that start with it (X
    alone, or a bigram X?). It stands at the end of a run too, where only a
    bigram ending with it holds it: ``endings(X)`` names those the index has
    (api.search reads them from the index's vocabulary), and any of them
    matches as well. Without ``endings`` the expression misses those places.
    """
    phrases: list[str] = []
    all_terms = fold(query).split()
    for index, term in enumerate(all_terms):
        term_runs = runs(term)
        if not term_runs:
            continue
        if len(term_runs) == 1 and term_runs[0][1] and len(term_runs[0][0]) == 1:
            phrases.append(_anywhere(term_runs[0][0], endings))
            continue
        tokens: list[str] = []
        for run, cjk in term_runs:
            tokens.extend(_run_tokens(run, cjk))
        phrase = _quote(" ".join(tokens))
        last_run, last_cjk = term_runs[-1]
        bare = _star_stripped(term)  # infer* asks for a prefix wherever it stands
        if prefix and (index == len(all_terms) - 1 or bare != term) and not last_cjk \
                and len(last_run) >= 2 and bare.endswith(last_run):
            phrase += " *"  # the last token as a prefix: FTS5's phrase prefix query
        phrases.append(phrase)
    if not phrases:
        return None
    return " AND ".join(dict.fromkeys(phrases))  # a term given twice is asked once


def _anywhere(char: str, endings: Callable[[str], Sequence[str]] | None) -> str:
    """A lone CJK character wherever it stands: any bigram that starts with it,
    itself as a unigram, or (given endings) a bigram that ends with it."""
    alternatives = [_quote(char) + " *", *map(_quote, endings(char) if endings else ())]
    return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"


def cjk_expression(query: str, endings: Callable[[str], Sequence[str]],
                   findable: Callable[[str], bool]) -> str | None:
    """An FTS5 expression every text holding the query's terms literally matches
    (and others may): each run of CJK characters in every term, found as a phrase
    of its bigrams, a lone character anywhere; a run with a character the index
    cannot find (``findable``: its tokenizer splits there) adds nothing. None when
    nothing is left. The API narrows a literal scan with it (api.search), so the
    scan reads only the texts with those characters."""
    needed = [_anywhere(run, endings) if len(run) == 1 else
              _quote(" ".join(_run_tokens(run, True)))
              for term in fold(query).split() for run, cjk in runs(term)
              if cjk and all(map(findable, run))]
    return " AND ".join(dict.fromkeys(needed)) if needed else None


# What may stand around a term in running text without being part of it: quotes,
# brackets, dashes, and the marks that end a clause, so that "ai." is ai and
# "（芯片）" is 芯片 (forms after folding: NFKC has made ，！（ into , ! ().
# A full stop only at the end: ".net" keeps it. And the wildcard and boost of
# other engines' syntax (芯片*, ^ai).
_OUTER_CATEGORIES = frozenset({"Ps", "Pe", "Pi", "Pf", "Pd"})
_CLAUSE_MARKS = frozenset(",;:!?。、'\"¡¿*^")
# A character the index leaves out of its tokens (neither a word character nor CJK).
_LEFT_OUT = re.compile(f"[^\\w{CJK_RANGES}]")


def _outer(ch: str, at_end: bool) -> bool:
    if is_cjk(ch):  # kana's own marks (゠ ・) are searched as written
        return False
    return (unicodedata.category(ch) in _OUTER_CATEGORIES or ch in _CLAUSE_MARKS
            or (at_end and ch == "."))


def _star_stripped(term: str) -> str:
    """``term`` up to a trailing ``*`` and the punctuation after it ("(infer*)," -> "(infer");
    itself if no ``*`` ends its word."""
    end = len(term)
    while end > 0 and term[end - 1] != "*" and _outer(term[end - 1], True):
        end -= 1
    return term[:end].rstrip("*") if term[:end].endswith("*") else term


def trimmed(term: str) -> str:
    """``term`` without the punctuation that may lead or trail it in running text."""
    start, end = 0, len(term)
    while start < end and _outer(term[start], False):
        start += 1
    while end > start and _outer(term[end - 1], True):
        end -= 1
    return term[start:end]


def _joins(ch: str) -> bool:
    """Hyphens, dashes and apostrophes join the parts of a word ("e-mail", "don't")."""
    return (unicodedata.category(ch) == "Pd" and not is_cjk(ch)) or ch in "'’"


def pieces(term: str) -> list[str]:
    """A trimmed term split where its parts join (``gpt-3.5`` -> ``gpt``, ``3.5``)."""
    found, start = [], 0
    for at, ch in enumerate(term):
        if _joins(ch):
            found.append(term[start:at])
            start = at + 1
    found.append(term[start:])
    return [piece for piece in found if piece]


def holds_left_out(piece: str) -> bool:
    """True when the index cannot tell ``piece`` from its words alone (c++, c#,
    node.js, 3.5): a character in it is in no token."""
    return _LEFT_OUT.search(piece) is not None


def literal_pieces(query: str) -> list[str]:
    """The pieces of the query's terms that a text must hold as written (folded),
    besides the index's match: those holding a character the index leaves out.

    The index matches "c++" wherever the word c stands, and "node.js" wherever
    node is followed by js; a literal query means the text holds c++ and
    node.js. Parts joined by a hyphen, dash or apostrophe are left to the index,
    which finds them whichever of those joins them (e-mail, e–mail), and so is
    the punctuation around a term (trimmed)."""
    found = [piece for term in fold(query).split() for piece in pieces(trimmed(term))
             if holds_left_out(piece)]
    return list(dict.fromkeys(found))
