"""loader/search_bigrams.py: the index's CJK bigrams, kept in a table of their own."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

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


def test_a_reload_adds_new_bigrams_and_keeps_deleted_ones(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text(_article("a", "芯片与隐私"), encoding="utf-8")
    (content / "b.md").write_text(_article("b", "量子计算"), encoding="utf-8")
    db = tmp_path / "store.db"
    load_content(content, db)
    assert {"芯片", "量子"} <= _kept_bigrams(db) == _index_bigrams(db)

    (content / "b.md").unlink()
    (content / "c.md").write_text(_article("c", "边缘推理"), encoding="utf-8")
    load_content(content, db)
    kept, indexed = _kept_bigrams(db), _index_bigrams(db)
    assert {"边缘", "推理"} <= indexed and "量子" not in indexed
    # A bigram of the deleted article stays: it matches nothing in the index.
    assert kept - indexed == {"量子", "子计", "计算"}
    assert indexed <= kept


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
