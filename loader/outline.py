"""Reading the article's outline: headings' numbering and the roles of sections.

These functions look at the plain text of headings and bold lead-ins that
the markdown parser has already extracted, never at markdown syntax.
"""

from __future__ import annotations

import re

# Keywords that give an H3 its role, matched case-insensitively as substrings.
# Advice is tried before routes: "路线建议" is advice about routes.
STATUS_WORDS = ("现状", "current state", "where things stand", "status", "state of play",
                "state of the art")
ROUTES_WORDS = ("路线", "对比", "comparing approaches", "approaches", "routes", "comparison",
                "trade-offs", "tradeoffs")
ADVICE_WORDS = ("建议", "advice", "recommendation", "what developers should do")
CLOSING_WORDS = ("总结", "结语", "结论", "小结", "summary", "conclusion", "closing thoughts",
                 "wrap-up", "final thoughts")

PRO_WORDS = {"优点", "优势", "长处", "好处", "pros", "pro", "advantages", "advantage",
             "strengths", "benefits"}
CON_WORDS = {"缺点", "劣势", "不足", "短处", "弊端", "cons", "con", "disadvantages",
             "disadvantage", "weaknesses", "drawbacks"}

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}

# A numbering prefix at the start of a heading's text: 一、 / 2. / 1.1 / IV. / a.
_PREFIX = re.compile(
    r"^\s*(?:"
    r"(?P<cn>[零一二两三四五六七八九十百]+)\s*[、.．:：]"
    r"|(?P<num>\d+(?:\.\d+)*)(?:\s*[、.．:：)）]|\s)"
    r"|(?P<roman>[IVXLCDM]+)\s*[、.．:：)）]"
    r"|(?P<letter>[A-Za-z])\s*[、.．:：)）]"
    r")\s*(?P<rest>\S.*)$",
    re.DOTALL,
)


def chinese_number(text: str) -> int | None:
    """一 -> 1, 十二 -> 12, 二十 -> 20, 一百零五 -> 105; None if not a numeral."""
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def roman_number(text: str) -> int | None:
    values = [_ROMAN[ch] for ch in text.upper() if ch in _ROMAN]
    if len(values) != len(text):
        return None
    total = 0
    for i, value in enumerate(values):
        total += -value if i + 1 < len(values) and values[i + 1] > value else value
    return total


def split_prefix(heading: str) -> tuple[str | None, int | None, str]:
    """Split a numbering prefix off a heading: (label, number, rest).

    '一、生成式 AI' -> ('一', 1, '生成式 AI'); 'a. 大模型优先路线' -> ('a', 1, '大模型优先路线');
    a heading without a prefix -> (None, None, heading).
    """
    match = _PREFIX.match(heading)
    if not match:
        return None, None, heading.strip()
    rest = match.group("rest").strip()
    if match.group("cn"):
        label = match.group("cn")
        return label, chinese_number(label), rest
    if match.group("num"):
        label = match.group("num")
        return label, int(label.split(".")[-1]), rest
    if match.group("roman"):
        label = match.group("roman")
        return label, roman_number(label), rest
    label = match.group("letter")
    return label, ord(label.lower()) - ord("a") + 1, rest


def _has(text: str, words: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in words)


def section_role(heading: str) -> str | None:
    """'status', 'advice' or 'routes' from an H3's words; None when unknown."""
    _, _, title = split_prefix(heading)
    if _has(title, ADVICE_WORDS):
        return "advice"
    if _has(title, STATUS_WORDS):
        return "status"
    if _has(title, ROUTES_WORDS):
        return "routes"
    return None


def is_closing(heading: str) -> bool:
    """True for a final H2 that closes the article (总结, Summary, ...)."""
    _, _, title = split_prefix(heading)
    return _has(title, CLOSING_WORDS)


def strip_colon(text: str) -> str:
    return text.strip().rstrip("：:").strip()


def point_kind(lead: str | None) -> str | None:
    """'pro' or 'con' for a route bullet's bold lead-in, else None."""
    if lead is None:
        return None
    word = strip_colon(lead).lower()
    if word in PRO_WORDS:
        return "pro"
    if word in CON_WORDS:
        return "con"
    return None
