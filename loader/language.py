"""An article's language: declared in the frontmatter, or told from its script.

Detection only tells apart the languages the format is written in: Japanese
(kana), Chinese in Simplified or Traditional characters, and English for
text with no CJK script. A ``lang`` key is needed for anything else.
Reading time uses a rate per language: 300 characters a minute for Chinese,
500 for Japanese (kana read faster than ideographs; 400-600 is the commonly
quoted range), and 200 words a minute for text in Latin script.
"""

from __future__ import annotations

import math
import re

from .fold import traditional_characters
from .tokens import count_cjk

# Runs rather than single characters: a run is one string where each CJK
# character would be one of its own (a quarter of a load's detecting time).
_KANA_RUN = re.compile("[\u3040-\u309f\u30a0-\u30ff]+")
_HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile("[A-Za-z]+")

CJK_CHARS_PER_MINUTE = {"zh-Hans": 300, "zh-Hant": 300, "ja": 500}
DEFAULT_CJK_CHARS_PER_MINUTE = 300
WORDS_PER_MINUTE = 200

_CHINESE_TRADITIONAL_REGIONS = {"tw", "hk", "mo"}


def normalise_tag(tag: str) -> str:
    """A declared language as the API reports it: the language subtag, and for
    Chinese the script (zh-TW -> zh-Hant, zh-CN -> zh-Hans); plain "zh" stays
    "zh", and its script is told from the text. Region subtags are dropped.
    "" when the tag is not one."""
    parts = [p for p in re.split(r"[-_]", tag.strip()) if p]
    if not parts or not parts[0].isalpha():
        return ""
    language = parts[0].lower()
    if language != "zh":
        return language
    rest = {p.lower() for p in parts[1:]}
    if "hant" in rest or rest & _CHINESE_TRADITIONAL_REGIONS:
        return "zh-Hant"
    if "hans" in rest or rest & {"cn", "sg", "my"}:
        return "zh-Hans"
    return "zh"


def _count_traditional(han: str) -> int:
    """How many characters of ``han`` are Traditional-only. Counted for each such
    character that occurs: Simplified text has none or a few, and finding them by
    a set intersection took half the time of deleting them with str.translate."""
    return sum(map(han.count, traditional_characters().intersection(han)))


# Enough text to tell the script apart; longer articles are not read further.
_SAMPLE = 8_000
# Traditional Chinese text changes about a quarter of its characters under
# t2s; Simplified text changes none, but for a quoted name or term or two.
_TRADITIONAL_SHARE = 0.05


def chinese_script(text: str) -> str:
    """zh-Hant when at least 5 % of the Chinese characters are Traditional-only
    (OpenCC's Traditional-to-Simplified table changes them), else zh-Hans."""
    return _script_of("".join(_HAN_RUN.findall(text[:_SAMPLE])))


def _script_of(han: str) -> str:
    """chinese_script of the text's Chinese characters, ``han``."""
    if not han:
        return "zh-Hans"
    traditional = _count_traditional(han)
    return "zh-Hant" if traditional >= _TRADITIONAL_SHARE * len(han) else "zh-Hans"


def detect(text: str) -> str:
    """ja, zh-Hans, zh-Hant or en, from the scripts ``text`` is written in."""
    text = text[:_SAMPLE]
    kana = sum(map(len, _KANA_RUN.findall(text)))
    han = "".join(_HAN_RUN.findall(text))  # read once: the script is told from it too
    if kana >= 10 and kana * 20 >= len(han):
        return "ja"
    # A Latin word takes at least one character that is not Han: with as many Han
    # characters as others, the words need no counting.
    if han and (2 * len(han) >= len(text) or len(han) >= len(_LATIN_WORD.findall(text))):
        return _script_of(han)
    return "en"


def reading_time_minutes(plain: str, words: int, language: str) -> int:
    """Whole minutes: CJK characters at the language's rate, other words at 200 a minute."""
    cjk = count_cjk(plain)
    rate = CJK_CHARS_PER_MINUTE.get(language, DEFAULT_CJK_CHARS_PER_MINUTE)
    return max(1, math.ceil(cjk / rate + (words - cjk) / WORDS_PER_MINUTE))
