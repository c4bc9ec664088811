"""The ```markdown wrapper and the frontmatter forms (loader/source.py)."""

from __future__ import annotations

import pytest

from loader.article import parse_article
from loader.source import unwrap

BODY = "# T\n\n## 一、趋势\n\n```python\nprint(1)\n```\n\n### 现状\n\n- **要点**：文字\n"


@pytest.mark.parametrize("opening, closing", [
    ("```markdown", "```"), ("```md", "```"), ("```Markdown", "```"), ("```MD", "```"),
    ("~~~markdown", "~~~"), ("````md", "````"), ("~~~~MD", "~~~~~"), ("  ```markdown", "```"),
    ("```markdown title=x", "```"),
])
def test_wrapped_bodies_unwrap_to_their_last_closing_fence(opening, closing):
    inner, wrapped = unwrap(f"\n{opening}\n{BODY}\n{closing}\n")
    assert wrapped
    assert inner.split("\n")[1] == "" and "```python" in inner, "fence lines blank, code kept"
    assert inner.count("\n") == f"\n{opening}\n{BODY}\n{closing}\n".count("\n"), "lines kept"


@pytest.mark.parametrize("body", [
    "```python\nx = 1\n```\n# T\n",  # a code block first: not a wrapper
    "# T\n```markdown\nx\n```\n",  # the fence is not the first block
    "``` markdownish\n# T\n```\n",
    "    ```markdown\n# T\n```\n",  # four spaces: an indented code block, not a fence
])
def test_other_bodies_are_not_wrapped(body):
    assert unwrap(body) == (body, False)


def test_a_shorter_or_other_fence_does_not_close_the_wrapper():
    inner, _ = unwrap("````md\n# T\n```\ncode\n```\n~~~~\n````\n")
    assert inner.split("\n") == ["", "# T", "```", "code", "```", "~~~~", "", ""]


def test_an_unclosed_wrapper_runs_to_the_end():
    inner, wrapped = unwrap("```markdown\n# T\n\ntext\n")
    assert wrapped and inner == "\n# T\n\ntext\n"


def test_a_python_block_inside_the_wrapper_keeps_every_trend():
    """The first finding of the fidelity issue: ```python closed the wrapper."""
    trends = "".join(f"\n## {n}. Trend {n}\n\n### Current state\n\n- **P**: text {n}\n\n"
                     f"```python\nprint({n})\n```\n" for n in range(1, 34))
    data = f"---\ntitle: Long\ndate: 2025-01-01\ndescription: d\n---\n```markdown\n{trends}\n```\n"
    article, problems = parse_article("long.md", data.encode())
    assert len(article.trends) == 33
    assert all(len(t.key_points) == 1 for t in article.trends)
    assert not [p for p in problems if "numbered" in p.message]


def test_toml_frontmatter():
    data = ('+++\ntitle = "T"\ndate = 2025-05-20T08:00:00+02:00\ntags = ["x"]\n'
            'cover = "c.png"\n[params]\nx = 1\n+++\n\n## 1. A\n\n### Status\n\n- **P**: t\n')
    article, problems = parse_article("t.md", data.encode())
    assert (article.title.plain, article.published_at, article.tags) == (
        "T", "2025-05-20T08:00:00+02:00", ["x"])
    assert article.extra == {"cover": "c.png", "params": {"x": 1}}
    broken, problems = parse_article("t.md", b'+++\ntitle = "T"\ndate = nope\ntags = []\n+++\n# T\n')
    assert broken is None and problems[0].line == 3 and "not valid TOML" in problems[0].message


def test_spans_never_end_past_the_last_line():
    data = b"---\ntitle: T\ndate: 2025-01-01\ndescription: d\n---\n\n## 1. A\n\n### Status\n\n- x\n\n\n"
    article, _ = parse_article("t.md", data)
    last = len(data.decode().rstrip("\n").split("\n"))
    assert article.span.end_line == last
    assert article.trends[0].span.end_line == last
