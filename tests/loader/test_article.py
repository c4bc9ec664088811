"""The parser on the seed article and on the project's other articles."""

from __future__ import annotations

import datetime as dt

import pytest

from loader.article import parse_article
from tests.support.paths import CONTENT, SEED


@pytest.fixture(scope="module")
def seed():
    article, problems = parse_article("2024-ai-trends.md", SEED.read_bytes())
    assert problems == []
    return article


def test_seed_frontmatter_and_title(seed):
    assert seed.slug == "2024-ai-trends"
    assert seed.title.plain == "2024 年人工智能领域的三大发展趋势分析"
    assert seed.date == dt.date(2025, 2, 18)
    assert seed.description.plain == "Generated from 2025-02-17.md"
    assert seed.tags == []
    assert seed.intro.plain.startswith("2024 年，人工智能领域持续蓬勃发展")
    assert seed.intro.plain.endswith("最后为开发者提供切实可行的建议。")


def test_seed_trends(seed):
    assert [(t.position, t.label, t.title) for t in seed.trends] == [
        (1, "一", "生成式 AI 的深度扩展与场景化应用"),
        (2, "二", "AI 芯片的创新与算力竞争升级"),
        (3, "三", "AI 安全与伦理的前沿探索"),
    ]
    first = seed.trends[0]
    assert first.status_heading == "1.1 技术现状与发展方向"
    assert first.status_intro.plain.startswith("生成式 AI（Generative AI）在自然语言处理")
    assert [k.label for k in first.key_points] == [
        "多模态生成能力的全面提升", "行业场景化应用的深化", "生成质量与效率的优化"]
    assert first.key_points[2].text.md == (
        "通过高效的模型架构（如 LoRA 和 FlashAttention），生成式 AI 的推理速度和能耗显著降低，"
        "同时生成内容的质量不断提升。")
    assert first.sections == []


def test_seed_routes(seed):
    routes = seed.trends[0].routes
    assert [(r.label, r.name) for r in routes] == [("a", "大模型优先路线"), ("b", "小模型专用路线")]
    assert [p.text.md for p in routes[0].pros] == [
        "大规模模型（如 GPT-4 或 Claude）具备更强的泛化能力和知识储备，适用于多种任务。"]
    assert [p.text.md for p in routes[0].cons] == [
        "高昂的计算成本和资源消耗限制了其普及性，且在细分领域可能欠缺针对性。"]
    assert [p.text.md for p in routes[1].pros] == [
        "通过微调小型模型（如 LLaMA 或 Mistral），开发者可以针对特定行业或场景进行优化，成本低且效果更精准。"]
    assert [p.text.md for p in routes[1].cons] == ["小模型的泛化能力较差，难以应对复杂任务。"]
    assert [(r.label, r.name) for r in seed.trends[1].routes] == [
        ("a", "云端计算优先路线"), ("b", "边缘计算优先路线")]


def test_seed_advice(seed):
    advice = seed.trends[0].advice
    assert [(a.position, a.title) for a in advice] == [
        (1, "选择合适的模型规模"), (2, "关注多模态技术"), (3, "重视隐私与合规性")]
    assert advice[1].text.md == "尽早掌握多模态 AI 的开发框架（如 PyTorch 和 JAX），为更复杂的产品形态做准备。"
    assert [a.title for a in seed.trends[2].advice] == ["学习安全工具", "引入偏见检测机制", "遵守伦理规范"]


def test_seed_summary(seed):
    assert seed.summary_heading == "总结"
    assert seed.summary.md == (
        "2024 年人工智能领域的三大发展趋势——生成式 AI 的场景化扩展、AI 芯片的创新升级以及 AI "
        "安全与伦理的深入探索，为开发者提供了广阔的机会与挑战。开发者应根据自身需求选择适合的技术路线，"
        "积极学习新兴技术，同时注重安全性与合规性，才能在这一快速变化的领域中保持竞争力。")


def test_seed_source_spans(seed):
    """Line numbers refer to the file itself, inside the ```markdown fence."""
    first = seed.trends[0]
    assert (first.span.start_line, first.span.end_line) == (12, 38)
    assert (first.key_points[0].span.start_line, first.key_points[0].span.end_line) == (18, 18)
    route = first.routes[0]
    assert (route.span.start_line, route.span.end_line) == (24, 27)
    assert route.cons[0].span.start_line == 27
    assert first.advice[2].span.start_line == 38
    assert (seed.span.start_line, seed.span.end_line) == (1, 105)


def test_seed_derived_fields(seed):
    assert seed.trends[0].anchor == "一-生成式-ai-的深度扩展与场景化应用"
    assert seed.headings[0].anchor == "2024-年人工智能领域的三大发展趋势分析"
    anchors = [h.anchor for h in seed.headings]
    assert len(anchors) == len(set(anchors)), "anchors are unique within an article"
    # Each CJK character is a word; Latin words and numbers count once each.
    assert 1500 < seed.word_count < 1700
    assert seed.reading_time_minutes == 6
    assert seed.trends[0].key_points[0].text.html.startswith("<p>以 OpenAI 的 GPT-4")


def test_english_article():
    article, problems = parse_article("x.md", (CONTENT / "2025-web-platform-trends.md").read_bytes())
    assert [p for p in problems if p.is_error] == []
    assert article.tags == ["web", "frontend", "performance"]
    assert [t.title for t in article.trends] == [
        "Server-first rendering returns", "The browser as the framework", "Faster toolchains"]
    assert [t.label for t in article.trends] == ["1", "2", "3"]
    second = article.trends[1]
    assert second.status_heading == "Current state"
    assert [r.name for r in second.routes] == ["Platform first", "Framework abstractions"]
    assert second.routes[0].cons[0].text.plain.startswith("older browsers need fallbacks")
    assert [a.title for a in second.advice] == ["Audit your dependencies", "Adopt progressively"]
    assert article.summary_heading == "Conclusion"
    assert article.summary.plain.startswith("Server-first rendering, a stronger platform")


def test_chinese_variant_article():
    article, problems = parse_article("2025-edge-ai-privacy.md",
                                      (CONTENT / "2025-edge-ai-privacy.md").read_bytes())
    assert article.slug == "edge-ai-privacy-2025"
    assert len(article.trends) == 2
    edge, privacy = article.trends
    assert [p.text.plain for p in edge.routes[0].pros] == [
        "数据不出设备，隐私风险最低。", "无网络也能使用，响应延迟稳定。", "没有云端推理费用，边际成本接近零。"]
    assert len(edge.routes[1].cons) == 2
    assert privacy.advice == [], "the second trend has no advice"
    assert [(s.heading, s.body.plain) for s in edge.sections] == [
        ("1.4 典型案例", "某输入法将联想模型完全放在手机端运行，用户输入内容不再上传服务器，同时保持了原有的预测准确率。")]
    assert [(p.line, p.severity) for p in problems] == [(46, "warning")]
    assert "1.4 典型案例" in problems[0].message
    assert article.summary_heading == "结语"


def test_unwrapped_and_plain_bodies_parse_alike():
    """The ```markdown wrapper is optional: the same body without it parses the same."""
    text = SEED.read_text(encoding="utf-8")
    head, _, rest = text.partition("```markdown\n")
    unwrapped = head + rest.rsplit("```", 1)[0]
    wrapped_article, _ = parse_article("a.md", text.encode())
    plain_article, _ = parse_article("a.md", unwrapped.encode())
    assert [t.title for t in plain_article.trends] == [t.title for t in wrapped_article.trends]
    assert plain_article.trends[0].routes[1].cons[0].text == wrapped_article.trends[0].routes[1].cons[0].text
    # Lines shift by one: the fence line is gone.
    assert plain_article.trends[0].span.start_line == wrapped_article.trends[0].span.start_line - 1


def test_shape_fallback_for_unknown_headings():
    text = """---
title: Shapes
date: 2025-01-01
description: d
---

## 1. Trend

### Field notes

- **Point**: text

### Options we weighed

#### a. First

- **Pros**: fast
- **Cons**: costly

### Next steps

1. **Do this**: because
2. **Then that**: also
"""
    article, problems = parse_article("s.md", text.encode())
    trend = article.trends[0]
    assert [r.name for r in trend.routes] == ["First"]
    assert [a.title for a in trend.advice] == ["Do this", "Then that"]
    # No part word in the first heading: it is read from its shape, with a warning.
    assert trend.status_heading == "Field notes" and [k.label for k in trend.key_points] == ["Point"]
    assert trend.sections == []
    guessed = [p.message for p in problems if "has no known part word" in p.message]
    assert len(guessed) == 1 and "Field notes" in guessed[0]


def test_colon_variants_and_missing_colon():
    text = """---
title: Colons
date: 2025-01-01
description: d
---

## Trend

### Status

- **Full width**：one
- **Half width**: two
- **No colon** three
- plain item
"""
    article, _ = parse_article("c.md", text.encode())
    points = article.trends[0].key_points
    assert [(p.label, p.text.plain) for p in points] == [
        ("Full width", "one"), ("Half width", "two"), ("No colon", "three"), (None, "plain item")]
    assert article.trends[0].label is None and article.trends[0].title == "Trend"
