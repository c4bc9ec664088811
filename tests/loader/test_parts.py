"""The parts of a trend in every form authors write them (loader/parts.py, loader/trend.py)."""

from __future__ import annotations

import pytest

from loader.article import parse_article

HEAD = "---\ntitle: T\ndate: 2025-01-01\ndescription: d\n---\n\n"


def trend(body: str):
    article, problems = parse_article("p.md", (HEAD + "## 一、趋势\n\n" + body).encode())
    assert article is not None, [str(p) for p in problems]
    return article.trends[0], [p.message for p in problems]


ROUTE = "### 1.2 技术路线对比\n\n#### a. 路线甲\n\n{points}\n"


@pytest.mark.parametrize("points", [
    "- **优点**：快。\n- **缺点**：贵。",  # bold bullets
    "- 优点：快。\n- 缺点：贵。",  # plain bullets
    "- 优点: 快。\n- 缺点 - 贵。",  # other separators
    "- **Pros** — 快。\n- **Cons**: 贵。",
    "**优势**：快。\n\n**劣势**：贵。",  # bold paragraphs
    "- ✅ 优点：快。\n- ❌ 缺点：贵。",  # symbols before the word
    "- 👍 **Pros**: 快。\n- 👎 **Cons**: 贵。",
    "**优点**：\n\n- 快。\n\n**缺点**：\n\n- 贵。",  # announced lists
    "##### 优点\n\n- 快。\n\n##### 缺点\n\n- 贵。",  # sub-headings
    "- **長處**：快。\n- **短處**：貴。",  # Traditional synonyms
    "- **メリット**：快。\n- **デメリット**：贵。",
])
def test_pros_and_cons_in_every_form(points):
    found, problems = trend(ROUTE.format(points=points))
    [route] = found.routes
    assert (route.name, len(route.pros), len(route.cons)) == ("路线甲", 1, 1), problems
    assert route.pros[0].text.plain.strip("。") == "快"
    assert route.intro.md == "" and found.sections == []


def test_nested_points_keep_their_own_labels():
    found, _ = trend(ROUTE.format(points="- **优点**：\n  - **成本低**：按量付费。\n"
                                         "  - 上手快。\n- **缺点**：\n  - **锁定**：难以迁移。"))
    [route] = found.routes
    assert [(p.kind, p.label, p.text.plain) for p in route.points] == [
        ("pro", "成本低", "按量付费。"), ("pro", None, "上手快。"), ("con", "锁定", "难以迁移。")]


def test_a_point_of_several_lines_loses_its_items_indent_on_later_lines():
    found, _ = trend(ROUTE.format(points="- **优点**：快，\n  而且省。\n\n"
                                         "      缩进的代码行\n- **缺点**：贵。"))
    [route] = found.routes
    # The item's content starts at column 2: later lines lose two spaces, no more.
    assert route.pros[0].text.md == "快，\n而且省。\n\n    缩进的代码行"
    assert route.cons[0].text.md == "贵。"


@pytest.mark.parametrize("routes", [
    "**路线 A：云端**\n\n- 优点：快。\n- 缺点：贵。\n\n**路线 B：端侧**\n\n- 优点：省。\n- 缺点：慢。",
    "- **云端**\n  - 优点：快。\n  - 缺点：贵。\n- **端侧**\n  - 优点：省。\n  - 缺点：慢。",
])
def test_routes_without_route_headings(routes):
    found, problems = trend(f"### 1.2 路线对比\n\n{routes}\n")
    assert [(r.name, len(r.pros), len(r.cons)) for r in found.routes] == [
        ("云端", 1, 1), ("端侧", 1, 1)], problems


def test_shape_beats_keyword():
    """An H3 that also says 建议 is the routes part when its H4s carry pros and cons."""
    found, problems = trend("### 2.2 主流方案对比及选型建议\n\n#### 方案一：甲\n\n"
                            "- **优点**：快。\n- **缺点**：贵。\n\n### 2.3 建议\n\n1. 做。\n")
    assert found.routes_heading == "2.2 主流方案对比及选型建议"
    assert [(r.label, r.name) for r in found.routes] == [("一", "甲")]
    assert [a.text.plain for a in found.advice] == ["做。"], "stored once, as advice only"
    assert any("主流方案对比及选型建议" in m and "routes" in m for m in problems)


@pytest.mark.parametrize("advice", [
    "1. **选型**：先评估。\n2. 再试点。",
    "1) **选型**：先评估。\n2) 再试点。",
    "（1）**选型**：先评估。\n\n（2）再试点。",
    "(1) **选型**: 先评估。\n\n(2) 再试点。",
    "1、**选型**：先评估。\n\n2、再试点。",
    "① **选型**：先评估。\n\n② 再试点。",
    "第一，**选型**：先评估。\n\n第二，再试点。",
    "首先，**选型**：先评估。\n\n其次，再试点。",
    "First, **选型**: 先评估。\n\nFinally, 再试点。",
    "#### 1. 选型\n\n先评估。\n\n#### 2. 再试点\n\n小范围。",
])
def test_advice_in_every_form(advice):
    found, problems = trend(f"### 1.3 对开发者的建议\n\n{advice}\n")
    assert [a.position for a in found.advice] == [1, 2], problems
    assert found.advice[0].title == "选型"
    assert found.advice[0].text.plain.rstrip("。") in ("先评估", "先评估")
    assert found.advice_intro.md == "" and found.sections == []


def test_code_and_lists_inside_an_advice_item_stay_in_it():
    found, _ = trend("### 建议\n\n1. **测量**：先看数字。\n\n```python\nprint(1)\n```\n\n"
                     "- 子项\n\n2. **试点**：一个页面。\n\n以上建议供参考。\n")
    first, second = found.advice
    assert "print(1)" in first.text.md and "子项" in first.text.md
    assert second.title == "试点" and found.advice_outro.plain == "以上建议供参考。"


@pytest.mark.parametrize("status", [
    "- **甲**：一。\n- **乙**：二。",
    "1. **甲**：一。\n2. **乙**：二。",
    "**甲**：一。\n\n**乙**：二。",
    "- 🚀 **甲**：一。\n- 🔒 **乙**：二。",
    "#### 甲\n\n一。\n\n#### 乙\n\n二。",  # one sub-heading per key point
])
def test_key_points_in_every_form(status):
    found, problems = trend(f"### 1.1 现状\n\n概述一句。\n\n{status}\n")
    assert [k.label for k in found.key_points] == ["甲", "乙"], problems
    assert [k.text.plain for k in found.key_points] == ["一。", "二。"]
    assert found.status_intro.plain == "概述一句。"
    assert found.sections == []


def test_status_outro_after_bullets():
    found, _ = trend("### 1.1 现状\n\n- **甲**：一。\n\n总之如此。\n")
    assert found.status_outro.plain == "总之如此。"


def test_a_trend_intro_before_its_first_part():
    found, problems = trend("引言段落。\n\n### 1.1 现状\n\n- **甲**：一。\n")
    assert found.intro.plain == "引言段落。" and not [m for m in problems if "section" in m]


def article(body: str):
    parsed, problems = parse_article("a.md", (HEAD + body).encode())
    return parsed, [p.message for p in problems]


PARTS = "\n### 现状\n\n- **甲**：一。\n"


def test_intro_summary_and_trailing_sections():
    found, problems = article(f"# T\n\n开篇。\n\n## 前言\n\n背景介绍。\n\n## 一、甲\n{PARTS}\n"
                              f"## 二、乙\n{PARTS}\n## 结语\n\n收尾。\n\n## 参考资料\n\n- 链接\n\n"
                              f"## 延伸阅读\n\n- 书\n")
    assert found.intro_heading == "前言" and found.intro.plain == "开篇。\n背景介绍。"
    assert [t.title for t in found.trends] == ["甲", "乙"]
    assert found.summary_heading == "结语" and found.summary.plain == "收尾。"
    assert [s.heading for s in found.sections] == ["参考资料", "延伸阅读"]
    assert not [m for m in problems if "section" in m]


def test_an_unknown_h2_after_the_summary_warns():
    found, problems = article(f"## 一、甲\n{PARTS}\n## Conclusion\n\nDone.\n\n## Sponsors\n\nX.\n")
    assert [s.heading for s in found.sections] == ["Sponsors"]
    assert any("Sponsors" in m and "after the summary" in m for m in problems)


def test_a_numbering_gap_warns_once():
    heads = "".join(f"## {n}、趋势{n}\n{PARTS}\n" for n in ("一", "二", "四", "五", "六"))
    found, problems = article(heads)
    assert [t.label for t in found.trends] == ["一", "二", "四", "五", "六"]
    assert [t.position for t in found.trends] == [1, 2, 3, 4, 5]
    gaps = [m for m in problems if "numbered" in m]
    assert len(gaps) == 1 and "四" in gaps[0]


def test_diagnostics_name_the_construct_in_words():
    _, problems = trend("### 1.2 技术路线对比\n\n#### a. 路线甲\n\n- **适用场景**：中小团队。\n"
                        "- 普通条目\n\n### 1.4 典型案例\n\n某公司的做法。\n")
    assert problems and not [m for m in problems if "None" in m]
    assert any("路线甲" in m and "优点/缺点" in m for m in problems)
    assert any("1.4 典型案例" in m and "kept as an extra section" in m for m in problems)


def test_parts_opened_by_bold_lines_instead_of_headings():
    found, problems = trend("引言。\n\n**现状：**\n\n- **甲**：一。\n\n**技术路线对比**\n\n"
                            "#### a. 路线甲\n\n- **优点**：快。\n- **缺点**：贵。\n\n"
                            "**对开发者的建议：**\n\n1. **做**：一。\n")
    assert (found.status_heading, found.routes_heading, found.advice_heading) == (
        "现状", "技术路线对比", "对开发者的建议")
    assert [k.label for k in found.key_points] == ["甲"]
    assert [(r.label, r.name, len(r.points)) for r in found.routes] == [("a", "路线甲", 2)]
    assert [a.title for a in found.advice] == ["做"] and found.intro.plain == "引言。"
    assert problems == []
