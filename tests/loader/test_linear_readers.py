"""The readers' lookups that replaced scans of everything read before (loader/blocks.py
headings_in, loader/trend.py LineRanges, route point positions, advice numbers): each
gives what the scan gave. Their cost is measured in the benchmark (`make bench`: one
file at the size limit of each shape), never here."""

from __future__ import annotations

from hypothesis import given, strategies as st

from loader.blocks import Document
from loader.trend import LineRanges
from tests.loader.test_parts import trend

_BLOCKS = st.sampled_from(["# Title", "## Part", "### Sub", "text", "- item\n- item",
                           "1. one\n2. two", "> quote", "```\ncode\n```", "Setext\n---"])


@given(st.lists(_BLOCKS, max_size=12), st.integers(0, 200), st.integers(0, 200))
def test_headings_in_a_range_are_those_a_scan_finds(blocks, start, end):
    doc = Document("\n\n".join(blocks) + "\n")
    scanned = [b for b in doc.blocks if b.kind == "heading" and start <= b.start < end]
    assert doc.headings_in(start, end) == scanned


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=8),
       st.integers(-2, 45))
def test_a_line_is_in_the_ranges_where_a_scan_finds_it(ranges, line):
    scanned = any(first <= line <= last for first, last in ranges)
    assert (line in LineRanges(ranges)) is scanned


def test_route_points_count_each_kind_apart_and_each_route_from_one():
    points = "\n".join(["- **优点**：一。", "- **缺点**：二。", "- **优点**：三。",
                        "- **缺点**：四。", "- **缺点**：五。"])
    found, _ = trend(f"### 1.2 技术路线对比\n\n#### a. 路线甲\n\n{points}\n\n"
                     "#### b. 路线乙\n\n- **缺点**：六。\n- **优点**：七。\n")
    first, second = found.routes
    assert [(p.position, p.text.plain) for p in first.pros] == [(1, "一。"), (2, "三。")]
    assert [(p.position, p.text.plain) for p in first.cons] == [
        (1, "二。"), (2, "四。"), (3, "五。")]
    assert [(p.position, p.text.plain) for p in second.cons + second.pros] == [
        (1, "六。"), (1, "七。")]


def test_advice_numbers_come_from_each_items_own_list():
    """Two ordered lists, the second starting at 3, with an item written twice."""
    advice = ("### 1.3 建议\n\n1. **甲**：做。\n2. **乙**：做。\n\n说明。\n\n"
              "3. **甲**：做。\n4. **丁**：做。\n")
    found, problems = trend(advice)
    assert [(a.position, a.title) for a in found.advice] == [
        (1, "甲"), (2, "乙"), (3, "甲"), (4, "丁")], problems
