"""The store keeps a text's HTML and plain forms only where its view cannot
derive them (loader.schema.FORMS, INLINE_FORMS); what readers see is unchanged."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from loader import schema, store
from loader.load import load_content
from tests.support.paths import CONTENT, REAL_WORLD

READ_TABLES = [*schema.FORMS, "search_docs"]


def _load(folder, db) -> None:
    report = load_content(folder, db, skip_invalid=True)
    assert report.counts["articles"] > 0


def _view_rows(db) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in READ_TABLES}
    finally:
        conn.close()


@pytest.mark.parametrize("folder", [CONTENT, REAL_WORLD], ids=["content", "real-world"])
def test_views_read_back_what_a_store_of_every_form_holds(folder, tmp_path, monkeypatch):
    lean = tmp_path / "lean.db"
    _load(folder, lean)
    # The same content with every form stored as given: the views then add nothing.
    monkeypatch.setattr(store, "stored_forms", lambda md, html, plain: (md, html, plain))
    monkeypatch.setattr(store, "stored_inline_forms", lambda plain, md, html: (plain, md, html))
    full = tmp_path / "full.db"
    _load(folder, full)
    assert _view_rows(lean) == _view_rows(full)
    conn = sqlite3.connect(lean)
    try:
        left_out = conn.execute(f"SELECT count(*) FROM {schema.stored('key_points')} "
                                "WHERE text_html IS NULL OR text_text IS NULL").fetchone()[0]
    finally:
        conn.close()
    assert left_out > 0  # the lean store does leave forms out
    assert lean.stat().st_size < full.stat().st_size


CASES = [
    ("plain sentence", "<p>plain sentence</p>\n", "plain sentence"),
    ("a & b", "<p>a &amp; b</p>\n", "a & b"),
    ("**bold** lead", "<p><strong>bold</strong> lead</p>\n", "bold lead"),
    ("", "", ""),
    ("line one\nline two", "<p>line one\nline two</p>\n", "line one\nline two"),
    ("中文，“引号”", "<p>中文，“引号”</p>\n", "中文，“引号”"),
    ("<p>x</p>", "<p>&lt;p&gt;x&lt;/p&gt;</p>\n", "<p>x</p>"),
    ("two\n\nparagraphs", "<p>two</p>\n<p>paragraphs</p>\n", "two\n\nparagraphs"),
]


def _store() -> sqlite_utils.Database:
    db = sqlite_utils.Database(sqlite3.connect(":memory:"))
    db.conn.execute("PRAGMA foreign_keys=OFF")
    schema.create(db)
    return db


def _row(table: str, **values) -> dict:
    """A row of ``table`` with every column filled (text 'x', numbers 1), then ``values``."""
    columns = schema.TABLES[table]["columns"]
    return {**{c: ("x" if kind is str else 1) for c, kind in columns.items()}, **values}


@pytest.mark.parametrize("md, html, plain", CASES)
def test_one_text_reads_back_exactly(md, html, plain):
    """Whatever is left out, the view's SQL derives the very string given."""
    db = _store()
    md_, html_, plain_ = schema.stored_forms(md, html, plain)
    db[schema.stored("key_points")].insert(_row("key_points", text_md=md_, text_html=html_,
                                                text_text=plain_))
    assert db.execute("SELECT text_md, text_html, text_text FROM key_points").fetchone() == (
        md, html, plain)


@pytest.mark.parametrize("plain, md, html", [
    ("Title", "Title", "Title"),
    ("A & B", "A & B", "A &amp; B"),
    ("Bold title", "**Bold** title", "<strong>Bold</strong> title"),
    ("C#", "C\\#", "C#"),
    (None, None, None),
])
def test_one_inline_text_reads_back_exactly(plain, md, html):
    db = _store()
    plain_, md_, html_ = schema.stored_inline_forms(plain, md, html)
    db[schema.stored("articles")].insert(_row("articles", description=plain_,
                                              description_md=md_, description_html=html_))
    assert db.execute("SELECT description, description_md, description_html "
                      "FROM articles").fetchone() == (plain, md, html)


def test_only_derivable_forms_are_left_out():
    assert schema.stored_forms("a & b", "<p>a &amp; b</p>\n", "a & b") == (
        "a & b", "<p>a &amp; b</p>\n", None)
    assert schema.stored_forms("x", "<p>x</p>\n", "x") == ("x", None, None)
    assert schema.stored_forms("**x**", "<p><strong>x</strong></p>\n", "x") == (
        "**x**", "<p><strong>x</strong></p>\n", "x")
    assert schema.stored_inline_forms("x", "x", "x") == ("x", None, None)
