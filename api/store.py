"""Read-only views of the content database, swapped when a new load lands.

A load lands in one of two ways (loader/load.py): a first build renames a
new file onto the path, and every later load commits one transaction into
the file in place. So the API opens the file read-only but not immutable,
and SQLite's rollback-journal locking lets each statement see one committed
version. A ``Snapshot`` is a connection plus the content version it was
opened at; the file header's change counter, which SQLite bumps on every
commit, says when a snapshot is out of date (one 4-byte read), and a stat of
the path at most every ``check_seconds`` says when the file was replaced.

A request takes one snapshot at its start. If the counter moved while the
request ran, its statements may have read two versions, so the endpoint
runs it again on the new snapshot: a response never mixes two versions.
"""

from __future__ import annotations

import contextvars
import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import quote

from api import drafts as draft_rules
from loader.fold import fold

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


# Offset and size of the file change counter in a SQLite database header.
_COUNTER_AT, _COUNTER_SIZE = 24, 4

# A reader waits this long for a load's commit (milliseconds) to finish.
_BUSY_TIMEOUT_S = 5.0


class ReadOnlyConnection(sqlite3.Connection):
    """A connection of the API: read-only, and knowing whether it hides drafts."""

    drafts_hidden = False


def connect_read_only(path: Path, drafts: bool = False) -> ReadOnlyConnection:
    """Open ``path`` read-only: no writes possible, shared locks per statement.
    Draft articles are hidden unless ``drafts`` (a preview server)."""
    uri = "file:" + quote(str(Path(path).resolve())) + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False, cached_statements=256,
                           timeout=_BUSY_TIMEOUT_S, factory=ReadOnlyConnection)
    conn.row_factory = sqlite3.Row
    # Search folds text as the index does (loader/fold.py), for the literal scan.
    conn.create_function("fold", 1, fold, deterministic=True)
    if not drafts:
        try:
            conn.drafts_hidden = draft_rules.hide_drafts(conn)
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


class FileHeader:
    """A read-only descriptor on one database file (inode), for its change counter.

    Snapshots of the same file share one: in-place loads open a new
    connection each, not a new descriptor for the counter.
    """

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_RDONLY)
        self.inode = os.fstat(self.fd).st_ino
        self.users = 0  # snapshots not yet closed

    def counter(self) -> bytes:
        return os.pread(self.fd, _COUNTER_SIZE, _COUNTER_AT)

    def release(self) -> None:
        self.users -= 1
        if self.users == 0:
            os.close(self.fd)


@dataclass
class Snapshot:
    """One version of the content: a connection, its meta rows, and the commit it saw."""

    conn: sqlite3.Connection
    path: Path
    identity: tuple[int, int, int]
    content_version: str
    loaded_at: str
    article_count: int
    counts: dict = field(default_factory=dict)
    header: FileHeader | None = None
    change_counter: bytes = b""
    drafts_hidden: bool = False  # drafts exist and this snapshot's queries leave them out

    def counter_on_disk(self) -> bytes:
        """The file's change counter now (the snapshot's own if it cannot be read)."""
        try:
            return self.header.counter()
        except (OSError, AttributeError):
            return self.change_counter  # closed: nothing newer can be read through it either

    def is_stale(self) -> bool:
        """True once a load has committed to this file since the snapshot was opened."""
        return self.counter_on_disk() != self.change_counter

    def close(self) -> None:
        self.conn.close()
        if self.header is not None:
            self.header.release()
            self.header = None

    @classmethod
    def open(cls, path: Path, header: FileHeader | None = None,
             drafts: bool = False) -> "Snapshot":
        """Open the file at ``path``; ``header`` is reused if it is on the same file.
        ``drafts``: serve draft articles too (preview)."""
        path = Path(path)
        fresh_header = conn = None
        try:
            identity = _file_identity(path)
            if header is None or header.inode != identity[0]:
                header = fresh_header = FileHeader(path)
                if header.inode != identity[0]:
                    raise OSError("the file was replaced while it was being opened")
            # The counter first: a commit after this read makes the snapshot
            # stale at once, never a stale snapshot look current.
            counter = header.counter()
            conn = connect_read_only(path, drafts)
            meta = {row["key"]: row["value"] for row in conn.execute("SELECT key, value FROM meta")}
            if _file_identity(path)[0] != header.inode:
                raise OSError("the file was replaced while it was being opened")
        except (OSError, sqlite3.Error) as exc:
            if conn is not None:
                conn.close()
            if fresh_header is not None:
                os.close(fresh_header.fd)
            raise StoreUnavailable(f"cannot open content database {path}: {exc}") from exc
        header.users += 1
        try:
            counts = json.loads(meta.get("counts") or "{}")
        except ValueError:
            counts = {}
        article_count = meta.get("article_count")
        if article_count is None or conn.drafts_hidden:
            article_count = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        return cls(
            conn=conn,
            path=path,
            identity=identity,
            content_version=meta.get("content_version", ""),
            loaded_at=meta.get("loaded_at", ""),
            article_count=int(article_count),
            counts=counts,
            header=header,
            change_counter=counter,
            drafts_hidden=conn.drafts_hidden,
        )


class SnapshotHolder:
    """Holds the current snapshot and swaps in a new one when a load lands.

    ``current()`` is what a request calls: it returns the snapshot to use for
    the whole request. It reads the change counter every time (a 4-byte
    pread: in-place loads) and checks the file's identity at most every
    ``check_seconds`` (a stat call, 0 means every request: a replaced file). ``reload()`` is for
    live reload: it opens the file now and swaps if it changed. A replaced
    snapshot is closed ``grace_seconds`` after the swap (longer than any request
    may run), so its file descriptor and memory do not pile up across reloads
    while requests that started before the swap finish on it.
    """

    def __init__(self, path: Path, check_seconds: float = 1.0, grace_seconds: float = 30.0,
                 drafts: bool = False) -> None:
        self.path = Path(path)
        self.drafts = drafts
        self.check_seconds = check_seconds
        self.grace_seconds = grace_seconds
        self._lock = threading.Lock()
        self._snapshot = Snapshot.open(self.path, drafts=drafts)
        self._next_check = time.monotonic() + check_seconds
        self._listeners: list[Callable[[Snapshot], None]] = []
        self._retired: list[tuple[float, Snapshot]] = []
        # Errors of the last failed live reload (api.watch): the content still
        # served is the last good one. ``state`` changes whenever they do, so
        # that caches and ETags keyed by it never serve stale diagnostics.
        self.problems: tuple = ()
        self._problems_generation = 0
        self._failed_counter = b""  # counter of a committed file that failed to open

    @property
    def state(self) -> str:
        """The content version, plus a counter of diagnostics changes when there were any."""
        version = self._snapshot.content_version
        return f"{version}+{self._problems_generation}" if self._problems_generation else version

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
        on_disk = self._snapshot.counter_on_disk()
        if on_disk != self._snapshot.change_counter and on_disk != self._failed_counter:
            if self._swap() is None:
                # The file cannot be opened as it is now: not again on every request.
                self._failed_counter = on_disk
        if self.check_seconds >= 0 and time.monotonic() >= self._next_check:
            self._next_check = time.monotonic() + self.check_seconds
            self.reload_if_changed()
            self.close_retired()
        return self._snapshot

    def close_retired(self, now: float | None = None) -> int:
        """Close replaced snapshots whose grace period is over; returns how many."""
        now = time.monotonic() if now is None else now
        with self._lock:
            due = [snap for when, snap in self._retired if when <= now]
            self._retired = [(when, snap) for when, snap in self._retired if when > now]
        for snap in due:
            snap.close()
        return len(due)

    def changed(self) -> bool:
        """The cheap check: has a different file been put at the path?"""
        try:
            return _file_identity(self.path) != self._snapshot.identity
        except OSError:
            return False  # mid-replace or removed: keep serving what we have

    def reload_if_changed(self) -> bool:
        if not self.changed():
            return False
        return self.reload()

    def reload(self) -> bool:
        """Open the file at the path and make it current. True if the version changed.

        A file that cannot be opened leaves the current snapshot in place.
        """
        old = self._snapshot
        fresh = self._swap()
        return fresh is not None and fresh.content_version != old.content_version

    def _swap(self) -> Snapshot | None:
        """Open the file at the path and make it current; None if it cannot be opened."""
        with self._lock:
            try:
                fresh = Snapshot.open(self.path, self._snapshot.header, self.drafts)
            except StoreUnavailable:
                return None
            old = self._snapshot
            self._snapshot = fresh
            self._retired.append((time.monotonic() + self.grace_seconds, old))
        for listener in self._listeners:
            listener(fresh)
        return fresh
