"""Property test: hostile markup in generated articles never survives into stored HTML.

Documents are built from the article format's skeleton with hostile payloads
(``html_checks.PAYLOADS``) dropped into random slots, each wrapped in a random
markdown construct (list items, quotes, tables, emphasis, link text, headings,
fences, HTML comments, indentation). Each document goes through the real
loader; whatever it stores, every ``*_html`` column of every table (exactly
what ``format: HTML`` serves) is parsed with html5lib and must hold nothing
dangerous. A document the loader rejects is fine: rejection stores nothing.

``make test`` runs a bounded number of examples; ``make fuzz``
(HYPOTHESIS_PROFILE=fuzz) many more.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from loader.diagnostics import LoadError
from loader.load import load_content
from tests.security.html_checks import PAYLOADS, problems

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
EXAMPLES = 1500 if LONG else 40

SLOTS = ["intro", "status", "keypoint", "route", "pro", "con", "advice", "section", "summary"]

# Constructs that keep the payload where the whole-document parse sees it as markup.
WRAPPERS = {
    "bare": "{p}",
    "emphasis": "*{p}*",
    "strong": "**{p}**",
    "link-text": "[{p}](https://ok.invalid/)",
    "quote": "> {p}",
    "table": "| a | b |\n|---|---|\n| {p} | x |",
    "heading": "#### {p}",
    "after-text": "text {p} text",
    "comment-before": "<!-- c -->\n{p}",
    "fenced": "```\n{p}\n```",
    "tilde-fenced": "~~~html\n{p}\n~~~",
    "code-span": "`{p}`",
    "escaped": "\\{p}",
    "entity-prefix": "&amp; {p}",
    "nested-list": "- outer\n  - {p}",
    "lazy-line": "- item\n{p}",
}
# Indented code: text in the whole document, but raw HTML once the fragment is
# stripped or dedented and rendered alone. Kept apart: see the xfail below.
INDENTED = {
    "indent-4": "    {p}",
    "indent-6": "      {p}",
    "indent-8": "        {p}",
    "tab": "\t{p}",
}


def skeleton(inserts: dict[str, list[str]]) -> str:
    def at(slot: str) -> str:
        return "\n\n".join(inserts.get(slot, []))

    return f"""---
title: Generated
date: 2025-01-01
slug: generated
---

# Generated

{at("intro")}

Intro text.

## 一、Trend

### 1.1 技术现状

Status text.

{at("status")}

- **要点**：point

{at("keypoint")}

### 1.2 技术路线对比

#### a. Route

{at("route")}

- **优点**：pro

{at("pro")}

- **缺点**：con

{at("con")}

### 1.3 对开发者的建议

1. **Advice**：text

{at("advice")}

### 1.4 典型案例

Case.

{at("section")}

## 总结

Summary.

{at("summary")}
"""


def not_known_crash(insert: tuple[str, str, str]) -> bool:
    """A bullet list after the advice list crashes the loader (IntegrityError, see
    tests/reliability/test_loader_failures.py); left out here until that is fixed."""
    slot, wrapper, _ = insert
    return not (slot == "advice" and WRAPPERS.get(wrapper, "").startswith("- "))


def documents(wrappers: dict[str, str]) -> st.SearchStrategy[str]:
    insert = st.tuples(st.sampled_from(SLOTS), st.sampled_from(sorted(wrappers)),
                       st.sampled_from(PAYLOADS)).filter(not_known_crash)

    def build(chosen: list[tuple[str, str, str]]) -> str:
        inserts: dict[str, list[str]] = {}
        for i, (slot, wrapper, payload) in enumerate(chosen):
            text = wrappers[wrapper].replace("{p}", payload.replace("{n}", str(i)))
            inserts.setdefault(slot, []).append(text)
        return skeleton(inserts)

    return st.lists(insert, min_size=1, max_size=6).map(build)


def stored_html(db: Path) -> list[tuple[str, str, str]]:
    """(table, column, value) of every non-empty *_html value in the store, as
    readers see it (through the views that fill in derived forms)."""
    out = []
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN "
                                             "('table', 'view') AND name NOT LIKE '%\\_stored' "
                                             "ESCAPE '\\'")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")
                       if r[1].endswith("_html")]
            for column in columns:
                out += [(table, column, v) for (v,) in conn.execute(f"SELECT {column} FROM {table}")
                        if v]
    finally:
        conn.close()
    return out


def check_document(markdown: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        content.mkdir()
        (content / "generated.md").write_text(markdown, encoding="utf-8")
        db = Path(tmp) / "content.db"
        try:
            load_content(content, db)
        except LoadError:
            assert not db.exists()
            return
        values = stored_html(db)
        assert values, "nothing was stored"
        survivors = [(t, c, v[:300], found) for t, c, v in values if (found := problems(v))]
        assert not survivors, survivors


COMMON = dict(deadline=None, database=None, derandomize=not LONG,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(max_examples=EXAMPLES, **COMMON)
@given(markdown=documents(WRAPPERS))
def test_hostile_markup_never_survives_in_stored_html(markdown):
    check_document(markdown)


@settings(max_examples=EXAMPLES, phases=[Phase.explicit, Phase.generate], **COMMON)
@given(markdown=documents(INDENTED))
def test_indented_hostile_markup_never_survives_in_stored_html(markdown):
    check_document(markdown)
