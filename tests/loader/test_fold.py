"""Folding text for matching (loader/fold.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from loader.fold import fold, fold_han, han_table, traditional_characters

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
