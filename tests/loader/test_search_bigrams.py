"""loader/search_bigrams.py: the index's CJK bigrams, kept in a table of their own."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from loader import schema
from loader.load import load_content
from loader.search_bigrams import add_bigrams, bigrams_of, tokenizer_keeps
from loader.tokens import DRAFT_TOKEN, index_text, is_cjk

ROOT = Path(__file__).resolve().parents[2]
REAL_WORLD = ROOT / "tests" / "fixtures" / "real-world"
# Characters counted as CJK here that the index's tokenizer splits on (・ ゠ and a
# combining kana mark), beside ordinary kana and Han.
KANA = "ジョン・スミス、カ゠キ、k・z、メ゙ソッド"


def _index_bigrams(db: Path) -> set[str]:
    """The index's own terms of two CJK characters, as fts5vocab lists them."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, search_fts, row)")
        return {term for (term,) in conn.execute("SELECT term FROM temp.terms")
                if len(term) == 2 and is_cjk(term[0]) and is_cjk(term[1])}
    finally:
        conn.close()


def _kept_bigrams(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(f"SELECT last, firsts FROM {schema.BIGRAM_TABLE}").fetchall()
    finally:
        conn.close()
    for _, firsts in rows:  # in code point order, each once
        assert list(firsts) == sorted(set(firsts))
    return {first + last for last, firsts in rows for first in firsts}


def _article(slug: str, body: str) -> str:
    return (f"---\ntitle: {slug}\ndate: 2024-05-01\nslug: {slug}\n---\n# {slug}\n\n{body}\n\n"
            "## 1. 趋势\n\n### 现状\n\n**要点**：内容\n\n### 路线\n\n#### 路线甲\n\n"
            "- 优点：快\n- 缺点：贵\n\n### 建议\n\n1. 先做\n\n## 总结\n\n完。\n")


def test_bigrams_of_takes_two_cjk_character_tokens_only():
    tokens = [index_text("生成式 AI 与芯片"), index_text("ok ai go"), index_text("芯"),
              f"{index_text('隐私')} {DRAFT_TOKEN}", index_text("ジョン・スミス")]
    # Latin words of two letters, lone characters and the draft token are not bigrams.
    assert bigrams_of(tokens) == {"生成", "成式", "与芯", "芯片", "隐私", "ジョ", "ョン", "ン・",
                                  "・ス", "スミ", "ミス"}


def test_add_bigrams_merges_what_the_tokenizer_keeps():
    assert not tokenizer_keeps("・") and tokenizer_keeps("ス") and tokenizer_keeps("芯")
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE TABLE {schema.BIGRAM_TABLE} (last TEXT PRIMARY KEY, firsts TEXT)")
    assert add_bigrams(conn, bigrams_of([index_text("ジョン・スミス 芯片")])) == 5
    # 𠀀 is past the Basic Multilingual Plane (CJK Extension B).
    assert add_bigrams(conn, {"ミス", "隐片", "旧片", "𠀀片"}) == 3
    assert add_bigrams(conn, {"ミス", "芯片"}) == 0
    rows = dict(conn.execute(f"SELECT last, firsts FROM {schema.BIGRAM_TABLE}"))
    assert rows == {"ョ": "ジ", "ン": "ョ", "ミ": "ス", "ス": "ミ", "片": "旧芯隐𠀀"}


def test_a_load_keeps_exactly_the_index_bigrams(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(REAL_WORLD, content)
    (content / "kana.md").write_text(_article("kana", KANA), encoding="utf-8")
    db = tmp_path / "store.db"
    load_content(content, db)
    expected = _index_bigrams(db)
    assert len(expected) > 10_000
    assert _kept_bigrams(db) == expected
    assert "ジョ" in expected and not any("・" in b or "゠" in b for b in expected)


@pytest.mark.parametrize("checks_at_most", [2000, 1])  # each looked for, or all read again
def test_a_reload_adds_and_removes_bigrams(tmp_path, monkeypatch, checks_at_most):
    monkeypatch.setattr("loader.search_bigrams._CHECKS_AT_MOST", checks_at_most)
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text(_article("a", "芯片与隐私"), encoding="utf-8")
    (content / "b.md").write_text(_article("b", "量子计算与隐私"), encoding="utf-8")
    (content / "d.md").write_text(_article("d", "数据中心"), encoding="utf-8")
    db = tmp_path / "store.db"
    load_content(content, db)
    assert {"芯片", "量子", "隐私", "中心"} <= _kept_bigrams(db) == _index_bigrams(db)

    (content / "b.md").unlink()  # 隐私 stays: a.md, untouched, has it too
    (content / "d.md").write_text(_article("d", "数据推理"), encoding="utf-8")  # 中心 goes
    (content / "c.md").write_text(_article("c", "边缘推理"), encoding="utf-8")
    load_content(content, db)
    kept = _kept_bigrams(db)
    assert kept == _index_bigrams(db)
    assert {"边缘", "推理", "芯片", "隐私", "数据"} <= kept
    assert not {"量子", "计算", "中心", "据中"} & kept


def test_a_reload_finds_what_a_new_store_finds(tmp_path):
    """After reloads that edit and delete, every character's search finds the same
    docs with the same scores as in a store built anew from the same files."""
    from api import search
    from api.store import Snapshot
    from loader.search_docs import search_text_sql

    content = tmp_path / "content"
    shutil.copytree(REAL_WORLD, content)
    reloaded = tmp_path / "reloaded.db"
    load_content(content, reloaded)
    before = len(_kept_bigrams(reloaded))
    files = sorted(p for p in content.glob("*.md") if p.name[:3] in ("zh-", "ja-"))
    for path in files[:4]:
        path.unlink()
    for path in files[-4:]:
        text = path.read_text("utf-8")
        path.write_text(text[: len(text) // 2] + "\n\n边缘推理的新段落。\n", encoding="utf-8")
    load_content(content, reloaded)
    fresh = tmp_path / "fresh.db"
    load_content(content, fresh)
    assert _kept_bigrams(reloaded) == _kept_bigrams(fresh) == _index_bigrams(fresh)
    assert len(_kept_bigrams(fresh)) < before - 1000  # the reloads took many away
    snapshots = [Snapshot.open(reloaded), Snapshot.open(fresh)]
    chars = sorted({b[1] for b in _kept_bigrams(fresh)})[::7]
    assert len(chars) > 100
    with_hits = 0
    for char in chars:
        found = []
        for snapshot in snapshots:
            sql, params = search._hits(snapshot.conn, char)
            found.append(snapshot.conn.execute(
                f"SELECT a.slug, d.kind, d.field, {search_text_sql('d')}, h.score FROM {sql} "
                "JOIN search_docs d ON d.id = h.id JOIN articles a ON a.id = d.article_id "
                "ORDER BY 1, 2, 3, 4, 5", params).fetchall())
        assert [tuple(r) for r in found[0]] == [tuple(r) for r in found[1]], char
        with_hits += bool(found[0])
    assert with_hits > 100  # (a draft's characters find nothing: drafts are hidden)
    for snapshot in snapshots:
        snapshot.close()


def test_a_store_of_another_schema_version_gets_its_bigrams_afresh(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text(_article("a", "芯片与隐私"), encoding="utf-8")
    db = tmp_path / "store.db"
    load_content(content, db)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(f"INSERT INTO {schema.BIGRAM_TABLE} VALUES ('旧', '陈')")
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                     (str(schema.SCHEMA_VERSION - 1),))
    conn.close()
    load_content(content, db)
    assert _kept_bigrams(db) == _index_bigrams(db) and "陈旧" not in _kept_bigrams(db)
