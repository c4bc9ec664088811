"""The regex-based tokens, word counts and anchors against their definitions.

loader.tokens and loader.text compute these with whole-string regexes for
speed. The reference implementations below are the earlier, per-run and
per-character code, kept as the definition: the stored FTS tokens, word
counts and heading anchors must not change by a single character.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from loader.fold import fold
from loader.language import reading_time_minutes
from loader.text import anchor, word_count
from loader.tokens import CJK_RANGES, count_cjk, index_text, literal_pieces, tokenize, trimmed

_CJK = re.compile(f"[{CJK_RANGES}]")
_RUN = re.compile(f"([{CJK_RANGES}]+)|([^\\W{CJK_RANGES}]+)")
_WORD = re.compile(r"\S*[^\W_]\S*")


def reference_tokenize(text: str) -> list[str]:
    """The tokens of the folded text (loader.fold: NFKC, case, Traditional to
    Simplified), one run at a time."""
    tokens: list[str] = []
    for match in _RUN.finditer(fold(text)):
        run = match.group(0)
        if match.group(1) is None:
            tokens.append(run.lower())
        elif len(run) == 1:
            tokens.append(run)
        else:
            tokens.extend(a + b for a, b in zip(run, run[1:]))
    return tokens


def reference_count_cjk(text: str) -> int:
    return len(_CJK.findall(text))


def reference_word_count(plain: str) -> int:
    return reference_count_cjk(plain) + len(_WORD.findall(_CJK.sub(" ", plain)))


def reference_anchor(text: str) -> str:
    out: list[str] = []
    for ch in unicodedata.normalize("NFKC", text).lower():
        if ch.isalnum() or _CJK.match(ch) is not None:
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-") or "section"


# Characters where a shortcut would most likely go wrong: both ends of every
# CJK range and their outside neighbours, CJK-range characters that are not
# letters (・, ー, combining sound marks, unassigned points), case mappings
# that depend on context or change length (Σ, İ, ß, ǅ), combining marks,
# underscore, full-width and other non-ASCII letters and digits, and
# whitespace that str.split and regexes must agree on.
TRICKY = (
    "\u303f\u3040\u3041\u3099\u309b\u30fb\u30fc\u30ff\u3100"
    "\u33ff\u3400\u4dbf\u4dc0\u4e00\u9fff\ua000\uf8ff\uf900\ufaff\ufb00"
    "\uabff\uac00\ud7a3\ud7a4\ud7af\ud7b0\U0001ffff\U00020000\U0002fa1f\U0002fa20"
    "生成式芯片隐私한국어カタカナひらがな"
    "ΣσςΑΒİıßǅǄǆ\u0301\u0307\u0345_-.:'’"
    "aZé9٣²½ＡＢｆ０１"
    " \t\n\xa0\u2028\u3000\u200b\ufeff😀。，！"
)
_TRICKY_TEXT = st.text(alphabet=st.sampled_from(TRICKY), max_size=40)
TEXT = st.one_of(
    _TRICKY_TEXT,
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=127), max_size=40),  # ASCII: a path of its own
    st.lists(_TRICKY_TEXT | st.text(max_size=6), max_size=10).map("".join),
)
CASES = ["", " ", "生", "生成式 AI", "ΑΣ ΒΣΑ σΣ", "ΑΣ生成", "生ΑΣ", "İstanbul 芯片", "a_b 生_成",
         "GPT-4 和 Gemini", "GPT-4o_mini, C++ & .NET 8", "ー", "カー", "x\u0301y", "ǅungla", "١٢٣ abc", "\U00020000\U00020001"]


def _examples(test):
    for case in CASES:
        test = example(case)(test)
    return test


@settings(max_examples=600, deadline=None)
@given(TEXT)
@_examples
def test_tokens_match_the_per_run_definition(text):
    expected = reference_tokenize(text)
    assert tokenize(text) == expected
    assert index_text(text) == " ".join(expected)


@settings(max_examples=600, deadline=None)
@given(TEXT)
@_examples
def test_word_counts_match_the_definition(text):
    assert count_cjk(text) == reference_count_cjk(text)
    assert word_count(text) == reference_word_count(text)
    assert reading_time_minutes(text, word_count(text), "en") == \
        reading_time_minutes(text, reference_word_count(text), "en")


@settings(max_examples=600, deadline=None)
@given(TEXT)
@_examples
def test_anchors_match_the_per_character_definition(text):
    assert anchor(text) == reference_anchor(text)



@pytest.mark.parametrize("query, literal", [
    ("c++", ["c++"]), ("C#", ["c#"]), ("ｃ＋＋", ["c++"]), (".NET", [".net"]),
    ("node.js", ["node.js"]), ("gpt-3.5", ["3.5"]), ("50%", ["50%"]), ("++", ["++"]),
    ("c++, c#.", ["c++", "c#"]), ("（C++）", ["c++"]), ("“c++”", ["c++"]), ("c++ c++", ["c++"]),
    ("ai.", []), ("e-mail", []), ("e–mail", []), ("don't", []), ("don’t", []), ("「芯片」。", []),
    ("，", []), ("-芯片", []), ("x\u0301y", ["x\u0301y"]), ("k・z", []), ("゠", []),
])
def test_literal_pieces_are_what_the_index_leaves_out(query, literal):
    """Inside a term, a character in no token is literal; around it, punctuation of
    running text is not part of it, and hyphens and apostrophes join words."""
    assert literal_pieces(query) == literal


@pytest.mark.parametrize("term, inner", [
    ("ai.", "ai"), (".net", ".net"), ("(c++)", "c++"), ("「芯片」", "芯片"), ("-x-", "x"),
    ("...", ""), ("゠", "゠"), ("・ス", "・ス"), ("#1", "#1"), ("*芯片*", "芯片"), ("^ai", "ai"),
    ("x^2", "x^2"),
])
def test_trimmed_drops_only_the_punctuation_around_a_term(term, inner):
    assert trimmed(term) == inner
