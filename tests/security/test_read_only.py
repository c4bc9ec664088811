"""The API cannot write the database, proved from inside and from outside the process.

- Inside: a connection made the way the API makes its own
  (``api.store.connect_read_only``) refuses every kind of write with a sqlite3
  error, even after turning ``query_only`` off, and the file stays byte-identical.
- Outside: the live server holds the database file only through read-only file
  descriptions (/proc/PID/fdinfo flags; the WAL and its shared-memory index are
  opened read-write by every WAL reader, for its read marks), and after every
  request this session sent it (abuse, fuzz, HTML), the file's bytes, inode and
  mtime are what the loader wrote.
- Over HTTP: the schema has no mutation type, so a write cannot even be asked for.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import httpx

import pytest

from api.store import Snapshot, connect_read_only
from loader.schema import stored
from tests.api.helpers import ACCEPT
from tests.security.abuse import error_codes

# The table that holds the articles' rows (readers see the view ``articles``,
# which cannot be written anyway).
ARTICLES = stored("articles")
WRITES = [
    "INSERT INTO meta(key, value) VALUES ('pwned', '1')",
    f"UPDATE {ARTICLES} SET title = 'pwned'",
    f"DELETE FROM {ARTICLES}",
    "CREATE TABLE pwned(x)",
    f"DROP TABLE {ARTICLES}",
    f"CREATE INDEX pwned ON {ARTICLES}(title)",
    f"ALTER TABLE {ARTICLES} ADD COLUMN pwned TEXT",
    "PRAGMA user_version = 42",
    "VACUUM",
    "REINDEX",
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("statement", WRITES)
def test_api_connection_refuses_writes(live, statement):
    before = sha256(live.db)
    conn = connect_read_only(live.db)
    try:
        with pytest.raises(sqlite3.Error) as raised:
            conn.execute(statement)
            conn.commit()
        assert "readonly" in str(raised.value) or "read-only" in str(raised.value) \
            or "query_only" in str(raised.value) or "attempt to write" in str(raised.value) \
            or "attached databases" in str(raised.value) \
            or "within a transaction" in str(raised.value), raised.value  # VACUUM: pinned
    finally:
        conn.close()
    assert sha256(live.db) == before


def test_writes_fail_even_with_query_only_off(live):
    """query_only is a second guard; the URI's mode=ro is what really forbids writing."""
    before = sha256(live.db)
    conn = connect_read_only(live.db)
    try:
        conn.execute("PRAGMA query_only = OFF")
        assert conn.execute("PRAGMA query_only").fetchone()[0] == 0
        for statement in WRITES[:4]:
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                conn.execute(statement)
                conn.commit()
    finally:
        conn.close()
    assert sha256(live.db) == before


def test_attach_cannot_write_with_query_only_on(live, tmp_path):
    """With the pragmas the API sets, an attached database cannot be written either."""
    target = tmp_path / "elsewhere.db"
    conn = connect_read_only(live.db)
    try:
        with pytest.raises(sqlite3.Error):
            conn.execute("ATTACH DATABASE ? AS other", (str(target),))
            conn.execute("CREATE TABLE other.t(x)")
    finally:
        conn.close()
    assert not target.exists() or target.stat().st_size == 0


def test_attach_cannot_write_the_served_file(live, tmp_path):
    served = tmp_path / "copy.db"  # a copy: if the bug is there, it gets written
    served.write_bytes(live.db.read_bytes())
    before = sha256(served)
    conn = connect_read_only(served)
    try:
        with pytest.raises(sqlite3.Error):
            conn.execute("PRAGMA query_only = OFF")
            conn.execute("ATTACH DATABASE ? AS w", (str(served),))
            conn.execute(f"UPDATE w.{ARTICLES} SET title = 'pwned'")
            conn.commit()
    finally:
        conn.close()
    assert sha256(served) == before


def test_attach_is_refused_and_creates_no_file(live, tmp_path):
    target = tmp_path / "created.db"
    conn = connect_read_only(live.db)
    try:
        with pytest.raises(sqlite3.Error):
            conn.execute("ATTACH DATABASE ? AS other", (str(target),))
    finally:
        conn.close()
    assert not target.exists()


def test_snapshot_connection_is_read_only(live):
    """The exact object the server uses per request."""
    snapshot = Snapshot.open(live.db)
    try:
        with pytest.raises(sqlite3.OperationalError):
            snapshot.conn.execute(f"UPDATE {ARTICLES} SET title = 'pwned'")
        assert snapshot.content_version == live.health()["contentVersion"]
    finally:
        snapshot.conn.close()


def test_schema_offers_no_mutation(live):
    response = httpx.post(live.graphql_url, timeout=10, json={
        "query": "{ __schema { mutationType { name } subscriptionType { name } } }"})
    assert response.json()["data"]["__schema"] == {"mutationType": None, "subscriptionType": None}
    response = httpx.post(live.graphql_url, json={"query": "mutation { deleteArticle }"}, timeout=10,
                          headers={"Accept": ACCEPT})
    assert response.status_code == 400
    assert error_codes(response) == ["GRAPHQL_VALIDATION_FAILED"]


def test_server_holds_the_database_read_only(live):
    """From outside: every descriptor the server has on the DB file was opened O_RDONLY."""
    httpx.post(live.graphql_url, json={"query": "{ articles { totalCount } }"}, timeout=10)
    db = str(live.db.resolve())
    on_db = [(target, flags) for target, flags in live.open_files() if target == db]
    assert on_db, f"the server holds no descriptor on {db}: {live.open_files()}"
    for target, flags in on_db:
        assert flags & os.O_ACCMODE == os.O_RDONLY, (target, oct(flags))
    # No rollback journal: the store is in WAL mode, whose readers never write the file.
    siblings = sorted(p.name for p in live.db.parent.iterdir() if p.name.startswith(live.db.name))
    assert live.db.name + "-journal" not in siblings, siblings


def test_database_unchanged_after_the_whole_session(live):
    """Runs after the abuse, fuzz and HTML suites (file order) and re-checks after a burst."""
    queries = ["{ articles(first: 100) { nodes { title trends { routes { pros cons } } } } }",
               '{ search(query: "芯片 AND \\" NEAR( * ^ -") { totalCount } }',
               "{ tags { name count } years { year count } }"]
    with httpx.Client(timeout=10, headers={"Accept": ACCEPT}) as client:
        for _ in range(20):
            for query in queries:
                client.post(live.graphql_url, json={"query": query})
                client.get(live.graphql_url, params={"query": query})
    stat = live.db.stat()
    assert sha256(live.db) == live.initial_sha256
    assert (stat.st_ino, stat.st_mtime_ns, stat.st_size) == (
        live.initial_stat.st_ino, live.initial_stat.st_mtime_ns, live.initial_stat.st_size)
