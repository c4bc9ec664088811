"""Generated variants: the same article in many authors' styles reads the same.

tests/support/variants.py draws an article's structure and writes it in a
random combination of the format's styles (wrappers, dates, numberings,
route headings, pros/cons forms, key-point and advice forms, Traditional
Chinese). Whatever the style, the loader must find every trend, key point,
route, pro, con and piece of advice, with their labels, and store every
line exactly once.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from hypothesis import given

from loader.article import parse_article
from loader.load import load_content
from tests.loader.test_fuzz import settings  # noqa: F401  (registers the profiles)
from tests.support.fidelity import stored_twice, unreachable_lines
from tests.support.variants import article_specs, convert, render


def _expected(spec) -> list[dict]:
    nested = spec.style["points"] == "nested" and spec.style["routes"] != "list-items"
    return [{
        "title": convert(spec, t.title),
        "key_points": [convert(spec, label) for label, _ in t.key_points]
        if spec.style["key_points"] != "headings" or True else None,
        "routes": [(convert(spec, r.name), len(r.pros), len(r.cons),
                    [convert(spec, label) for label, _ in r.pros + r.cons] if nested
                    else [None] * (len(r.pros) + len(r.cons))) for r in t.routes],
        "advice": [convert(spec, title) if spec.style["advice"] != "untitled" else ""
                   for title, _ in t.advice],
    } for t in spec.trends]


def _read(article) -> list[dict]:
    return [{
        "title": t.title,
        "key_points": [p.label for p in t.key_points],
        "routes": [(r.name, len(r.pros), len(r.cons), [p.label for p in r.pros + r.cons])
                   for r in t.routes],
        "advice": [a.title for a in t.advice],
    } for t in article.trends]


@given(article_specs())
def test_every_style_reads_the_same(spec):
    text = render(spec)
    article, problems = parse_article("variant.md", text.encode())
    assert article is not None, [str(p) for p in problems]
    assert _read(article) == _expected(spec), text
    assert article.summary is not None and article.date.isoformat() == "2025-05-20"
    assert [s.heading for s in article.sections] == (
        [convert(spec, "参考资料" if spec.language == "zh" else "References")]
        if spec.style["trailing"] else [])
    assert article.language == ("en" if spec.language == "en" else
                                "zh-Hant" if spec.traditional else "zh-Hans")
    assert all(t.sections == [] for t in article.trends), text
    assert article.coverage[0] == article.coverage[1]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "content"
        folder.mkdir()
        (folder / "variant.md").write_text(text, encoding="utf-8")
        load_content(folder, Path(tmp) / "content.db")
        conn = sqlite3.connect(Path(tmp) / "content.db")
        try:
            assert unreachable_lines(conn, "variant.md", text) == [], text
            assert stored_twice(conn, "variant.md", text) == [], text
        finally:
            conn.close()
