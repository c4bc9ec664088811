"""A content folder's own settings: content-api.toml or [tool.content-api] (loader/config.py)."""

from __future__ import annotations

import sqlite3

import pytest

from loader.config import DEFAULTS, load_config
from loader.diagnostics import LoadError
from loader.load import load_content

ARTICLE = """---
title: 自定义词汇
date: 2025-05-20 14:30
description: d
---

## 一、甲

### 1.1 行业扫描

行业整体向好，但分化明显。

### 1.2 打法比较

#### a. 打法一

- **加分项**：快。
- **缺点**：贵。
"""


def _read(folder):
    db = folder / "content.db"
    load_content(folder, db)
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT t.status_heading, (SELECT count(*) FROM route_points), "
                            "a.published_at FROM trends t JOIN articles a "
                            "ON a.id = t.article_id").fetchone()
    finally:
        conn.close()


def test_a_project_extends_the_vocabulary_without_code(tmp_path):
    (tmp_path / "a.md").write_text(ARTICLE, "utf-8")
    assert _read(tmp_path)[:2] == (None, 1), "unknown words: 加分项 is not a pro"
    (tmp_path / "content-api.toml").write_text(
        'timezone = "Asia/Shanghai"\n[vocabulary]\nstatus = ["行业扫描"]\npros = ["加分项"]\n',
        "utf-8")
    # The settings changed how files read: the next load reads every file again.
    assert _read(tmp_path) == ("1.1 行业扫描", 2, "2025-05-20T14:30:00+08:00")


def test_pyproject_table_in_the_folder_or_its_parent(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "site"\n[tool.content-api]\nvocabulary = { pros = ["加分项"] }\n',
        "utf-8")
    config = load_config(content)
    assert config.vocabulary.point_kind("加分项") == "pro"
    assert config.source.endswith("pyproject.toml")
    plain = tmp_path / "plain" / "content"
    plain.mkdir(parents=True)
    assert load_config(plain) is DEFAULTS

@pytest.mark.parametrize("text, fragment", [
    ('timezone = "Mars/Olympus"\n', "unknown timezone"),
    ('vocabulary = { prose = ["x"] }\n', "did you mean 'pros'"),
    ('max_file_bytes = "big"\n', "'max_file_bytes' must be int"),
    ('timezon = "UTC"\n', "did you mean 'timezone'"),
    ('timezone = \n', "not valid TOML"),
    (f'vocabulary = {{ status = ["{"x" * 490}"] }}\n', "has 490 characters once folded"),
    (f'vocabulary = {{ status = ["{"ﷺ" * 6}"] }}\n', "has 108 characters once folded"),
])
def test_bad_settings_are_clear_errors_naming_the_file(tmp_path, text, fragment):
    (tmp_path / "content-api.toml").write_text(text, "utf-8")
    with pytest.raises(LoadError) as raised:
        load_config(tmp_path)
    [problem] = raised.value.diagnostics
    assert problem.path.endswith("content-api.toml") and fragment in problem.message
