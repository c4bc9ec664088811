"""Frontmatter fields as site generators write them (loader/frontmatter.py, loader/dates.py)."""

from __future__ import annotations

import pytest

from loader.article import parse_article
from loader.dates import iso_instant, parse_when


def read(frontmatter: str, body: str = "# T\n"):
    article, problems = parse_article("a.md", f"---\n{frontmatter}\n---\n{body}".encode())
    return article, problems


@pytest.mark.parametrize("value, day, instant", [
    ("2025-05-20", "2025-05-20", None),
    ('"2025-05-20"', "2025-05-20", None),
    ("2025-05-20T14:30:00+08:00", "2025-05-20", "2025-05-20T14:30:00+08:00"),
    ("2025-05-20T23:30:00-05:00", "2025-05-20", "2025-05-20T23:30:00-05:00"),  # its own day
    ("2025-05-20T14:30:00Z", "2025-05-20", "2025-05-20T14:30:00+00:00"),
    ("2025-05-20 14:30", "2025-05-20", "2025-05-20T14:30:00+00:00"),
    ("2025/05/20", "2025-05-20", None),
    ("2025年5月20日", "2025-05-20", None),
    ('"Tue, 20 May 2025 14:30:00 +0800"', "2025-05-20", "2025-05-20T14:30:00+08:00"),
])
def test_dates(value, day, instant):
    article, problems = read(f"title: T\ndescription: d\ndate: {value}")
    assert (article.date.isoformat(), article.published_at) == (day, instant), problems


def test_a_time_without_offset_is_read_in_the_configured_timezone():
    when = parse_when("2025-05-20 14:30", "Asia/Shanghai")
    assert (when.date.isoformat(), iso_instant(when.instant)) == (
        "2025-05-20", "2025-05-20T14:30:00+08:00")


@pytest.mark.parametrize("key", ["updated", "lastmod", "updated_at", "last_modified", "modified"])
def test_updated_aliases(key):
    article, _ = read(f"title: T\ndescription: d\ndate: 2025-01-01\n{key}: 2025-02-03T04:05:06Z")
    assert (article.updated_date.isoformat(), article.updated_at) == (
        "2025-02-03", "2025-02-03T04:05:06+00:00")


@pytest.mark.parametrize("tags", ["[AI, 芯片, ' 隐私 ']", '"AI, 芯片，隐私"', '"AI、芯片、隐私"',
                                  '"AI; 芯片；隐私"', "\n  - AI\n  - 芯片\n  - 隐私"])
def test_tags_from_lists_and_separated_strings(tags):
    article, _ = read(f"title: T\ndescription: d\ndate: 2025-01-01\ntags: {tags}")
    assert article.tags == ["AI", "芯片", "隐私"]


@pytest.mark.parametrize("authors, names", [
    ("author: 张三", ["张三"]),
    ("authors: [Ana Lima, Wei Chen]", ["Ana Lima", "Wei Chen"]),
    ("authors: 李雷、韩梅梅", ["李雷", "韩梅梅"]),
    ("author:\n  name: Jane Doe\n  email: j@example.invalid", ["Jane Doe"]),
    ("authors:\n  - name: A\n  - name: B", ["A", "B"]),
])
def test_authors(authors, names):
    article, _ = read(f"title: T\ndescription: d\ndate: 2025-01-01\n{authors}")
    assert article.authors == names


def test_unknown_keys_are_kept_and_only_near_misses_warn():
    article, problems = read("title: T\ndescription: d\ndate: 2025-01-01\ncover: c.png\n"
                             "categories: [a, b]\nweight: 3\ntitel: Typo\ntag: x")
    assert article.extra == {"cover": "c.png", "categories": ["a", "b"], "weight": 3,
                             "titel": "Typo", "tag": "x"}
    warned = sorted(p.message for p in problems if "not a known key" in p.message)
    assert len(warned) == 2
    assert "'tag'" in warned[0] and "'tags'" in warned[0]
    assert "'titel'" in warned[1] and "'title'" in warned[1]


@pytest.mark.parametrize("flag, draft", [("draft: true", True), ("draft: false", False),
                                         ('draft: "yes"', True), ("published: false", True),
                                         ("published: true", False)])
def test_draft_flags(flag, draft):
    article, _ = read(f"title: T\ndescription: d\ndate: 2025-01-01\n{flag}")
    assert article.draft is draft


def test_a_bad_flag_is_an_error_at_its_line():
    article, problems = read("title: T\ndescription: d\ndate: 2025-01-01\ndraft: maybe")
    errors = [(p.line, "draft" in p.message) for p in problems if p.is_error]
    assert article is None and errors == [(5, True)]


@pytest.mark.parametrize("declared, language", [("zh-CN", "zh-Hans"), ("zh_TW", "zh-Hant"),
                                                ("zh-Hant-HK", "zh-Hant"), ("ja-JP", "ja"),
                                                ("en-US", "en"), ("fr", "fr")])
def test_declared_languages(declared, language):
    article, _ = read(f"title: T\ndescription: d\ndate: 2025-01-01\nlang: {declared}")
    assert article.language == language


@pytest.mark.parametrize("body, language", [
    ("# T\n\n人工智能正在改变软件开发的方式。\n", "zh-Hans"),
    ("# T\n\n人工智慧正在改變軟體開發的方式。\n", "zh-Hant"),
    ("# T\n\n人工知能はソフトウェア開発のあり方を変えつつある。\n", "ja"),
    ("# T\n\nArtificial intelligence is changing how software is built.\n", "en"),
])
def test_languages_are_told_from_the_script(body, language):
    article, _ = read("title: T\ndescription: d\ndate: 2025-01-01", body)
    assert article.language == language
