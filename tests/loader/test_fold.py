"""Folding text for matching (loader/fold.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import unicodedata

from loader import fold as fold_module
from loader.fold import (canonical_pairs, fold, fold_han, fold_whole, han_table,
                         second_starters, sources, traditional_characters)

TRADITIONAL = sorted(traditional_characters())
SIMPLIFIED = "人工智能正在改变软件开发的方式隐私数据"


def test_traditional_characters_are_the_tables_keys():
    assert {ord(c) for c in traditional_characters()} == set(han_table("t2s"))
    assert "隱" in traditional_characters() and "隐" not in traditional_characters()


def test_fold_folds_width_case_and_script():
    assert fold("隱私 ＡＩ Privacy") == "隐私 ai privacy"
    assert fold_han(SIMPLIFIED) is SIMPLIFIED  # nothing to fold: the text itself


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*TRADITIONAL[:200], *TRADITIONAL[-50:], *SIMPLIFIED, "a", " ",
                                 "𠀀", "。"]), max_size=60))
def test_fold_han_is_the_table_applied_to_every_character(parts):
    text = "".join(parts)
    table = han_table("t2s")  # code point -> code point
    assert fold_han(text) == "".join(chr(table.get(ord(c), ord(c))) for c in text)


# Characters whose folds change or compose: compatibility forms, case that
# changes length, marks that compose with what precedes them (= and U+0338 make ≠).
_CHANGED = ("+＋⁺₊﹢,，﹐%％#＃=≠\u0338ＡＢａﬁﬀÅÅÀA\u0300\u0301ßẞİΣς①㎒Ⓗⓗ…"
            "隱私隐台臺㍻ｶﾞ\u3099\u309aガ。｡・･")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(_CHANGED), max_size=12) | st.text(max_size=12))
def test_a_texts_fold_holds_only_what_its_characters_are_sources_of(text):
    """What the search's instr() prefilter relies on (api.search): every character of
    the NFKD of a text's fold has a source in the text itself."""
    for char in set(unicodedata.normalize("NFKD", fold(text))):
        assert sources(char) & set(text), (text, char)


def test_sources_are_the_forms_that_fold_to_a_character():
    assert sources("+") == set("+＋⁺₊﹢﬩")
    assert {"A", "Á", "ａ"} <= sources("a") and "隱" in sources("隐")
    assert sources("=") >= {"=", "≠"}  # ≠ decomposes into = and a combining mark


# Characters that NFKC may join to or reorder with their neighbours: combining marks,
# starters that compose with the character before (Indic vowel signs, Hangul jamo),
# and compatibility forms that become either (halfwidth voiced marks).
_JOINING = ("\u0301\u0300\u0338\u0323\u0345\u3099\u309a\uff9e\uff9f\u0b3e\u0b47\u0bbe"
            "\u0bc6\u0cc2\u0cc6\u0cd5\u1100\u1161\u11a8\uac00\uac01\u1b35\u1b05"
            "\U00011127\U00011131\u0dcf\u0dd9\u05b4\u0591\u093c\u0928")


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=st.sampled_from(_CHANGED + _JOINING + "aeoA 隐。"), max_size=16)
       | st.text(max_size=16))
def test_fold_is_the_whole_texts_fold(text):
    """fold works character by character where that gives what folding the whole text
    gives (loader.fold._CharFolds): marks and joining characters anywhere."""
    assert fold(text) == fold_whole(text), text


def test_every_single_character_folds_as_the_whole_definition_says():
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        assert fold(ch) == fold_whole(ch), hex(code)


def test_the_starters_that_compose_backward_are_all_known():
    """_COMPOSES_BACKWARD must hold every starter that a canonical composition takes as
    its second character: with one missing, a text holding it after its partner would
    be folded without the two joined. Python's Unicode data decides (Hangul syllables,
    composed by rule, have no entry: their jamo block is listed whole)."""
    pairs = canonical_pairs()
    assert "\u0b47\u0b3e" in pairs and "e\u0301" in pairs  # U+0B4B and é decompose so
    starters = second_starters(pairs)
    assert "\u0b3e" in starters and "\u0301" not in starters
    assert starters <= fold_module._COMPOSES_BACKWARD, sorted(map(hex, map(ord, starters)))
    # And every pair that composes, with what may stand around it, folds as a whole.
    hangul = ["\u1100\u1161", "\uac00\u11a8", "\u1112\u1175\u11c2"]
    for pair in sorted(pairs) + hangul:
        for text in (pair, "a" + pair + "。", "隐" + pair + "\u0301"):
            assert fold(text) == fold_whole(text), [hex(ord(c)) for c in text]


def test_the_table_of_folded_characters_is_bounded(monkeypatch):
    """Search queries are anyone's text: the characters they bring must not grow the
    table without end; past its size, folds are worked out each time, the same."""
    table = fold_module._CharFolds()
    monkeypatch.setattr(fold_module, "_CHAR_FOLDS", table)
    monkeypatch.setattr(fold_module, "_CHAR_FOLDS_KEPT", 100)
    text = "".join(map(chr, range(0x4E00, 0x4E00 + 300))) + "，Ａ"
    assert fold(text) == fold_whole(text)
    assert fold(text) == fold_whole(text)  # again, past the bound
    assert len(table) == 100
