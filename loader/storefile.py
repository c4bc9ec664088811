"""The store on disk: one SQLite file in WAL mode, changed only by commits in place.

Why this shape (measured and argued in the README's "Reliability"):

* **WAL, in place.** Every load is one write transaction into the served
  file. Readers (the API) pin a version with an open read transaction, so a
  commit never changes what a running request reads, and a loader killed at
  any instant leaves only WAL frames without a commit, which every reader
  ignores: no hot journal, nothing to roll back, nothing that can fail a
  reader. (With a rollback journal, a kill mid-commit left a hot journal
  that read-only readers could not roll back: every request failed.)
* **Never renamed over while served.** A WAL file's ``-wal`` and ``-shm`` are
  named after its path; a new file renamed over a served one would inherit
  the old one's WAL. So a store is only ever created by rename where no file
  is (the first load), and a store of another schema version is rebuilt in
  place, in one transaction.
* **One load at a time.** A lock file beside the store serialises loads
  (also two first loads into the same new path); it records the running
  load, so a reader can tell that one was interrupted.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from . import schema
from .diagnostics import Diagnostic, LoadError, StoreError
from .search_bigrams import drop_gone, write_from_index
from .store import SourceRecord, delete_articles, insert_articles, write_meta

# How long a load waits for readers' locks (the API never takes one that
# blocks a WAL writer; this covers a store still in rollback-journal mode).
BUSY_TIMEOUT_S = 10.0
# How long a load waits for another load of the same store to finish.
LOCK_TIMEOUT_S = 600.0
# Test-only (the chaos suite): after writing, before COMMIT, create this file
# and sleep, so that a test can kill the loader with its WAL frames written.
PAUSE_BEFORE_COMMIT = "CONTENT_API_TEST_PAUSE_BEFORE_COMMIT"


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def _temp_prefix(db_path: Path) -> str:
    return f".{db_path.name}."


class StoreLock:
    """An exclusive flock on ``<db>.lock`` for the duration of one load.

    While held, the file records the load (pid, start): a load killed before
    it released the lock leaves that record with no lock held, which
    ``load_status`` reports as interrupted. The kernel releases the flock of
    a killed process, so a crash never blocks the next load.
    """

    def __init__(self, db_path: Path, timeout: float | None = None) -> None:
        self.path = lock_path(db_path)
        self.db_path = db_path
        self.timeout = LOCK_TIMEOUT_S if timeout is None else timeout
        self._handle = None

    def __enter__(self) -> "StoreLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _read_record(self.path).get("pid", "?")
                    handle.close()
                    raise StoreError([Diagnostic(str(self.db_path), 0, "another load of this "
                                                f"store is running (pid {holder}); waited "
                                                f"{self.timeout:.0f} s")]) from None
                time.sleep(0.05)
        previous = _read_record(self.path)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "started_at": _now(),
                                 "previous": previous or None}))
        handle.flush()
        self._handle = handle
        return self

    def __exit__(self, *exc) -> None:
        handle, self._handle = self._handle, None
        handle.seek(0)
        handle.truncate()
        handle.close()  # releases the flock


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _read_record(path: Path) -> dict:
    try:
        return json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return {}


def load_status(db_path: Path) -> dict:
    """What the lock file says: {"state": "idle" | "running" | "interrupted", ...}.
    "interrupted": a load started (pid, started_at) and died without finishing."""
    path = lock_path(Path(db_path))
    record = _read_record(path)
    if not record:
        return {"state": "idle"}
    try:
        with open(path) as handle:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return {"state": "running", "pid": record.get("pid"), "startedAt": record.get("started_at")}
    except OSError:
        return {"state": "idle"}
    return {"state": "interrupted", "pid": record.get("pid"),
            "startedAt": record.get("started_at")}


def remove_stale_temp_files(db_path: Path) -> list[Path]:
    """Temporary stores left by loads that died before renaming them into place
    (only called under the StoreLock: no running load owns one)."""
    removed = []
    for leftover in db_path.parent.glob(_temp_prefix(db_path) + "*.tmp*"):
        try:
            leftover.unlink()
            removed.append(leftover)
        except FileNotFoundError:
            pass
    return removed


def check_writable(db_path: Path) -> None:
    """Say plainly what cannot be written, before any work is done."""
    folder = db_path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the load creates the missing folders under this one
    if not folder.is_dir():
        raise StoreError([Diagnostic(str(db_path), 0, f"{folder} is not a folder")])
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError([Diagnostic(str(db_path), 0, f"cannot write in the folder {folder}: "
                                     "the store needs to create its WAL, lock and temporary "
                                     "files there")])
    if db_path.exists() and not os.access(db_path, os.W_OK):
        raise StoreError([Diagnostic(str(db_path), 0, "the store file is not writable")])


def _connect(db_path: Path, durable: bool) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{db_path}?mode=rw", uri=True, isolation_level=None,
                           timeout=BUSY_TIMEOUT_S)
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        # A store written by an earlier version (rollback journal): WAL from now on.
        conn.execute("PRAGMA journal_mode=WAL")
    # FULL: the WAL is synced at every commit; NORMAL: at checkpoints only (a
    # crash of the machine may lose the last load, never corrupt the store).
    conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA cache_size=-64000")  # keep the change in memory until COMMIT
    conn.execute("PRAGMA journal_size_limit=67108864")  # truncate a large WAL once reset
    if os.environ.get(PAUSE_BEFORE_COMMIT):  # test-only: spill the change into the WAL early
        conn.execute("PRAGMA cache_size=16")
    return conn


@dataclass
class StoredSource:
    """What the store recorded about a file at the last load."""

    sha256: str
    article_id: int
    slug: str
    size: int
    mtime_ns: int
    ctime_ns: int = -1
    inode: int = -1
    read_ns: int = 0
    racy_window_ns: int = 2_000_000_000

    @property
    def trusted(self) -> bool:
        """Whether an unchanged stat means unchanged content: not when the file was
        modified so shortly before it was read that a later edit in the same
        timestamp could keep its mtime ("racily clean")."""
        return bool(self.sha256) and self.mtime_ns < self.read_ns - self.racy_window_ns


@dataclass
class StoredState:
    """What an existing, usable store holds: its sources, content version and counts."""

    sources: dict[str, StoredSource]
    content_version: str
    counts: dict[str, int]
    config: str  # the fingerprint of the settings the store was read with


class NotAStore(Exception):
    """The file exists but is not a usable store (``valid_sqlite`` says whether
    it can be rebuilt in place)."""

    def __init__(self, valid_sqlite: bool) -> None:
        super().__init__("not a store")
        self.valid_sqlite = valid_sqlite


def stored_state(db_path: Path) -> StoredState | None:
    """The sources of the store at ``db_path``; None when there is no file.
    Raises NotAStore for a file of another schema version or not SQLite."""
    if not db_path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.DatabaseError:
        raise NotAStore(valid_sqlite=False) from None
    try:
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError:
            raise NotAStore(valid_sqlite=False) from None
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN "
                                     "('schema_version', 'content_version', 'counts', 'config')"
                                     ).fetchall())
            if int(meta.get("schema_version") or -1) != schema.SCHEMA_VERSION:
                raise NotAStore(valid_sqlite=True)
            # Two scans, joined here: the slugs come from the slug index alone
            # (a covering index), where a JOIN read a page of each large row.
            slugs = dict(conn.execute("SELECT id, slug FROM articles").fetchall())
            rows = conn.execute("SELECT path, sha256, article_id, size, mtime_ns, ctime_ns, "
                                "inode, read_ns FROM sources").fetchall()
            counts = json.loads(meta.get("counts") or "{}")
        except (sqlite3.DatabaseError, ValueError):
            raise NotAStore(valid_sqlite=True) from None
    finally:
        conn.close()
    return StoredState({path: StoredSource(sha, article_id, slugs[article_id], size, mtime,
                                           ctime, inode, read_ns)
                        for path, sha, article_id, size, mtime, ctime, inode, read_ns in rows},
                       meta.get("content_version", ""), counts, meta.get("config", ""))


COUNTED = ("articles", "trends", "key_points", "routes", "route_points", "advice", "sections",
           "search_docs")


@dataclass
class Change:
    """What one load writes: new articles, articles to delete, and the new meta.

    ``records`` may be a generator that fills in ``warnings`` and ``version``
    when it is exhausted: a load into a new store writes each article as soon
    as it is parsed (loader.load), and ``_apply`` reads those two fields only
    after it has inserted every record."""

    records: Iterable[SourceRecord]
    deleted_ids: list[int]
    warnings: list[Diagnostic]
    touched_paths: set[str]  # files whose diagnostics are replaced
    version: str
    config: str = ""  # the settings' fingerprint
    restat: list[tuple[str, tuple]] = field(default_factory=list)  # (path, stat) read again

    @property
    def only_restat(self) -> bool:
        return not (self.records or self.deleted_ids or self.warnings or self.touched_paths)


def _stored_counts(conn: sqlite3.Connection) -> dict[str, int]:
    row = conn.execute("SELECT value FROM meta WHERE key='counts'").fetchone()
    return dict(json.loads(row[0])) if row else {}


def _apply(conn: sqlite3.Connection, change: Change, fresh: bool) -> dict[str, int]:
    """Write ``change`` through ``conn``, inside the caller's transaction; returns the counts."""
    if change.restat:
        conn.executemany("UPDATE sources SET size = ?, mtime_ns = ?, ctime_ns = ?, inode = ?, "
                         "read_ns = ? WHERE path = ?",
                         [(*stat, path) for path, stat in change.restat])
    if change.only_restat:
        return _stored_counts(conn)
    db = sqlite_utils.Database(conn)
    if fresh:
        schema.create(db, indexes=False)
    # Counts follow from the rows deleted and inserted: counting the
    # tables of a 10,000-article store took a second of a 1-file reload.
    counts = {} if fresh else _stored_counts(conn)
    # The CJK bigrams of the search entries deleted and added (loader.search_bigrams).
    gone: set[str] | None = None if fresh else set()
    added: set[str] | None = None if fresh else set()
    for table, n in delete_articles(db, change.deleted_ids, gone).items():
        counts[table] = counts.get(table, 0) - n
    if change.touched_paths:
        marks = ",".join("?" * len(change.touched_paths))
        conn.execute(f"DELETE FROM diagnostics WHERE path IN ({marks})",
                     sorted(change.touched_paths))
    for table, n in insert_articles(db, change.records, added).items():
        counts[table] = counts.get(table, 0) + n
    if fresh:
        schema.create_indexes(db)
        write_from_index(conn)
    else:
        drop_gone(conn, gone - added)
    if change.warnings:
        db["diagnostics"].insert_all(
            [{"path": d.path, "line": d.line, "severity": d.severity, "message": d.message}
             for d in change.warnings])
    counts = {t: counts.get(t, 0) for t in COUNTED}
    write_meta(db, {
        "schema_version": str(schema.SCHEMA_VERSION),
        "content_version": change.version,
        "config": change.config,
        "loaded_at": _now(),
        "article_count": str(counts["articles"]),
        "counts": json.dumps(counts),
    })
    return counts


def _pause_before_commit(conn: sqlite3.Connection) -> None:
    marker = os.environ.get(PAUSE_BEFORE_COMMIT)
    if marker:
        Path(marker).write_text(str(os.getpid()))
        time.sleep(30)


def _commit(conn: sqlite3.Connection, work) -> dict[str, int]:
    """Run ``work(conn)`` in one write transaction; roll back on any failure."""
    conn.execute("BEGIN IMMEDIATE")  # one writer at a time; readers go on
    try:
        counts = work(conn)
        _pause_before_commit(conn)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back already (e.g. disk full)
            conn.execute("ROLLBACK")
        raise
    # Copy what no reader still needs into the file; never waits for readers.
    try:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except sqlite3.Error:
        pass  # a later load checkpoints again
    return counts


def update_in_place(db_path: Path, expected_version: str, change: Change,
                    durable: bool) -> dict[str, int]:
    """Apply ``change`` to the existing store in one transaction."""
    conn = _connect(db_path, durable)

    def work(conn: sqlite3.Connection) -> dict[str, int]:
        found = conn.execute("SELECT value FROM meta WHERE key='content_version'").fetchone()
        if (found[0] if found else "") != expected_version:
            raise LoadError([Diagnostic(str(db_path), 0, "the store was changed by another "
                                        "load while this one ran; run the load again")])
        return _apply(conn, change, fresh=False)

    try:
        return _commit(conn, work)
    finally:
        conn.close()


def rebuild_in_place(db_path: Path, change: Change, durable: bool) -> dict[str, int]:
    """Replace everything in an existing SQLite file (another schema version) in
    one transaction: readers keep their version until it commits."""
    conn = _connect(db_path, durable)

    def work(conn: sqlite3.Connection) -> dict[str, int]:
        objects = conn.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE "
                               "'sqlite_%' AND type IN ('table', 'view', 'trigger')").fetchall()
        conn.execute("PRAGMA foreign_keys=OFF")  # no effect inside a transaction: drop order
        for kind, name in objects:  # virtual tables drop their own shadow tables
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone():
                conn.execute(f"DROP {kind.upper()} IF EXISTS [{name}]")
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
            conn.execute("DELETE FROM sqlite_stat1")  # the old schema's statistics
        return _apply(conn, change, fresh=True)

    try:
        conn.execute("PRAGMA foreign_keys=OFF")  # dropping parents before children
        counts = _commit(conn, work)
        # The query planner's statistics, as a new store gets them (best effort:
        # the load has committed). Its auto_vacuum mode stays the old file's:
        # changing that takes a VACUUM.
        try:
            conn.execute("ANALYZE")
        except sqlite3.Error:
            pass
        return counts
    finally:
        conn.close()


def build_new_store(db_path: Path, change: Change, durable: bool) -> dict[str, int]:
    """Build the whole store in a temporary file, then rename it to ``db_path``.

    Only where no store is (or where the file is not SQLite at all): a new
    file renamed over a served WAL store would inherit its WAL. The benchmark
    calls it alone to time the writing of already parsed articles."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=_temp_prefix(db_path), suffix=".tmp",
                                    dir=db_path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        # The temporary file is thrown away on any failure, so durability
        # only matters once, at the fsync before the rename.
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA auto_vacuum=FULL")
        conn.execute("BEGIN")
        counts = _apply(conn, change, fresh=True)
        _pause_before_commit(conn)
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode=WAL")  # recorded in the header: WAL from the start
        conn.close()
        if durable:
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        # WAL, shared-memory and journal files left at the path belong to a
        # store that was there before; SQLite would apply them to this one.
        for suffix in ("-wal", "-shm", "-journal"):
            db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
        os.replace(tmp, db_path)
        if durable:
            _fsync_dir(db_path.parent)
    except BaseException:
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            leftover.unlink(missing_ok=True)
        raise
    return counts


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.EBADF):
            raise
    finally:
        os.close(fd)
