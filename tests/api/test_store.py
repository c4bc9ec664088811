"""Snapshots: read-only, one content version per request, swapped when a load lands."""

from __future__ import annotations

import os
import sqlite3
import time

import pytest

from api import store
from api.errors import classify
from api.store import Snapshot, SnapshotHolder, StoreUnavailable
from graphql import GraphQLError
from loader.load import load_content
from loader.schema import stored
from tests.api.helpers import SEED, build_db, copy_db, gql, make_client, seed_copies


def test_writes_through_the_api_connection_fail(seed_db, tmp_path):
    db = copy_db(seed_db, tmp_path / "ro.db")
    before = db.read_bytes()
    with make_client(db) as client:
        conn = client.app.state.holder.current().conn
        rows = stored("articles")  # the table under the view readers see
        for statement in (f"DELETE FROM {rows}", f"UPDATE {rows} SET title = 'x'",
                          "CREATE TABLE evil (x)", "INSERT INTO meta VALUES ('a', 'b')",
                          f"DROP TABLE {rows}"):
            with pytest.raises(sqlite3.OperationalError):
                conn.execute(statement)
        with pytest.raises(sqlite3.OperationalError):
            conn.execute("PRAGMA query_only = OFF")
            conn.execute(f"DELETE FROM {rows}")
        assert gql(client, "{ articles { totalCount } }")["data"]["articles"]["totalCount"] == 1
    assert db.read_bytes() == before


def test_missing_database_is_a_clear_error(tmp_path):
    with pytest.raises(StoreUnavailable, match="cannot open"):
        Snapshot.open(tmp_path / "nope.db")


def test_snapshot_reads_meta(seed_db):
    snap = Snapshot.open(seed_db)
    assert len(snap.content_version) == 64 and snap.article_count == 1
    assert snap.counts["trends"] == 3


def test_holder_swaps_when_a_load_commits_in_place(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / SEED.name).write_text(SEED.read_text("utf-8"), encoding="utf-8")
    db = tmp_path / "content.db"
    load_content(content, db)
    with make_client(db, reload_check_seconds=0) as client:
        old = client.get("/healthz").json()
        old_snapshot = client.app.state.holder.current()
        first = gql(client, "{ articles { totalCount } }")
        assert first["data"]["articles"]["totalCount"] == 1
        (content / "second.md").write_text(SEED.read_text("utf-8"), encoding="utf-8")
        inode = db.stat().st_ino
        load_content(content, db)  # one transaction into the same file
        assert db.stat().st_ino == inode
        assert client.app.state.holder.current() is not old_snapshot
        second = gql(client, "{ articles { totalCount } }")
        new = client.get("/healthz").json()
        assert new["articleCount"] == 2 and new["contentVersion"] != old["contentVersion"]
        assert second["data"]["articles"]["totalCount"] == 2
        assert second["extensions"]["contentVersion"] == new["contentVersion"]
        current = client.app.state.holder.current()
        assert current is not old_snapshot and current is client.app.state.holder.current()
        assert old_snapshot.closed, "no request held it: closed at once"


def test_a_data_version_answer_stands_for_a_millisecond(tmp_path, monkeypatch):
    """Requests within VERSION_CHECK_SECONDS of the last check take its snapshot
    without asking SQLite again; the first one after it sees a commit."""
    content = tmp_path / "content"
    content.mkdir()
    (content / SEED.name).write_text(SEED.read_text("utf-8"), encoding="utf-8")
    db = tmp_path / "content.db"
    load_content(content, db)
    clock = [1000.0]
    monkeypatch.setattr(store, "_clock", lambda: clock[0])
    holder = SnapshotHolder(db, check_seconds=-1)
    asked = []
    real = holder._data_version
    monkeypatch.setattr(holder, "_data_version", lambda: asked.append(1) or real())
    first = holder.current()
    assert first is holder.current() and len(asked) == 1, "one pragma for both"
    (content / "second.md").write_text(SEED.read_text("utf-8"), encoding="utf-8")
    load_content(content, db)
    clock[0] += store.VERSION_CHECK_SECONDS / 2
    assert holder.current() is first and len(asked) == 1
    clock[0] += store.VERSION_CHECK_SECONDS  # past the window, whatever the rounding
    fresh = holder.current()
    assert fresh is not first and fresh.article_count == 2 and len(asked) == 2


def test_reload_is_explicit_when_checks_are_rare(tmp_path, seed_db):
    db = copy_db(seed_db, tmp_path / "db.sqlite")
    holder = SnapshotHolder(db, check_seconds=3600)
    swaps = []
    holder.on_swap(swaps.append)
    two = build_db(tmp_path / "two", {"a.md": SEED.read_text("utf-8"), "b.md": SEED.read_text("utf-8")})
    os.replace(two, db)
    assert holder.current().article_count == 1  # not checked yet
    assert holder.changed()
    assert holder.reload() is True
    assert holder.current().article_count == 2 and len(swaps) == 1
    assert holder.reload() is False


def test_a_broken_replacement_keeps_the_current_snapshot(tmp_path, seed_db):
    db = copy_db(seed_db, tmp_path / "db.sqlite")
    holder = SnapshotHolder(db, check_seconds=0)
    version = holder.current().content_version
    broken = tmp_path / "broken"
    broken.write_bytes(b"not a database")
    os.replace(broken, db)
    assert holder.current().content_version == version
    assert holder.current().conn.execute("SELECT count(*) FROM trends").fetchone()[0] == 3


def test_response_cache_is_invalidated_by_a_swap(tmp_path, seed_db):
    db = copy_db(seed_db, tmp_path / "db.sqlite")
    with make_client(db, reload_check_seconds=0) as client:
        query = {"query": "{ articles { totalCount } }"}
        assert client.post("/graphql", json=query).json()["data"]["articles"]["totalCount"] == 1
        assert len(client.app.state.endpoint.responses) == 1
        two = build_db(tmp_path / "two", {"a.md": SEED.read_text("utf-8"),
                                          "b.md": SEED.read_text("utf-8")})
        os.replace(two, db)
        assert client.post("/graphql", json=query).json()["data"]["articles"]["totalCount"] == 2


def test_slow_statements_are_interrupted_after_the_deadline(seed_db):
    snap = Snapshot.open(seed_db)
    token = store.deadline.set(time.monotonic() - 1)
    try:
        with pytest.raises(sqlite3.OperationalError) as info:
            snap.conn.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                              "WHERE i < 10000000) SELECT count(*) FROM n").fetchone()
    finally:
        store.deadline.reset(token)
    error = GraphQLError("x", original_error=info.value)
    assert classify(error) == ("TIMEOUT", False)
    # Without a deadline the same connection works.
    assert snap.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 1


def test_replaced_snapshots_close_when_their_last_request_is_done(tmp_path, seed_db):
    db = copy_db(seed_db, tmp_path / "db.sqlite")
    holder = SnapshotHolder(db, check_seconds=3600, grace_seconds=60)
    opened = []
    for i in range(5):  # five reloads, a request running on each old version
        context = holder.use()
        opened.append((context, context.__enter__()))
        two = build_db(tmp_path / f"v{i}", seed_copies(i + 2))
        os.replace(two, db)
        assert holder.reload()
    assert holder.retired == 5
    # A request that began on an old snapshot still reads it.
    context, snap = opened[-1]
    assert snap.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
    context.__exit__(None, None, None)
    assert snap.closed and holder.retired == 4
    # A request stuck past the grace period cannot keep its snapshot open.
    assert holder.close_retired(now=time.monotonic() + 61) == 4
    for _, snap in opened:
        with pytest.raises(sqlite3.ProgrammingError):
            snap.conn.execute("SELECT 1")
    assert holder.current().conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 6
