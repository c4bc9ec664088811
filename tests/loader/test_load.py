"""Loading into a real SQLite file: atomic, idempotent, incremental."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from loader.diagnostics import LoadError
from loader.load import load_content
from loader.search_docs import search_text_sql
from tests.support.edits import retitle

TEXT = search_text_sql("d")  # a search doc's text, read from its node


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def dump(db: Path) -> list[str]:
    """Every table's data, without the load time and the time each file was read
    (bookkeeping for the next load), for comparing two loads."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("UPDATE sources SET read_ns = 0")  # not committed: a view of the data
        return [line for line in conn.iterdump() if "loaded_at" not in line]
    finally:
        conn.rollback()
        conn.close()


def test_load_stores_everything(content_dir, db_path):
    report = load_content(content_dir, db_path)
    assert report.changed and report.parsed == 3
    assert report.counts["articles"] == 3
    assert rows(db_path, "SELECT slug FROM articles ORDER BY slug") == [
        ("2024-ai-trends",), ("2025-web-platform-trends",), ("edge-ai-privacy-2025",)]
    assert rows(db_path, "SELECT count(*) FROM trends t JOIN articles a ON a.id = t.article_id "
                         "WHERE a.slug = '2024-ai-trends'") == [(3,)]
    meta = dict(rows(db_path, "SELECT key, value FROM meta"))
    assert meta["content_version"] == report.content_version and meta["article_count"] == "3"
    assert rows(db_path, "PRAGMA foreign_key_check") == []
    assert rows(db_path, "SELECT path, line, severity FROM diagnostics") == [
        ("2025-edge-ai-privacy.md", 46, "warning")]


def test_failed_load_leaves_database_byte_identical(content_dir, db_path):
    load_content(content_dir, db_path)
    before = sha(db_path)
    (content_dir / "2025-web-platform-trends.md").write_text("---\ntitle: [\n---\n")
    (content_dir / "new.md").write_text("---\ntitle: N\ndate: 2025-02-30\n---\n# N\n")
    with pytest.raises(LoadError) as info:
        load_content(content_dir, db_path)
    assert sorted(d.path for d in info.value.diagnostics if d.is_error) == [
        "2025-web-platform-trends.md", "new.md"]
    assert sha(db_path) == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name,
                                                                 db_path.name + ".lock"], "no temp files left"


def test_failed_first_load_creates_nothing(content_dir, db_path):
    (content_dir / "bad.md").write_bytes(b"")
    with pytest.raises(LoadError):
        load_content(content_dir, db_path)
    assert not db_path.exists()


def test_loading_twice_is_a_no_op(content_dir, db_path):
    load_content(content_dir, db_path)
    before = sha(db_path)
    report = load_content(content_dir, db_path)
    assert not report.changed and report.parsed == 0 and report.unchanged == 3
    assert sha(db_path) == before


def test_incremental_load_parses_only_changed_files(content_dir, db_path):
    first = load_content(content_dir, db_path)
    seed = content_dir / "2024-ai-trends.md"
    seed.write_text(seed.read_text(encoding="utf-8").replace("大模型优先路线", "超大模型路线"),
                    encoding="utf-8")
    report = load_content(content_dir, db_path)
    assert report.changed and report.parsed == 1 and report.unchanged == 2
    assert report.content_version != first.content_version
    names = [r[0] for r in rows(db_path, "SELECT name FROM routes ORDER BY id")]
    assert "超大模型路线" in names and "大模型优先路线" not in names
    hits = rows(db_path, "SELECT count(*) FROM search_fts WHERE search_fts MATCH '\"超大 大模\"'")
    assert hits == [(1,)], "the search index follows the change"
    stale = rows(db_path, "SELECT count(*) FROM search_fts WHERE search_fts MATCH '\"优先 先路\"'")
    assert stale[0][0] >= 1  # other trends still have 优先路线; the old route's entry is gone:
    assert rows(db_path, f"SELECT count(*) FROM search_docs d WHERE {TEXT} = '大模型优先路线'") == [(0,)]


def test_incremental_result_equals_a_fresh_load(content_dir, db_path, tmp_path):
    load_content(content_dir, db_path)
    (content_dir / "2025-web-platform-trends.md").unlink()
    edited = content_dir / "2025-edge-ai-privacy.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n补充一句。\n", encoding="utf-8")
    report = load_content(content_dir, db_path)
    assert report.deleted == 1 and report.parsed == 1
    fresh = tmp_path / "fresh.db"
    load_content(content_dir, fresh)

    def content(db):
        return rows(db, "SELECT a.slug, t.position, t.title, r.name, p.kind, p.text_md "
                        "FROM articles a JOIN trends t ON t.article_id = a.id "
                        "JOIN routes r ON r.trend_id = t.id JOIN route_points p ON p.route_id = r.id "
                        "ORDER BY 1, 2, 4, 5, 6")
    assert content(db_path) == content(fresh)
    assert rows(db_path, "SELECT count(*) FROM articles") == [(2,)]
    assert rows(db_path, "SELECT count(*) FROM search_docs") == rows(fresh, "SELECT count(*) FROM search_docs")
    fts = "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'islands'"
    assert rows(db_path, fts) == rows(fresh, fts) == [(0,)]


def test_deleting_every_file_empties_the_store(content_dir, db_path):
    load_content(content_dir, db_path)
    for path in content_dir.iterdir():
        path.unlink()
    report = load_content(content_dir, db_path)
    assert report.deleted == 3 and report.counts["articles"] == 0
    assert rows(db_path, "SELECT count(*) FROM search_docs") == [(0,)]


def test_identical_content_gives_identical_data(content_dir, tmp_path):
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    load_content(content_dir, one)
    load_content(content_dir, two)
    assert dump(one) == dump(two)


def test_search_recall_on_two_character_chinese_terms(content_dir, db_path):
    """FTS5 trigram cannot find 2-character terms; the bigram index must."""
    load_content(content_dir, db_path)
    from loader.tokens import match_expression

    for term in ("芯片", "隐私", "成本"):
        expected = rows(db_path, f"SELECT count(*) FROM search_docs d WHERE {TEXT} LIKE '%{term}%'")[0][0]
        assert expected > 0
        found = rows(db_path, "SELECT count(*) FROM search_fts WHERE search_fts MATCH "
                              f"'{match_expression(term)}'")[0][0]
        assert found == expected, term


def test_parallel_parse_gives_the_same_store(tmp_path, monkeypatch):
    """Many files are parsed in worker processes; the result must not depend on it."""
    import loader.load as load_module
    monkeypatch.setattr(load_module, "PARALLEL_MIN", 2)
    content = tmp_path / "content"
    content.mkdir()
    seed = (Path(__file__).resolve().parents[2] / "content" / "2024-ai-trends.md").read_text("utf-8")
    for i in range(12):
        (content / f"a{i:02}.md").write_text(seed.replace("2025-02-18", f"2025-02-{i + 1:02}"),
                                             encoding="utf-8")
    serial, parallel = tmp_path / "serial.db", tmp_path / "parallel.db"
    load_content(content, serial, jobs=1)
    load_content(content, parallel, jobs=2)
    assert dump(serial) == dump(parallel)


def _age(path: Path, seconds: float = 60.0) -> None:
    """Make a file look edited ``seconds`` ago (not racily clean any more)."""
    when = path.stat().st_mtime - seconds
    os.utime(path, (when, when))


def test_noop_reload_reads_no_file(content_dir, db_path, monkeypatch):
    """Files whose size, mtime, ctime and inode match the store are not read again."""
    load_content(content_dir, db_path)
    edited = content_dir / "2025-edge-ai-privacy.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n再补充一句。\n", encoding="utf-8")
    _age(edited)
    read = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or original(self))
    report = load_content(content_dir, db_path)
    assert read == ["2025-edge-ai-privacy.md"] and report.parsed == 1
    read.clear()
    assert not load_content(content_dir, db_path).changed
    assert read == []


def test_counts_stay_exact_across_incremental_loads(content_dir, db_path):
    """meta.counts is kept by adding and subtracting rows; it must equal a real count."""
    import json

    load_content(content_dir, db_path)
    (content_dir / "2025-web-platform-trends.md").unlink()
    seed = content_dir / "2024-ai-trends.md"
    seed.write_text(seed.read_text(encoding="utf-8") + "\n## 四、新趋势\n\n### 现状\n\n- **点**：文\n",
                    encoding="utf-8")
    load_content(content_dir, db_path)
    counts = json.loads(rows(db_path, "SELECT value FROM meta WHERE key = 'counts'")[0][0])
    for table, stored in counts.items():
        assert rows(db_path, f"SELECT count(*) FROM [{table}]") == [(stored,)], table
    assert counts["articles"] == 2 and counts["trends"] > 0


def test_a_reload_commits_into_the_same_file(content_dir, db_path):
    """Later loads edit the store in place (one transaction), not a copy of it."""
    load_content(content_dir, db_path)
    inode = db_path.stat().st_ino
    retitle(content_dir / "2024-ai-trends.md", "Retitled in place")
    report = load_content(content_dir, db_path)
    assert report.changed and report.parsed == 1
    assert db_path.stat().st_ino == inode
    assert ("Retitled in place",) in rows(db_path, "SELECT title FROM articles")
    assert rows(db_path, "PRAGMA journal_mode") == [("wal",)]
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name,
                                                                 db_path.name + ".lock"], "no journal left"


def test_a_write_that_fails_midway_rolls_back_to_the_same_bytes(content_dir, db_path,
                                                                 monkeypatch):
    load_content(content_dir, db_path)
    before = sha(db_path)
    (content_dir / "2024-ai-trends.md").unlink()  # a delete goes through first...
    retitle(content_dir / "2025-web-platform-trends.md", "Never stored")

    def insert_fails(*_args, **_kwargs):  # ...then the insert breaks
        raise sqlite3.OperationalError("disk I/O error (simulated)")

    monkeypatch.setattr("loader.storefile.insert_articles", insert_fails)
    with pytest.raises(sqlite3.OperationalError, match="simulated"):
        load_content(content_dir, db_path)
    assert sha(db_path) == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name,
                                                                 db_path.name + ".lock"]
    monkeypatch.undo()
    report = load_content(content_dir, db_path)  # the store is usable and catches up
    assert report.parsed == 1 and report.deleted == 1


def _paused_load(content_dir, db_path, monkeypatch):
    """A load in a thread that stops after parsing until the returned event is set."""
    import loader.load as load_module

    real_parse = load_module.iter_parsed
    parsed, go = threading.Event(), threading.Event()

    def parse_then_wait(*args, **kwargs):
        yield from real_parse(*args, **kwargs)
        if threading.current_thread().name == "first":
            parsed.set()
            assert go.wait(30)

    monkeypatch.setattr(load_module, "iter_parsed", parse_then_wait)
    outcome = {}
    thread = threading.Thread(name="first", target=lambda: outcome.setdefault(
        "report", load_content(content_dir, db_path)))
    thread.start()
    assert parsed.wait(30)
    return thread, go, outcome


def test_two_loads_at_once_run_one_after_the_other(content_dir, db_path, monkeypatch):
    """The second load waits for the lock, then applies its change on top of the first."""
    load_content(content_dir, db_path)
    retitle(content_dir / "2024-ai-trends.md", "First edit")
    first, go, first_outcome = _paused_load(content_dir, db_path, monkeypatch)
    retitle(content_dir / "2025-web-platform-trends.md", "Second edit")
    second_outcome = {}
    second = threading.Thread(target=lambda: second_outcome.setdefault(
        "report", load_content(content_dir, db_path)))
    second.start()
    second.join(1.0)
    assert second.is_alive(), "the second load waits while the first holds the store"
    go.set()
    first.join(30)
    second.join(30)
    assert first_outcome["report"].changed and second_outcome["report"].changed
    titles = {t for (t,) in rows(db_path, "SELECT title FROM articles")}
    assert {"First edit", "Second edit"} <= titles
    assert not load_content(content_dir, db_path).changed


def test_two_first_loads_into_a_new_path_both_land(content_dir, tmp_path, monkeypatch):
    db_path = tmp_path / "new" / "content.db"
    first, go, _ = _paused_load(content_dir, db_path, monkeypatch)
    retitle(content_dir / "2024-ai-trends.md", "Edited while the first ran")
    second = threading.Thread(target=lambda: load_content(content_dir, db_path))
    second.start()
    go.set()
    first.join(30)
    second.join(30)
    titles = {t for (t,) in rows(db_path, "SELECT title FROM articles")}
    assert "Edited while the first ran" in titles and len(titles) == 3


def test_a_load_that_cannot_get_the_lock_says_who_holds_it(content_dir, db_path, monkeypatch):
    import loader.storefile as storefile

    load_content(content_dir, db_path)
    with storefile.StoreLock(db_path):
        monkeypatch.setattr(storefile, "LOCK_TIMEOUT_S", 0.2)
        with pytest.raises(LoadError) as info:
            load_content(content_dir, db_path)
    [problem] = info.value.diagnostics
    assert f"another load of this store is running (pid {os.getpid()})" in problem.message


def test_every_column_holds_what_it_is_named_for(content_dir, db_path):
    """Rows are built as positional tuples: a column shifted or swapped shows here."""
    load_content(content_dir, db_path)
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        files = {p.name for p in content_dir.glob("*.md")}
        slugs = {r["id"]: r["slug"] for r in conn.execute("SELECT id, slug FROM articles")}
        for table in ("articles", "trends", "key_points", "routes", "route_points", "advice",
                      "sections"):
            for row in conn.execute(f"SELECT * FROM [{table}]"):
                assert row["source_path"] in files, (table, dict(row))
                assert 1 <= row["start_line"] <= row["end_line"], (table, dict(row))
                for name in row.keys():
                    if name.endswith(("_md", "_html", "_text")) and row[name] is not None:
                        assert isinstance(row[name], str), (table, name)
                    # Block HTML starts with a tag; a title's or description's is inline.
                    if name.endswith("_html") and row[name] and \
                            name not in ("title_html", "description_html"):
                        assert row[name].lstrip().startswith("<"), (table, name, row[name])
                if "key" in row.keys():
                    article_id = row["id"] if table == "articles" else row["article_id"]
                    assert row["key"].split("/")[0] == slugs[article_id], (table, dict(row))
        for row in conn.execute(f"SELECT d.*, {TEXT} AS text FROM search_docs d"):
            node = conn.execute(f"SELECT * FROM [{row['node_table']}] WHERE id = ?",
                                (row["node_id"],)).fetchone()
            if row["node_table"] == "key_points":  # a key point's article is its trend's
                node = conn.execute("SELECT * FROM trends WHERE id = ?",
                                    (node["trend_id"],)).fetchone()
            owner = node["id"] if row["node_table"] == "articles" else node["article_id"]
            assert owner == row["article_id"], dict(row)
            assert row["kind"] in {"ARTICLE", "TREND", "KEY_POINT", "ROUTE", "ADVICE", "SECTION"}
            assert row["text"].strip()
        for row in conn.execute("SELECT s.*, a.slug FROM sources s JOIN articles a "
                                "ON a.id = s.article_id"):
            assert row["sha256"] == sha(content_dir / row["path"]), dict(row)
            assert row["size"] == (content_dir / row["path"]).stat().st_size
        for row in conn.execute("SELECT * FROM route_points"):
            assert row["kind"] in {"pro", "con"}, dict(row)
    finally:
        conn.close()


def test_an_edit_that_keeps_size_and_mtime_is_noticed(content_dir, db_path):
    """cp -p / rsync -t: the same size and mtime, but a new ctime (and inode)."""
    source = content_dir / "2024-ai-trends.md"
    _age(source)
    load_content(content_dir, db_path)
    text = source.read_text(encoding="utf-8")
    same_size = text.replace("三大发展趋势", "三大发展方向")
    assert len(same_size.encode()) == len(text.encode())
    stat = source.stat()
    replacement = content_dir / "incoming.tmp"
    replacement.write_text(same_size, encoding="utf-8")
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(replacement, source)  # rsync -t: a new file renamed over, mtime kept
    assert (source.stat().st_size, source.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    report = load_content(content_dir, db_path)
    assert report.parsed == 1
    assert any("三大发展方向" in t for (t,) in rows(db_path, "SELECT title FROM articles"))


def test_a_racily_clean_file_is_read_again(content_dir, db_path, monkeypatch):
    """A file edited just before the load read it is hashed again next time, in
    case a second edit kept its size and timestamp."""
    for path in content_dir.glob("*.md"):  # written now: read within the racy window
        path.write_bytes(path.read_bytes())
    load_content(content_dir, db_path)
    before = sha(db_path)
    read = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or original(self))
    assert not load_content(content_dir, db_path).changed
    assert sorted(read) == sorted(p.name for p in content_dir.glob("*.md")), "re-hashed"
    monkeypatch.undo()
    assert sha(db_path) == before, "an unchanged load writes nothing"


def test_a_store_of_another_schema_version_is_rebuilt_in_place(content_dir, db_path):
    """Never renamed over (a served WAL store would meet the new file's WAL): the
    same file, rebuilt in one transaction, while a reader keeps its version."""
    from loader import schema

    load_content(content_dir, db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                 (str(schema.SCHEMA_VERSION - 1),))
    conn.execute("DROP TABLE article_tags")  # an older schema lacked something
    conn.commit()
    conn.close()
    reader = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, isolation_level=None)
    reader.execute("BEGIN")
    before = reader.execute("SELECT count(*) FROM articles").fetchone()[0]
    inode = db_path.stat().st_ino
    report = load_content(content_dir, db_path)
    assert report.changed and report.parsed == 3
    assert db_path.stat().st_ino == inode
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == before
    reader.close()
    assert rows(db_path, "SELECT value FROM meta WHERE key = 'schema_version'") == [
        (str(schema.SCHEMA_VERSION),)]
    assert rows(db_path, "SELECT count(*) FROM article_tags")[0][0] > 0
    assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]


def test_a_rollback_journal_store_becomes_wal(content_dir, db_path):
    load_content(content_dir, db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    retitle(content_dir / "2024-ai-trends.md", "Now in WAL")
    load_content(content_dir, db_path)
    assert rows(db_path, "PRAGMA journal_mode") == [("wal",)]


def test_a_file_that_is_not_a_store_is_replaced(content_dir, db_path):
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"not a database at all" * 100)
    report = load_content(content_dir, db_path)
    assert report.changed and report.counts["articles"] == 3


def test_the_index_holds_the_tokens_of_the_text_each_doc_reads_back(content_dir, db_path):
    """Search docs keep no copy of their text: it is read from the node's columns
    (loader.search_docs.SEARCH_TEXTS). The index was built from the loader's own string,
    so the two must give the same tokens, doc by doc, in order."""
    from loader.store import doc_tokens

    load_content(content_dir, db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, search_fts, instance)")
    indexed: dict[int, list[tuple[int, str]]] = {}
    for term, doc, offset in conn.execute("SELECT term, doc, offset FROM temp.vocab"):
        indexed.setdefault(doc, []).append((offset, term))
    docs = conn.execute(f"SELECT d.id, {TEXT}, a.draft FROM search_docs d "
                        "JOIN articles a ON a.id = d.article_id").fetchall()
    conn.close()
    assert docs and len(docs) == len(indexed)
    kinds = set()
    for doc_id, text, draft in docs:
        assert text and text.strip(), doc_id
        assert [t for _, t in sorted(indexed[doc_id])] == doc_tokens(text, bool(draft)).split(), text
        kinds.add(text)
    assert len(kinds) > len(docs) // 2  # texts differ: not one column read for all


def test_the_index_writes_new_terms_out_past_its_memory_limit(content_dir, tmp_path, monkeypatch):
    """The index holds new terms in memory up to loader.schema.FTS_PENDING_BYTES, then
    writes them out as a segment: the same terms for the same docs, in fewer segments
    the larger the limit. The limit is kept in the index's own settings."""
    from loader import schema

    def loaded(db: Path) -> tuple[list[tuple], int, list[tuple]]:
        load_content(content_dir, db)
        conn = sqlite3.connect(db)
        try:
            conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, search_fts, instance)")
            terms = conn.execute("SELECT term, doc, offset FROM temp.vocab ORDER BY 1, 2, 3").fetchall()
        finally:
            conn.close()
        return (terms, rows(db, "SELECT count(DISTINCT segid) FROM search_fts_idx")[0][0],
                rows(db, "SELECT v FROM search_fts_config WHERE k = 'hashsize'"))

    monkeypatch.setattr(schema, "FTS_PENDING_BYTES", 1024)
    small = loaded(tmp_path / "small.db")
    monkeypatch.undo()
    large = loaded(tmp_path / "large.db")
    assert large[0] and small[0] == large[0]
    assert small[1] > large[1]
    assert small[2] == [(1024,)] and large[2] == [(schema.FTS_PENDING_BYTES,)]


def test_articles_written_in_rounds_are_stored_as_in_one(tmp_path, monkeypatch):
    """insert_articles writes a few hundred articles at a time (to bound what a big
    load holds twice); the rounds' ids continue one another, search index included."""
    import loader.store
    from tests.support.paths import REAL_WORLD
    whole = tmp_path / "whole.db"
    load_content(REAL_WORLD, whole, skip_invalid=True)
    monkeypatch.setattr(loader.store, "_ROUND", 2)
    rounds = tmp_path / "rounds.db"
    load_content(REAL_WORLD, rounds, skip_invalid=True)
    tables = ["articles", "trends", "key_points", "routes", "route_points", "advice", "sections",
              "search_docs"]
    by_id = {t: f"SELECT * FROM {t} ORDER BY id" for t in tables}
    by_id["fts"] = "SELECT rowid FROM search_fts WHERE search_fts MATCH 'the' ORDER BY rowid"
    for name, sql in by_id.items():
        assert rows(whole, sql) == rows(rounds, sql), name
    assert rows(rounds, "SELECT count(*) FROM articles")[0][0] > 2 and rows(rounds, by_id["fts"])


def _copies(content_dir: Path, count: int) -> None:
    """``count`` more articles in ``content_dir``: copies of one with slugs of their own."""
    text = (content_dir / "2024-ai-trends.md").read_text("utf-8")
    for i in range(count):
        (content_dir / f"copy-{i:03d}.md").write_text(
            text.replace("slug: 2024-ai-trends", f"slug: copy-{i:03d}", 1), encoding="utf-8")


def test_a_first_load_writes_articles_while_later_files_are_still_parsed(content_dir, db_path,
                                                                         monkeypatch):
    """A load into a new store writes each round of parsed articles at once,
    before the files after them are parsed (loader.load._load_fresh)."""
    import loader.load as load_module
    import loader.store

    _copies(content_dir, 6)
    events: list[str] = []
    real_parse, real_insert = load_module._parse_one, loader.store._insert_rows

    def parse_one(file, config):
        events.append("parse")
        return real_parse(file, config)

    def insert_rows(db, table, table_rows):
        if table == "articles":
            events.append("write")
        return real_insert(db, table, table_rows)

    monkeypatch.setattr(loader.store, "_ROUND", 2)
    monkeypatch.setattr(load_module, "_parse_one", parse_one)
    monkeypatch.setattr(loader.store, "_insert_rows", insert_rows)
    report = load_content(content_dir, db_path)
    assert report.parsed == 9 and events.count("parse") == 9
    assert events.index("write") < 3, events  # after the first round, not after the last file
    assert events[-1] == "write" and events.count("write") == 5


def test_a_first_load_whose_last_file_is_invalid_creates_nothing(content_dir, db_path,
                                                                  monkeypatch):
    """Rounds were written before the error was found: the temporary file goes."""
    import loader.store

    _copies(content_dir, 6)
    (content_dir / "zz-last.md").write_text("---\ntitle: Z\ndate: 2025-02-30\n---\n# Z\n")
    monkeypatch.setattr(loader.store, "_ROUND", 2)
    with pytest.raises(LoadError) as info:
        load_content(content_dir, db_path)
    assert [d.path for d in info.value.diagnostics if d.is_error] == ["zz-last.md"]
    assert not db_path.exists()
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name + ".lock"]


def test_a_rebuild_in_place_whose_last_file_is_invalid_leaves_the_file_as_it_was(
        content_dir, db_path, monkeypatch):
    import loader.store
    from loader import schema

    load_content(content_dir, db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                 (str(schema.SCHEMA_VERSION - 1),))
    conn.commit()
    conn.execute("PRAGMA journal_mode=DELETE")  # as an older version wrote its stores
    conn.close()
    before = sha(db_path)
    _copies(content_dir, 6)
    (content_dir / "zz-last.md").write_text("---\ntitle: Z\ndate: 2025-02-30\n---\n# Z\n")
    monkeypatch.setattr(loader.store, "_ROUND", 2)
    with pytest.raises(LoadError):
        load_content(content_dir, db_path)
    assert sha(db_path) == before  # its header too: still in rollback-journal mode
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name,
                                                                 db_path.name + ".lock"]
    assert rows(db_path, "SELECT value FROM meta WHERE key = 'schema_version'") == [
        (str(schema.SCHEMA_VERSION - 1),)]
    report = load_content(content_dir, db_path, skip_invalid=True)  # the valid ones land
    assert report.parsed == 9 and report.invalid == ["zz-last.md"]
    assert rows(db_path, "SELECT count(*) FROM articles") == [(9,)]


def test_a_first_load_whose_write_fails_stops_parsing(content_dir, db_path, monkeypatch,
                                                      tmp_path):
    """The write fails in its first round: the parsing processes are not left to
    parse every other file first, and nothing is left behind."""
    import loader.load as load_module
    import loader.store

    _copies(content_dir, 400)
    marks = tmp_path / "parsed"
    real_parse = load_module._parse_one

    def parse_one(file, config):  # runs in the forked parsing processes
        with open(marks, "a") as out:
            out.write("x")
        return real_parse(file, config)

    def insert_rows(*_args):
        raise sqlite3.OperationalError("disk I/O error (simulated)")

    monkeypatch.setattr(load_module, "_parse_one", parse_one)
    monkeypatch.setattr(loader.store, "_ROUND", 2)
    monkeypatch.setattr(loader.store, "_insert_rows", insert_rows)
    with pytest.raises(sqlite3.OperationalError, match="simulated"):
        load_content(content_dir, db_path, jobs=2)
    assert not multiprocessing.active_children()  # the parsing processes are gone
    assert len(marks.read_text()) < 300  # of 403 files
    assert not db_path.exists()
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name + ".lock"]
