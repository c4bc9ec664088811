"""Folding text for matching (loader/fold.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import unicodedata

from loader.fold import fold, fold_han, han_table, sources, traditional_characters

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
