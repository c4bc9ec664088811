"""Numbering prefixes (loader/numbering.py): only real numbering is a label."""

from __future__ import annotations

import pytest

from loader.config import DEFAULTS
from loader.numbering import split_number

V = DEFAULTS.vocabulary


@pytest.mark.parametrize("heading, label, number, title", [
    ("一、生成式 AI", "一", 1, "生成式 AI"),
    ("十二．边缘", "十二", 12, "边缘"),
    ("二. 芯片", "二", 2, "芯片"),
    ("3. Faster builds", "3", 3, "Faster builds"),
    ("4、国产化", "4", 4, "国产化"),
    ("5) Tooling", "5", 5, "Tooling"),
    ("６．全角数字", "６", 6, "全角数字"),
    ("IV. Security", "IV", 4, "Security"),
    ("XII、多语言", "XII", 12, "多语言"),
    ("(2) 括号", "2", 2, "括号"),
    ("（3）全角括号", "3", 3, "全角括号"),
    ("第二部分：云端", "二", 2, "云端"),
])
def test_real_numbering_is_a_label(heading, label, number, title):
    found = split_number(heading)
    assert (found.label, found.number, found.title) == (label, number, title)


@pytest.mark.parametrize("heading", [
    "CI: pipelines become products",  # a word before a colon
    "CLI: terminals explain themselves",
    "0 运行时 CSS 方案",  # a number followed by words
    "2024 年人工智能回顾",  # a year
    "2025年的变化",
    "3 nm and below",  # a number and a unit
    "3.5 Sonnet 的崛起",  # a version number, not under a numbered parent
    "1.5x faster builds",
    "e.g. the examples",
    "A/B testing at scale",
    "MCP. 协议",  # not a well-formed Roman numeral
    "IIII. not roman",
])
def test_no_numbering_keeps_the_text(heading):
    found = split_number(heading)
    assert (found.label, found.number, found.title) == (None, None, heading)


def test_dotted_labels_follow_their_parent():
    assert split_number("1.2 技术路线对比", parent=(1,)).label == "1.2"
    assert split_number("2.2 主流方案对比", parent=(2,)).title == "主流方案对比"
    assert split_number("1.2 技术路线对比", parent=(3,)).label is None


def test_letters_or_roman_numerals():
    assert split_number("C. Third", letters_first=True).number == 3
    assert split_number("C. Hundredth").number == 100
    assert split_number("I. First").number == 1


@pytest.mark.parametrize("heading, label, name", [
    ("路线 A：云端优先", "A", "云端优先"),
    ("方案一：端侧推理", "一", "端侧推理"),
    ("选项 1：托管服务", "1", "托管服务"),
    ("Option A: Big models", "A", "Big models"),
    ("Route 1 — Monorepo", "1", "Monorepo"),
    ("路線 B：邊緣", "B", "邊緣"),
    ("案1：ネイティブ", "1", "ネイティブ"),
    ("a. 大模型优先路线", "a", "大模型优先路线"),
    ("Optional chaining everywhere", None, "Optional chaining everywhere"),
    ("路线图的演进", None, "路线图的演进"),
])
def test_route_labels(heading, label, name):
    found = split_number(heading, vocabulary=V, label_role="route_label", letters_first=True)
    assert (found.label, found.title) == (label, name)


def test_trend_label_words():
    assert split_number("Trend 3: Edge AI", vocabulary=V, label_role="trend_label").number == 3
    assert split_number("趋势二：芯片", vocabulary=V, label_role="trend_label").label == "二"
    assert split_number("Trends to watch", vocabulary=V, label_role="trend_label").label is None
