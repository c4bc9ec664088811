"""Tokens for the full-text index, shared by the loader (indexing) and the API (querying).

SQLite's FTS5 ``trigram`` tokenizer cannot match terms shorter than three
characters, and most Chinese words are two characters long (芯片, 隐私). So
the index is fed pre-split tokens instead:

* a run of CJK characters becomes its overlapping bigrams (生成式 -> 生成 成式);
  a lone CJK character stays a unigram;
* any other run of letters or digits becomes one lowercased word.

A query is split the same way and searched as a phrase, so a CJK term of two
or more characters matches exactly where its characters stand side by side,
and a one-character CJK term falls back to a prefix match on the bigrams.
"""

from __future__ import annotations

import unicodedata


def is_cjk(ch: str) -> bool:
    """True for Han ideographs, kana and hangul: scripts written without spaces."""
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0x3400 <= code <= 0x4DBF  # extension A
        or 0x20000 <= code <= 0x2FA1F  # extensions B-F, compatibility supplement
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0xAC00 <= code <= 0xD7AF  # hangul syllables
    )


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or unicodedata.category(ch) == "Mn"


def runs(text: str) -> list[tuple[str, bool]]:
    """Split text into (run, is_cjk) pairs of CJK runs and word runs; drop the rest."""
    out: list[tuple[str, bool]] = []
    current: list[str] = []
    current_cjk = False
    for ch in text:
        if is_cjk(ch):
            kind: bool | None = True
        elif _is_word_char(ch):
            kind = False
        else:
            kind = None
        if current and kind is not current_cjk:
            out.append(("".join(current), current_cjk))
            current = []
        if kind is not None:
            current.append(ch)
            current_cjk = kind
    if current:
        out.append(("".join(current), current_cjk))
    return out


def _run_tokens(run: str, cjk: bool) -> list[str]:
    if not cjk:
        return [run.lower()]
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def tokenize(text: str) -> list[str]:
    """The index tokens of a text, in order."""
    tokens: list[str] = []
    for run, cjk in runs(text):
        tokens.extend(_run_tokens(run, cjk))
    return tokens


def index_text(text: str) -> str:
    """The value stored in ``search_docs.tokens``: tokens joined by spaces."""
    return " ".join(tokenize(text))


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression that treats ``query`` as literal text.

    Each whitespace-separated term becomes a quoted phrase of its tokens and
    the terms are ANDed, so user input can never be FTS5 syntax (quotes,
    NEAR(, *, AND, -, ^ and brackets are just characters). Returns None when
    the query has no searchable characters at all.
    """
    phrases: list[str] = []
    for term in query.split():
        term_runs = runs(term)
        if not term_runs:
            continue
        if len(term_runs) == 1 and term_runs[0][1] and len(term_runs[0][0]) == 1:
            # A lone CJK character: match any bigram that starts with it, or
            # itself as a unigram. (A bigram ending with it is found by the
            # SQL fallback in the API, which scans text with instr.)
            phrases.append(_quote(term_runs[0][0]) + " *")
            continue
        tokens: list[str] = []
        for run, cjk in term_runs:
            tokens.extend(_run_tokens(run, cjk))
        phrases.append(_quote(" ".join(tokens)))
    if not phrases:
        return None
    return " AND ".join(phrases)


def terms(query: str) -> list[str]:
    """The literal terms of a query, for highlighting matches in snippets."""
    return [t for t in query.split() if runs(t)]
