"""Telling an article's language from its script (loader/language.py)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from loader.fold import han_table
from loader.language import _SAMPLE, _TRADITIONAL_SHARE, detect

TRADITIONAL = "".join(sorted(chr(c) for c in han_table("t2s") if 0x4E00 <= c <= 0x9FFF)[:40])
SIMPLIFIED = "人工智能正在改变软件开发的方式数据模型库"
KANA = "ソフトウェアのありかたをかえつつある"
LATIN = "Artificial intelligence changes software"


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u4dbf" or "\u4e00" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def per_character(text: str) -> str:
    """The rule, character by character: what detect must give, however it counts."""
    text = text[:_SAMPLE]
    kana = sum(1 for ch in text if "\u3040" <= ch <= "\u30ff")
    han = [ch for ch in text if _is_han(ch)]
    if kana >= 10 and kana * 20 >= len(han):
        return "ja"
    words = len(re.findall("[A-Za-z]+", text))
    if han and len(han) >= words:
        changed = sum(1 for ch in han if ord(ch) in han_table("t2s"))
        return "zh-Hant" if changed >= _TRADITIONAL_SHARE * len(han) else "zh-Hans"
    return "en"


pieces = st.sampled_from([*TRADITIONAL, *SIMPLIFIED, *KANA, *LATIN.split(), "a", "b", " ", "。",
                          "\n", "𠀀", "Ａ", "9"])


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces, max_size=300), st.integers(min_value=0, max_value=9_000))
def test_detect_follows_the_rule_character_by_character(parts, padding):
    text = "".join(parts)
    assert detect(text) == per_character(text)
    # Only the first _SAMPLE characters count.
    padded = "x" * padding + text
    assert detect(padded) == per_character(padded)


def test_the_thresholds():
    assert detect(KANA[:10] + SIMPLIFIED * 10) == "ja"  # 10 kana, 200 han: the share holds
    assert detect(KANA[:9]) != "ja"  # fewer than 10 kana
    one_in_twenty = TRADITIONAL[0] + SIMPLIFIED[:19]
    assert detect(one_in_twenty) == "zh-Hant"  # 5 % of the han are traditional-only
    assert detect(TRADITIONAL[0] + SIMPLIFIED[:20]) == "zh-Hans"
    assert detect(LATIN + SIMPLIFIED[:3]) == "en"  # fewer han than latin words
    # Every occurrence counts, not each character once: 2 of 40 is 5 %.
    assert detect(TRADITIONAL[0] * 2 + (SIMPLIFIED * 2)[:38]) == "zh-Hant"
    # Fewer Han characters than the rest, and than the words: not counted as Chinese.
    assert detect("中文 a b c") == "en"
    assert detect("中文 a b") == "zh-Hans"  # as many Han characters as words
