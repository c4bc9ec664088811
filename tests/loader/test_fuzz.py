"""Property tests: documents built from the format's own constructs, in odd orders.

For every generated document the loader either stores it or reports
``path:line`` diagnostics, never an uncaught exception; a stored document
loses no line; loading twice is a no-op; a failed load changes nothing.
``make test`` runs a bounded number of examples, ``make fuzz`` many more
(HYPOTHESIS_PROFILE=fuzz).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from loader.article import parse_article
from loader.diagnostics import LoadError
from loader.load import load_content
from tests.support.fidelity import unreachable_lines

settings.register_profile("default", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Words: CJK, Latin, digits, odd unicode (combining marks, RTL, emoji, full-width).
WORDS = st.sampled_from([
    "芯片", "隐私", "生成式", "AI", "模型", "路线", "Edge", "latency", "RISC-V", "GPT-4",
    "é", "e\u0301", "مرحبا", "😀", "ｆｕｌｌ", "x" * 300, "**", "_", "`code`", "<b>", "&amp;",
    "[link](http://a.invalid)", "\\", "#", "1.", "-", ":", "：", "\u200b", "\t",
])
CONTROL = st.sampled_from(["\x00", "\x07", "\x1b", "\x7f", "\u2028", "\ufeff"])
TEXT = st.lists(st.one_of(WORDS, CONTROL), min_size=1, max_size=8).map(" ".join)

PREFIX = st.sampled_from(["", "一、", "二、", "1. ", "2. ", "IV. ", "a. ", "b. ", "1.1 "])
H3_TITLE = st.sampled_from(["技术现状", "技术路线对比", "对开发者的建议", "Current state",
                            "Comparing approaches", "Advice", "典型案例", "Notes"])
LEAD = st.sampled_from(["优点", "缺点", "Pros", "Cons", "Advantages", "要点", "Point"])
COLON = st.sampled_from(["：", ": ", " ", ""])


@st.composite
def blocks(draw) -> str:
    kind = draw(st.sampled_from(["h1", "h2", "h3", "h4", "para", "bullets", "ordered", "rule",
                                 "code", "html", "quote", "closing"]))
    if kind == "h1":
        return f"# {draw(TEXT)}"
    if kind == "h2":
        return f"## {draw(PREFIX)}{draw(TEXT)}"
    if kind == "h3":
        return f"### {draw(PREFIX)}{draw(H3_TITLE)}"
    if kind == "h4":
        return f"#### {draw(PREFIX)}{draw(TEXT)}"
    if kind == "para":
        return draw(TEXT)
    if kind in ("bullets", "ordered"):
        items = draw(st.lists(st.tuples(LEAD, COLON, TEXT), min_size=1, max_size=4))
        marker = (lambda i: f"{i}.") if kind == "ordered" else (lambda i: "-")
        return "\n".join(f"{marker(i)} **{lead}**{colon}{text}"
                         for i, (lead, colon, text) in enumerate(items, start=1))
    if kind == "rule":
        return "---"
    if kind == "code":
        return f"```\n{draw(TEXT)}\n```"
    if kind == "html":
        return "<div onclick=\"x()\">" + draw(TEXT) + "</div>"
    if kind == "quote":
        return f"> {draw(TEXT)}"
    return f"## {draw(st.sampled_from(['总结', '结语', 'Summary', 'Conclusion']))}"


@st.composite
def frontmatter(draw) -> str:
    good = draw(st.booleans())
    if good:
        title = draw(st.sampled_from(["T", "标题", '"quoted: yes"']))
        fields = [f"title: {title}",
                  f"date: {draw(st.sampled_from(['2025-01-01', '2024-02-29']))}",
                  "description: d"]
        if draw(st.booleans()):
            fields.append("tags: [a, 芯片]")
        return "---\n" + "\n".join(fields) + "\n---\n"
    broken = draw(st.sampled_from([
        "title: [\n", "date: 2025-02-30\n", "date: soon\n", "tags: {a: 1}\n", ": :\n",
        "title: ''\n", "- a list\n", "slug: has space\n", "title: T\n",
    ]))
    return "---\n" + broken + "---\n"


@st.composite
def documents(draw) -> bytes:
    body = "\n\n".join(draw(st.lists(blocks(), max_size=14)))
    if draw(st.booleans()):
        body = "```markdown\n" + body + "\n```"
    text = draw(frontmatter()) + "\n" + body + "\n"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(st.integers(0, 9)) == 0:
        data += b"\xff"  # invalid UTF-8
    return data


@given(documents())
def test_parser_never_raises_and_errors_name_a_line(data):
    article, problems = parse_article("doc.md", data)
    for problem in problems:
        assert problem.path == "doc.md" and problem.line >= 0
        assert str(problem).startswith(f"doc.md:{problem.line}: ")
    assert (article is None) == any(p.is_error for p in problems)


@settings(max_examples=15 if os.environ.get("HYPOTHESIS_PROFILE") != "fuzz" else 600)
@given(documents())
# A sub-heading that is only a numbering and a NUL: a key point whose label is the NUL.
@example("---\ntitle: T\ndate: 2025-01-01\ndescription: d\n---\n\n# 芯片\n\n### 技术现状\n\n"
         "#### 一、\x00\n\n# 芯片\n".encode())
def test_load_stores_faithfully_or_changes_nothing(data):
    with tempfile.TemporaryDirectory() as tmp:
        content, db = Path(tmp) / "content", Path(tmp) / "content.db"
        content.mkdir()
        (content / "base.md").write_bytes(b"---\ntitle: Base\ndate: 2025-01-01\n---\n# Base\n")
        load_content(content, db)
        before = hashlib.sha256(db.read_bytes()).hexdigest()
        (content / "doc.md").write_bytes(data)
        try:
            load_content(content, db)
        except LoadError as exc:
            assert any(d.is_error and d.path == "doc.md" for d in exc.diagnostics)
            assert hashlib.sha256(db.read_bytes()).hexdigest() == before
            return
        stored = hashlib.sha256(db.read_bytes()).hexdigest()
        assert not load_content(content, db).changed
        assert hashlib.sha256(db.read_bytes()).hexdigest() == stored
        conn = sqlite3.connect(db)
        try:
            source = data.decode("utf-8-sig")
            assert unreachable_lines(conn, "doc.md", source) == []
        finally:
            conn.close()
