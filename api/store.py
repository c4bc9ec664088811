"""Read-only views of the content database: one pinned version per request.

The loader commits every change into the database file in place, in WAL mode
(loader/load.py). So a reader can *pin* a version: a connection inside an
open read transaction keeps seeing the version it started on, however many
commits land after it, and a writer never waits for readers, nor a reader
for a writer. A ``Snapshot`` is such a pinned connection. Each request takes
the current snapshot and holds it until it ends, so a response never mixes
two versions and is never re-run or refused because content changed.

A loader killed at any instant cannot hurt readers: WAL frames without a
commit are ignored, and pinned snapshots do not even look at them. The
``SnapshotHolder`` notices a commit from ``PRAGMA data_version`` on a probe
connection (asked at most once every ``VERSION_CHECK_SECONDS``), opens a new
snapshot for new requests, and closes the old one when its last request is
done (or after ``grace_seconds``), so retired versions do not hold memory or
WAL frames.
A file replaced at the path (a replica's publish) is noticed by a stat at
most every ``check_seconds``.
"""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import ctypes.util
import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import quote

from api import drafts as draft_rules
from loader.fold import fold
from loader.schema import BIGRAM_TABLE, FTS_TABLE

# The monotonic deadline of the request running in this context (None: no limit).
# SQLite's progress handler reads it so that a slow statement is interrupted.
deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)


class StoreUnavailable(RuntimeError):
    """The database file is missing or is not a content database."""


def _file_identity(path: Path) -> tuple[int, int, int]:
    st = os.stat(path)
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _interrupt_after_deadline() -> int:
    limit = deadline.get()
    return 1 if limit is not None and time.monotonic() > limit else 0


# A reader waits this long for a load's commit (milliseconds) to finish.
_BUSY_TIMEOUT_S = 5.0

# How long a ``PRAGMA data_version`` answer stands. The pragma is three system
# calls (two locks and a stat): about 7 µs of a repeated answer's 130 under
# wrk, so once for every request it was 5 % of the server's time. Requests
# within this of the last check take the snapshot it found, as if they had
# arrived that much earlier: a request may miss a commit made in the last
# millisecond.
VERSION_CHECK_SECONDS = 0.001

# The holder's clock (a test sets its own, and nothing else's).
_clock = time.monotonic


class ReadOnlyConnection(sqlite3.Connection):
    """A connection of the API: read-only, pinned to one version (in WAL mode),
    and knowing whether it hides drafts."""

    drafts_hidden = False
    pinned = False
    search_vocabulary = False  # the index's bigrams can be looked up (api.index_vocabulary)
    bigram_table = False  # in the store's own table; else in temp.search_vocabulary
    index_vocabulary = None  # made when first needed (api.index_vocabulary)
    shared_tags = None  # the articles' tags, read when first needed (api.shared_tags)
    held_pieces = None  # a query's literal pieces that its texts hold (api.search), by query
    kept_rows = None  # the docs of the last few queries that fold texts (api.search)


def connect_read_only(path: Path, drafts: bool = False) -> ReadOnlyConnection:
    """Open ``path`` read-only and pin its current version (see Snapshot).
    Draft articles are hidden unless ``drafts`` (a preview server)."""
    uri = "file:" + quote(str(Path(path).resolve())) + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False, cached_statements=256,
                           timeout=_BUSY_TIMEOUT_S, factory=ReadOnlyConnection,
                           isolation_level=None)
    conn.row_factory = sqlite3.Row
    # Search folds text as the index does (loader/fold.py), for the literal scan.
    conn.create_function("fold", 1, fold, deterministic=True)
    try:
        # Pin first, so that everything below reads the version pinned: in WAL
        # mode an open read transaction keeps it. (A file in rollback-journal
        # mode, e.g. a copied replica, is read as it is: pinning it would block
        # the loader, which turns it into WAL.)
        if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            conn.execute("BEGIN")
            conn.execute("SELECT 1 FROM meta LIMIT 1").fetchall()
            conn.pinned = True
        if not drafts:  # TEMP views of the pinned version (the temp schema is private)
            conn.drafts_hidden = draft_rules.hide_drafts(conn)
        conn.bigram_table = _has_table(conn, BIGRAM_TABLE)
        conn.search_vocabulary = conn.bigram_table or _search_vocabulary(conn)
    except sqlite3.Error:
        conn.close()
        raise
    conn.execute("PRAGMA query_only = ON")
    # No ATTACH: query_only is only a pragma, and an attached database would
    # be a second, writable file (or a new one created on disk).
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.execute("PRAGMA cache_size = -16000")  # 16 MB page cache per snapshot
    # No mmap: mapped pages count in the worker's RSS (26 MB at 10,000 articles,
    # bench/) and the page cache above already holds the hot pages.
    conn.execute("PRAGMA mmap_size = 0")
    conn.set_progress_handler(_interrupt_after_deadline, 20_000)
    return conn


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() \
        is not None


def _search_vocabulary(conn: sqlite3.Connection) -> bool:
    """Make temp.search_vocabulary, the terms of the full-text index, for a store
    that does not keep its bigrams (reading it reads the whole index: api.search
    does, once, when a search needs it)."""
    if not _has_table(conn, FTS_TABLE):
        return False
    conn.execute("CREATE VIRTUAL TABLE temp.search_vocabulary "
                 "USING fts5vocab(main, search_fts, row)")
    return True


def _release_memory() -> None:
    """Give freed heap back to the system (glibc keeps it otherwise): a retired
    snapshot's page cache is 16 MB, and frequent reloads left RSS at 200 MB."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


try:
    _LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    _LIBC.malloc_trim.argtypes = [ctypes.c_size_t]
except (OSError, AttributeError):  # not glibc: nothing to trim
    _LIBC = None


@dataclass
class Snapshot:
    """One version of the content: a connection pinned to it, its meta rows,
    and the requests using it."""

    conn: sqlite3.Connection
    path: Path
    identity: tuple[int, int, int]
    content_version: str
    loaded_at: str
    article_count: int
    counts: dict = field(default_factory=dict)
    data_version: int = 0  # the probe's PRAGMA data_version when this was opened
    drafts_hidden: bool = False  # drafts exist and this snapshot's queries leave them out
    pinned: bool = False  # in a read transaction (WAL): later commits are invisible to it
    users: int = 0  # requests running on it
    retired_at: float | None = None  # when a newer snapshot replaced it
    closed: bool = False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.conn.close()

    @classmethod
    def open(cls, path: Path, drafts: bool = False, data_version: int = 0) -> "Snapshot":
        """Open the file at ``path`` and pin its current version.
        ``drafts``: serve draft articles too (preview)."""
        path = Path(path)
        conn = None
        try:
            identity = _file_identity(path)
            conn = connect_read_only(path, drafts)
            meta = {row["key"]: row["value"] for row in conn.execute("SELECT key, value FROM meta")}
            if _file_identity(path)[0] != identity[0]:
                raise OSError("the file was replaced while it was being opened")
        except (OSError, sqlite3.Error) as exc:
            if conn is not None:
                conn.close()
            raise StoreUnavailable(f"cannot open content database {path}: {exc}") from exc
        try:
            counts = json.loads(meta.get("counts") or "{}")
        except ValueError:
            counts = {}
        article_count = meta.get("article_count")
        if article_count is None or conn.drafts_hidden:
            article_count = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        return cls(conn=conn, path=path, identity=identity,
                   content_version=meta.get("content_version", ""),
                   loaded_at=meta.get("loaded_at", ""), article_count=int(article_count),
                   counts=counts, data_version=data_version, drafts_hidden=conn.drafts_hidden,
                   pinned=conn.pinned)


class SnapshotHolder:
    """Holds the current snapshot, swaps in a new one when a load commits, and
    closes retired ones when their requests are done.

    ``use()`` is what a request calls: the snapshot it yields stays open and
    pinned until the request ends. ``current()`` is the same without holding
    it (for a quick look, e.g. /healthz). ``reload()`` is for live reload: it
    swaps now if the content changed.
    """

    def __init__(self, path: Path, check_seconds: float = 1.0, grace_seconds: float = 30.0,
                 drafts: bool = False) -> None:
        self.path = Path(path)
        self.drafts = drafts
        self.check_seconds = check_seconds
        self.grace_seconds = grace_seconds
        self._lock = threading.Lock()
        self._probe = self._open_probe()
        self._snapshot = Snapshot.open(self.path, drafts, self._data_version())
        self._next_check = _clock() + check_seconds
        self._version_checked_until = 0.0  # monotonic time the last data_version stands until
        self._listeners: list[Callable[[Snapshot], None]] = []
        self._retired: list[Snapshot] = []
        self.swaps = 0  # versions served after the first (for /healthz and tests)
        # Errors of the last failed live reload (api.watch): the content still
        # served is the last good one. ``state`` changes whenever they do, so
        # that caches and ETags keyed by it never serve stale diagnostics.
        self.problems: tuple = ()
        self._problems_generation = 0

    def _open_probe(self) -> sqlite3.Connection:
        """A connection that is never inside a transaction: its ``data_version``
        changes whenever another connection commits to the file."""
        uri = "file:" + quote(str(self.path.resolve())) + "?mode=ro"
        try:
            return sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None,
                                   timeout=_BUSY_TIMEOUT_S)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open content database {self.path}: {exc}") from exc

    def _data_version(self) -> int:
        try:
            return self._probe.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            return -1  # unreadable now (being replaced): compare as changed, retry later

    def state_of(self, snapshot: Snapshot) -> str:
        """A snapshot's content version, plus a counter of diagnostics changes when
        there were any: what ETags and cached responses are keyed by."""
        version = snapshot.content_version
        return f"{version}+{self._problems_generation}" if self._problems_generation else version

    @property
    def state(self) -> str:
        return self.state_of(self._snapshot)

    def set_problems(self, problems) -> None:
        """Record the errors of a failed reload ([] once a reload works again)."""
        problems = tuple(problems)
        if problems == self.problems:
            return
        with self._lock:
            self.problems = problems
            self._problems_generation += 1
        for listener in self._listeners:
            listener(self._snapshot)

    def on_swap(self, listener: Callable[[Snapshot], None]) -> None:
        """Call ``listener(new_snapshot)`` after every swap (e.g. to clear caches)."""
        self._listeners.append(listener)

    def current(self) -> Snapshot:
        """The snapshot new requests should use (swapped first if a load committed)."""
        now = _clock()
        if self.check_seconds >= 0 and now >= self._next_check:
            self._next_check = now + self.check_seconds
            if self.changed():
                self._replace_probe()
            self.close_retired()
        if now >= self._version_checked_until:
            self._version_checked_until = now + VERSION_CHECK_SECONDS
            version = self._data_version()
            if version != self._snapshot.data_version and version != -1:
                self._swap(version)
        return self._snapshot

    @contextlib.contextmanager
    def use(self) -> Iterator[Snapshot]:
        """The current snapshot, held for the duration of the ``with`` block."""
        while True:  # a live reload (another thread) may retire it before it is held
            snapshot = self.current()
            with self._lock:
                if not snapshot.closed:
                    snapshot.users += 1
                    break
        try:
            yield snapshot
        finally:
            with self._lock:
                snapshot.users -= 1
                done = snapshot.retired_at is not None and snapshot.users == 0
            if done:
                self.close_retired()

    def close_retired(self, now: float | None = None) -> int:
        """Close retired snapshots that no request uses any more, or whose grace
        period is over (a request cannot run that long); returns how many."""
        now = time.monotonic() if now is None else now
        with self._lock:
            due = [s for s in self._retired
                   if s.users == 0 or now - s.retired_at >= self.grace_seconds]
            self._retired = [s for s in self._retired if s not in due]
        for snapshot in due:
            snapshot.close()
        if due:
            _release_memory()
        return len(due)

    @property
    def retired(self) -> int:
        """Snapshots replaced but still open (their requests are running)."""
        return len(self._retired)

    def changed(self) -> bool:
        """The cheap check: has a different file been put at the path?"""
        try:
            return _file_identity(self.path)[0] != self._snapshot.identity[0]
        except OSError:
            return False  # mid-replace or removed: keep serving what we have

    def _replace_probe(self) -> None:
        """A new file at the path: probe it from now on (and swap to it)."""
        try:
            probe = self._open_probe()
        except StoreUnavailable:
            return
        old, self._probe = self._probe, probe
        old.close()
        self._swap(self._data_version())

    def reload(self) -> bool:
        """Swap to what the file holds now. True if the content version changed.

        A file that cannot be opened leaves the current snapshot in place.
        """
        old = self._snapshot
        if self.changed():
            self._replace_probe()
        fresh = self._swap(self._data_version())
        return fresh is not None and fresh.content_version != old.content_version

    def _swap(self, data_version: int) -> Snapshot | None:
        """Open the file's current version and make it current; None if it cannot be opened."""
        with self._lock:
            if data_version == self._snapshot.data_version and not self.changed():
                return self._snapshot  # another request swapped already
            try:
                fresh = Snapshot.open(self.path, self.drafts, data_version)
            except StoreUnavailable:
                return None
            old = self._snapshot
            self._snapshot = fresh
            old.retired_at = time.monotonic()
            self._retired.append(old)
            self.swaps += 1
        self.close_retired()
        for listener in self._listeners:
            listener(fresh)
        return fresh
