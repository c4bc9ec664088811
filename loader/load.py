"""Loading a content folder into a SQLite file: check everything, then write it in one go.

Nothing is written until every changed file has parsed cleanly, so a load
with errors leaves the existing database byte-for-byte as it was.

* The first load (or one over a store of another schema version) builds a
  new file beside the target and renames it into place.
* Every later load edits the store in place, inside one SQLite transaction
  (rollback journal): readers see the old version or the new one, never a
  mix, and a failure rolls back. The cost is that of the changed articles,
  not of the store: copying a 680 MB store to change one file took 2 s.
  The API opens the file read-only (not immutable) for this reason, and
  notices a commit from the change counter in the file's header.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from . import schema
from .article import parse_article
from .config import DEFAULTS, ContentConfig, load_config
from .diagnostics import Diagnostic, LoadError
from .store import SourceRecord, article_rows, delete_articles, insert_articles, write_meta

SUFFIXES = (".md", ".markdown")
PARALLEL_MIN = 200  # files; fewer are parsed in this process

Progress = Callable[[int], None]  # called with the number of files just handled


@dataclass
class ContentFile:
    path: str  # relative to the content folder, forward slashes
    data: bytes  # b"" when the file was known unchanged and not read
    sha256: str
    size: int = 0
    mtime_ns: int = 0


@dataclass
class StoredSource:
    """What the store recorded about a file at the last load."""

    sha256: str
    article_id: int
    slug: str
    size: int
    mtime_ns: int


@dataclass
class LoadReport:
    changed: bool
    parsed: int  # files parsed in this load
    unchanged: int  # files skipped because their hash was already stored
    deleted: int
    counts: dict[str, int]
    content_version: str
    seconds: float
    warnings: list[Diagnostic] = field(default_factory=list)
    # With skip_invalid: the errors of the files that were not loaded, and those
    # files (an invalid file that was loaded before keeps its last good version).
    errors: list[Diagnostic] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)

    def summary(self) -> str:
        c = self.counts
        what = "loaded" if self.changed else "unchanged"
        skipped = f", {len(self.invalid)} invalid skipped" if self.invalid else ""
        return (f"{what}: {c.get('articles', 0)} articles, {c.get('trends', 0)} trends, "
                f"{c.get('routes', 0)} routes, {c.get('advice', 0)} advice "
                f"({self.parsed} parsed, {self.unchanged} unchanged, {self.deleted} deleted"
                f"{skipped}, {len(self.warnings)} warnings) in {self.seconds:.2f}s")


def _scan(content_dir: Path) -> list[tuple[str, os.stat_result]]:
    """(relative path, stat) of every content file, sorted by path. One scandir
    per folder and one stat per file: at 10,000 files, pathlib's rglob, sort
    and is_file took 0.8 s of a 1-file reload."""
    found: list[tuple[str, os.stat_result]] = []
    folders = [("", str(content_dir))]
    while folders:
        prefix, folder = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir():
                    folders.append((prefix + entry.name + "/", entry.path))
                elif entry.name.endswith(SUFFIXES) and entry.is_file():
                    found.append((prefix + entry.name, entry.stat()))
    found.sort()
    return found


def list_files(content_dir: Path) -> list[Path]:
    return [content_dir / name for name, _ in _scan(content_dir)]


def read_files(content_dir: Path, known: dict[str, "StoredSource"] | None = None
               ) -> list[ContentFile]:
    """Every content file with its hash. A file whose size and modification time
    equal what ``known`` recorded is taken as unchanged without being read (as
    git's index does): a no-op reload of 10,000 files then costs stats, not reads."""
    out = []
    for name, stat in _scan(content_dir):
        seen = (known or {}).get(name)
        if seen is not None and (seen.size, seen.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            out.append(ContentFile(name, b"", seen.sha256, stat.st_size, stat.st_mtime_ns))
            continue
        data = (content_dir / name).read_bytes()
        out.append(ContentFile(name, data, hashlib.sha256(data).hexdigest(), len(data),
                               stat.st_mtime_ns))
    return out


def content_version(files: Iterable[tuple[str, str]], config: str = "") -> str:
    """One hash over every (path, sha256) and the settings' fingerprint: changes
    when any file does, or the way files read does."""
    digest = hashlib.sha256(config.encode())
    for path, sha in sorted(files):
        digest.update(f"{path}\0{sha}\n".encode())
    return digest.hexdigest()


def _parse_one(file: ContentFile, config: ContentConfig
               ) -> tuple[SourceRecord | None, list[Diagnostic]]:
    article, problems = parse_article(file.path, file.data, config)
    if article is None:
        return None, problems
    return article_rows(file.path, file.sha256, len(file.data), file.mtime_ns, article), problems


def _parse_chunk(chunk: list[ContentFile], config: ContentConfig
                 ) -> list[tuple[SourceRecord | None, list[Diagnostic]]]:
    return [_parse_one(f, config) for f in chunk]


def _parse_all(files: list[ContentFile], jobs: int, progress: Progress | None,
               config: ContentConfig):
    """Each file's rows (or None) and diagnostics, in ``jobs`` processes when
    there are many.

    Parsing is pure and CPU-bound, so processes (not threads) are what scale;
    below PARALLEL_MIN files, starting them costs more than it saves. Workers
    send back rows and tokens rather than Article objects: pickling those
    took most of what the second process saved, and building rows is work
    that then runs in parallel too.
    """
    if jobs <= 1 or len(files) < PARALLEL_MIN:
        for file in files:
            yield _parse_one(file, config)
            if progress:
                progress(1)
        return
    size = max(16, len(files) // (jobs * 8))
    chunks = [files[i:i + size] for i in range(0, len(files), size)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for chunk, results in zip(chunks, pool.map(_parse_chunk, chunks,
                                                   [config] * len(chunks))):
            yield from results
            if progress:
                progress(len(chunk))


def parse_files(files: list[ContentFile], known_slugs: dict[str, str] | None = None,
                progress: Progress | None = None, jobs: int = 1,
                config: ContentConfig = DEFAULTS) -> tuple[list[SourceRecord], list[Diagnostic]]:
    """Parse files; check slugs are unique among them and ``known_slugs`` (slug -> path)."""
    records: list[SourceRecord] = []
    problems: list[Diagnostic] = []
    seen = dict(known_slugs or {})
    for file, (record, found) in zip(files, _parse_all(files, jobs, progress, config)):
        problems.extend(found)
        if record is None:
            continue
        if record.slug in seen:
            problems.append(Diagnostic(file.path, 1, f"duplicate slug {record.slug!r}: "
                                                     f"also used by {seen[record.slug]}"))
            continue
        seen[record.slug] = file.path
        records.append(record)
    return records, problems


@dataclass
class CheckReport:
    """What ``check`` found: diagnostics, drafts, and how much structure was read."""

    diagnostics: list[Diagnostic]
    files: int
    drafts: list[tuple[str, str]]  # (path, slug) of every draft
    coverage: dict[str, tuple[int, int]]  # path -> (units in typed slots, units under trends)


def check_content(content_dir: Path, progress: Progress | None = None,
                  jobs: int = 1) -> list[Diagnostic]:
    """Every diagnostic for a content folder; writes nothing."""
    return check_folder(content_dir, progress, jobs).diagnostics


def check_folder(content_dir: Path, progress: Progress | None = None,
                 jobs: int = 1) -> CheckReport:
    """Check a content folder without writing anything (see CheckReport)."""
    _require_dir(content_dir)
    config = load_config(content_dir)
    files = read_files(content_dir)
    records, problems = parse_files(files, progress=progress, jobs=jobs, config=config)
    drafts = [(r.path, r.slug) for r in records if r.draft]
    return CheckReport(sorted(problems), len(files), drafts,
                       {r.path: r.coverage for r in records})


def _require_dir(content_dir: Path) -> None:
    if not content_dir.is_dir():
        raise LoadError([Diagnostic(str(content_dir), 0, "content folder does not exist")])


@dataclass
class StoredState:
    """What an existing, usable store holds: its sources, content version and counts."""

    sources: dict[str, StoredSource]
    content_version: str
    counts: dict[str, int]
    config: str  # the fingerprint of the settings the store was read with


def _stored_state(db_path: Path) -> StoredState | None:
    """The sources of an existing store, or None if there is no usable store
    (missing, unreadable or another schema version)."""
    if not db_path.exists():
        return None
    try:
        # Read-write, so that SQLite rolls back the journal of a load that
        # crashed mid-commit before anything is read.
        conn = sqlite3.connect(f"file:{db_path}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN "
                                     "('schema_version', 'content_version', 'counts', 'config')"
                                     ).fetchall())
            if int(meta.get("schema_version") or -1) != schema.SCHEMA_VERSION:
                return None
            # Two scans, joined here: the slugs come from the slug index alone
            # (a covering index), where a JOIN read a page of each large row.
            slugs = dict(conn.execute("SELECT id, slug FROM articles").fetchall())
            rows = conn.execute("SELECT path, sha256, article_id, size, mtime_ns "
                                "FROM sources").fetchall()
            counts = json.loads(meta.get("counts") or "{}")
        finally:
            conn.close()
    except (sqlite3.DatabaseError, ValueError):
        return None
    return StoredState({path: StoredSource(sha, article_id, slugs[article_id], size, mtime)
                        for path, sha, article_id, size, mtime in rows},
                       meta.get("content_version", ""), counts, meta.get("config", ""))


def load_content(content_dir: Path, db_path: Path, progress: Progress | None = None,
                 on_total: Callable[[int], None] | None = None, jobs: int = 1,
                 durable: bool = True, skip_invalid: bool = False) -> LoadReport:
    """Load ``content_dir`` into ``db_path``, parsing only files that changed.

    Raises LoadError with every diagnostic when any file has an error; the
    database is then untouched. With ``skip_invalid``, the valid files are
    loaded and the invalid ones reported in the LoadReport: an invalid file
    that was loaded before keeps its last good version, a new one is left out.
    ``durable`` syncs the change to disk before the load returns (a rollback
    journal and fsyncs for an in-place change, one fsync of the new file for a
    first build); live reload turns it off, since the store can always be
    rebuilt from the content folder.
    """
    started = time.perf_counter()
    content_dir, db_path = Path(content_dir), Path(db_path)
    _require_dir(content_dir)
    config = load_config(content_dir)
    stored = _stored_state(db_path)
    if stored is not None and stored.config != config.fingerprint:
        # The settings changed how files read: read every file again.
        stored = StoredState({path: StoredSource("", s.article_id, s.slug, -1, -1)
                              for path, s in stored.sources.items()},
                             stored.content_version, stored.counts, stored.config)
    previous = stored.sources if stored else {}
    files = read_files(content_dir, previous)
    current = {f.path: f for f in files}
    to_parse = [f for f in files if f.path not in previous or previous[f.path].sha256 != f.sha256]
    gone = [p for p in previous if p not in current or current[p].sha256 != previous[p].sha256]
    kept_slugs = {s.slug: path for path, s in previous.items() if path not in gone}
    if on_total:
        on_total(len(to_parse))

    records, problems = parse_files(to_parse, kept_slugs, progress, jobs, config)
    warnings = [p for p in problems if not p.is_error]
    errors = [p for p in problems if p.is_error]
    invalid = sorted({p.path for p in errors})
    if errors and not skip_invalid:
        raise LoadError(problems)
    # An invalid file keeps what the store has of it (its last good version).
    gone = [p for p in gone if p not in invalid or p not in previous or not previous[p].sha256]
    served = {f.path: f.sha256 for f in files if f.path not in invalid}
    served.update({p: previous[p].sha256 for p in invalid if p in previous and p not in gone})
    version = content_version(served.items(), config.fingerprint)
    if stored is not None and not records and not gone:
        return LoadReport(False, 0, len(files) - len(to_parse), 0, stored.counts,
                          stored.content_version, time.perf_counter() - started, warnings,
                          errors, invalid)

    change = Change(records, [previous[p].article_id for p in gone], warnings,
                    {p for p in gone} | {r.path for r in records}, version, config.fingerprint)
    if stored is None:
        counts = build_new_store(db_path, change, durable)
    else:
        counts = _update_in_place(db_path, stored.content_version, change, durable)
    deleted = sum(1 for p in gone if p not in current)
    return LoadReport(True, len(records), len(files) - len(to_parse), deleted, counts, version,
                      time.perf_counter() - started, warnings, errors, invalid)


COUNTED = ("articles", "trends", "key_points", "routes", "route_points", "advice", "sections",
           "search_docs")


@dataclass
class Change:
    """What one load writes: new articles, articles to delete, and the new meta."""

    records: list[SourceRecord]
    deleted_ids: list[int]
    warnings: list[Diagnostic]
    touched_paths: set[str]  # files whose diagnostics are replaced
    version: str
    config: str = ""  # the settings' fingerprint


def _stored_counts(conn: sqlite3.Connection) -> dict[str, int]:
    row = conn.execute("SELECT value FROM meta WHERE key='counts'").fetchone()
    return dict(json.loads(row[0])) if row else {}


def _apply(conn: sqlite3.Connection, change: Change, fresh: bool) -> dict[str, int]:
    """Write ``change`` through ``conn``, inside the caller's transaction; returns the counts."""
    db = sqlite_utils.Database(conn)
    if fresh:
        schema.create(db)
    # Counts follow from the rows deleted and inserted: counting the
    # tables of a 10,000-article store took a second of a 1-file reload.
    counts = {} if fresh else _stored_counts(conn)
    for table, n in delete_articles(db, change.deleted_ids).items():
        counts[table] = counts.get(table, 0) - n
    if change.touched_paths:
        marks = ",".join("?" * len(change.touched_paths))
        conn.execute(f"DELETE FROM diagnostics WHERE path IN ({marks})",
                     sorted(change.touched_paths))
    for table, n in insert_articles(db, change.records).items():
        counts[table] = counts.get(table, 0) + n
    if change.warnings:
        db["diagnostics"].insert_all(
            [{"path": d.path, "line": d.line, "severity": d.severity, "message": d.message}
             for d in change.warnings])
    counts = {t: counts.get(t, 0) for t in COUNTED}
    write_meta(db, {
        "schema_version": str(schema.SCHEMA_VERSION),
        "content_version": change.version,
        "config": change.config,
        "loaded_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "article_count": str(counts["articles"]),
        "counts": json.dumps(counts),
    })
    return counts


# How long a load waits for readers to finish their statements before it
# commits (the API's statements take milliseconds).
BUSY_TIMEOUT_S = 10.0


def _update_in_place(db_path: Path, expected_version: str, change: Change,
                     durable: bool) -> dict[str, int]:
    """Apply ``change`` to the existing store in one transaction."""
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'OFF'}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA cache_size=-64000")  # keep the change in memory until COMMIT
        conn.execute("BEGIN IMMEDIATE")  # one writer at a time; readers go on
        try:
            found = conn.execute("SELECT value FROM meta WHERE key='content_version'").fetchone()
            if (found[0] if found else "") != expected_version:
                raise LoadError([Diagnostic(str(db_path), 0, "the store was changed by another "
                                            "load while this one ran; run the load again")])
            counts = _apply(conn, change, fresh=False)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite may have rolled back already (e.g. disk full)
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
    return counts


def build_new_store(db_path: Path, change: Change, durable: bool) -> dict[str, int]:
    """Build the whole store in a temporary file, then rename it into place.

    ``load_content`` calls it for a first load; the benchmark calls it alone
    to time the writing of already parsed articles."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{db_path.name}.", suffix=".tmp", dir=db_path.parent)
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
        conn.execute("BEGIN")
        counts = _apply(conn, change, fresh=True)
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.close()
        if durable:
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        # A journal left beside the old file belongs to it, not to this one:
        # SQLite would "roll it back" into the new file.
        db_path.with_name(db_path.name + "-journal").unlink(missing_ok=True)
        os.replace(tmp, db_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return counts
