"""Derived text: sanitised HTML, word counts, reading time, excerpts, anchors."""

from __future__ import annotations

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loader.article import parse_article
from loader.body import derive
from loader.language import reading_time_minutes
from loader.blocks import render_html
from loader.text import anchor, excerpt, renders_as_itself, sanitise, text_of, word_count

HOSTILE = """---
title: Hostile
date: 2025-01-01
description: d
---

Intro <script>alert(1)</script> <img src=x onerror="alert(2)"> [link](javascript:alert(3))

<iframe src="https://example.invalid/"></iframe>

## Trend

### Status

- **Point**: <a href="javascript:alert(4)" onclick="alert(5)">click</a> <svg onload="alert(6)"></svg>
"""


def _elements(fragment: str):
    tree = html5lib.parseFragment(fragment, namespaceHTMLElements=False)
    return list(tree.iter())


def test_hostile_markup_never_survives_into_html():
    article, _ = parse_article("h.md", HOSTILE.encode())
    fragments = [article.intro.html, derive(article.body).text.html, article.trends[0].key_points[0].text.html]
    seen_tags = set()
    for fragment in fragments:
        for element in _elements(fragment):
            if not isinstance(element.tag, str):
                continue
            seen_tags.add(element.tag)
            assert element.tag not in {"script", "iframe", "svg", "object", "embed", "style"}
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), (element.tag, name)
                assert not value.strip().lower().startswith("javascript:"), (element.tag, value)
    assert "a" in seen_tags and "p" in seen_tags, "ordinary markup is kept"


def test_plain_text_has_no_markup():
    article, _ = parse_article("h.md", HOSTILE.encode())
    assert "<script>" not in article.intro.plain
    assert article.trends[0].key_points[0].text.plain == "click"


def test_text_of_renders_markdown():
    text = text_of("**bold** and `code`", "bold and code")
    assert text.html == "<p><strong>bold</strong> and <code>code</code></p>\n"


@pytest.mark.parametrize("plain, expected", [
    ("生成式 AI", 4),
    ("hello world", 2),
    ("GPT-4 和 Gemini", 3),
    ("", 0),
    ("— , 。", 0),
])
def test_word_count(plain, expected):
    assert word_count(plain) == expected


def test_reading_time_uses_both_rates():
    def minutes(text: str, language: str = "zh-Hans") -> int:
        return reading_time_minutes(text, word_count(text), language)

    assert minutes("字" * 300) == 1
    assert minutes("字" * 301) == 2
    assert minutes("word " * 400, "en") == 2
    assert minutes("字" * 150 + " word" * 100) == 1
    # Japanese is read faster per character (kana): 500 a minute.
    assert minutes("あ" * 500, "ja") == 1 and minutes("あ" * 500, "zh-Hans") == 2


def test_excerpt_cuts_at_sentence_ends():
    text = "第一句话。第二句话！第三句话比较长一些？English sentence here."
    assert excerpt(text, 12) == "第一句话。第二句话！"
    assert excerpt(text, 5) == "第一句话。"
    assert excerpt("Version 4.5 is out. More text follows here.", 25) == "Version 4.5 is out."
    assert excerpt("一二三四五六七八九十", 5) == "一二三四…"
    assert excerpt("short", 100) == "short"


def test_anchors_are_stable_and_cjk_safe():
    assert anchor("一、生成式 AI 的深度扩展") == "一-生成式-ai-的深度扩展"
    assert anchor("1.2 技术路线对比") == "1-2-技术路线对比"
    assert anchor("What's New?") == "what-s-new"
    assert anchor("！！！") == "section"


# -- lines that render as themselves (the fast path of text_of) ------------------

_LINE_CHARACTERS = ("abcXYZ0123456789 中文芯片隐私の한" "éß" " ,.;:?!'\"%/()+=@$^{}-"
                    "，。：；、！？（）《》“”‘’「」【】…—·" "*_`~[]<>&\\#|\t\u00a0\u3000")


def _rendered(markdown: str) -> str:
    return sanitise(render_html(markdown))


@pytest.mark.parametrize("markdown", [
    "中文句子，很好。", "2024年 市场", "AI 芯片（GPU）成为主流", "Pros: fast, cheap; 100% local",
    "a  b", "Rust/Go (2025) = {fast} @scale $5 ^up", "它说“好”，‘对’。", "x -- y --- z",
    "a \"b\" c",
])
def test_plain_lines_render_as_themselves(markdown):
    assert renders_as_itself(markdown)
    assert _rendered(markdown) == f"<p>{markdown}</p>\n"
    assert text_of(markdown, markdown).html == f"<p>{markdown}</p>\n"


@pytest.mark.parametrize("markdown", [
    "1. first", "2) second", "- item", "+ item", "# heading", "> quote", "a *b* c", "a_b_",
    "a `code`", "[link](x)", "x & y", "a < b", "a\\b", "two\nlines", "trailing ", " leading",
    "a\tb", "no\u00a0break", "~~gone~~", "a ~~b~~", "a | b", "\"quoted\"", "",
])
def test_lines_that_may_not_render_as_themselves_take_the_full_way(markdown):
    assert not renders_as_itself(markdown)


_SAFE_CHARACTERS = _LINE_CHARACTERS[:_LINE_CHARACTERS.index("*")]


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(alphabet=_LINE_CHARACTERS, max_size=40),
                 st.text(alphabet=_SAFE_CHARACTERS, min_size=1, max_size=40),
                 st.text(alphabet=st.one_of(st.characters(categories=("L", "N")),
                                            st.sampled_from(_SAFE_CHARACTERS)),
                         min_size=1, max_size=40)))
def test_a_line_said_to_render_as_itself_does(markdown):
    if renders_as_itself(markdown):
        assert _rendered(markdown) == f"<p>{markdown}</p>\n"
