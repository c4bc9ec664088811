"""The loader benchmark: full load, no-op reload and one-file reload against a bare parse.

The bare parse is the floor of any loader built on pyromark: read each file,
cut the frontmatter and the ```markdown fence with string operations, and
run ``pyromark.events_with_range`` over the body, consuming every event
(the function returns a lazy iterator). It is timed best of three, so the
ratios against it lean against the loader, never for it.

The loads call ``loader.load.load_content``, the function behind
``content-api load``, in this process (interpreter start-up is not counted).
"""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import time
from collections import deque
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import pyromark

from bench import corpus

Log = Callable[[str], None]

FENCE_OPEN = "```markdown\n"
FENCE_CLOSE = "```"


@dataclass
class LoaderTimes:
    articles: int
    corpus_mb: float
    bare_parse_s: float
    full_load_s: float
    noop_reload_s: float
    one_file_reload_s: float
    one_file_live_s: float  # the same, as live reload runs it (no fsync)
    write_only_s: float  # the full load's writing alone, from articles parsed beforehand
    parse_only_s: float  # the full load's parsing alone, in one process, nothing written
    jobs: int
    full_load_rss_mb: float  # peak RSS of the largest process of `content-api load` (full)
    max_file_load_s: float  # `content-api load` of one file at the size limit (max_file_bytes)
    max_file_rss_mb: float  # and its peak RSS
    max_file_shapes_s: dict  # shape -> seconds of one such file of each of SHAPES
    db_mb: float
    full_load_summary: str
    noop_summary: str
    one_file_summary: str

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def full_ratio(self) -> float:
        return self.full_load_s / self.bare_parse_s


def body_of(text: str) -> str:
    """The markdown body: frontmatter cut off, a whole-body ```markdown fence unwrapped."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end >= 0:
            text = text[end + 5:]
    stripped = text.strip()
    if stripped.startswith(FENCE_OPEN) and stripped.endswith(FENCE_CLOSE):
        return stripped[len(FENCE_OPEN):-len(FENCE_CLOSE)]
    return text


def bare_parse(paths: list[Path]) -> int:
    """Read and parse every file; returns the number of events (so nothing is skipped)."""
    events = 0
    for path in paths:
        body = body_of(path.read_bytes().decode("utf-8"))
        parsed = pyromark.events_with_range(body)
        tail = deque(enumerate(parsed, 1), maxlen=1)  # consume the lazy iterator
        events += tail[0][0] if tail else 0
    return events


def time_bare_parse(paths: list[Path], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        bare_parse(paths)
        best = min(best, time.perf_counter() - started)
    return best


def time_parse_then_write(content_dir: Path, scratch: Path) -> tuple[float, float]:
    """Seconds to parse every file in this one process, then to write a new store
    from the parsed articles: the full load's two parts, one after the other.

    Writing is the part that parsing processes cannot share (one SQLite file
    has one writer), so it bounds a load on any number of CPUs. Parsing in one
    process is the CPU time the parsing processes share out. Together they
    estimate the least a load can take on this machine's CPUs (report.load_bound).
    """
    from loader.load import Change, build_new_store, parse_files, read_files

    files = read_files(content_dir)
    # Here every parsed article stays in this process, where a load's parsing
    # processes hand theirs over and its writer drops them round by round: the
    # collector's passes over them must count in neither part. It is paused
    # while parsing, and the articles are frozen out of its reach for writing.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        started = time.perf_counter()
        records, _ = parse_files(files, jobs=1)
        parse_s = time.perf_counter() - started
    finally:
        if was_enabled:
            gc.enable()
    change = Change(records, [], [], set(), "write-only")
    gc.collect()
    gc.freeze()
    try:
        scratch.unlink(missing_ok=True)
        started = time.perf_counter()
        build_new_store(scratch, change, durable=False)
        write_s = time.perf_counter() - started
    finally:
        gc.unfreeze()
    scratch.unlink()
    return parse_s, write_s


def _load_rss(content_dir: Path, db_path: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MB of its largest process) of `content-api load` run as a
    command, measured by a wrapper process that reports its children's maximum."""
    probe = ("import resource, subprocess, sys, time\n"
             "started = time.perf_counter()\n"
             "done = subprocess.run(sys.argv[1:], capture_output=True)\n"
             "seconds = time.perf_counter() - started\n"
             "print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
             "done.returncode)\n")
    command = [sys.executable, "-c", probe, str(Path(sys.executable).with_name("content-api")),
               "load", str(content_dir), "--db", str(db_path), "--no-progress", "--skip-invalid"]
    seconds, max_kb, _code = subprocess.run(command, capture_output=True, text=True,
                                            check=True).stdout.split()
    for suffix in ("", "-wal", "-shm", ".lock"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
    return float(seconds), int(max_kb) / 1024


def peak_load_rss(content_dir: Path, db_path: Path) -> float:
    return _load_rss(content_dir, db_path)[1]


# Files at the size limit made of one kind of unit repeated, beside the trends of
# max_file_load: each reader must take its units in linear time. Until 2026-12-03 some
# did not (a list of 8,000 advice items took 5.6 s, 8,000 headings 5.0 s, a route of
# 16,000 points 2.8 s: each new unit looked through all the ones before it).
_FRONT = "---\ntitle: Big\ndate: 2025-01-01\ndescription: d\n---\n# Big\n"
_HEAD = _FRONT + "\n## 1. Trend\n\n"
SHAPES = {
    "advice items": ("### Advice\n\n", "{n}. **Advice {n}**: do this and that.\n"),
    "route points": ("### Routes\n\n#### a. Route\n\n",
                     "- **Pros**: a point in favour.\n- **Cons**: a point against.\n"),
    "key points": ("### Current state\n\n", "- **Point {n}**: what stands now.\n"),
    "headings (extra sections)": ("", "### Part {n}\n\ntext {n}\n\n"),
}


def _at_the_limit(path: Path, head: str, piece: str) -> None:
    """``head``, then ``piece`` numbered 1, 2, ... up to the default size limit."""
    from loader.config import DEFAULTS

    parts, size, n = [head], len(head.encode()), 0
    while True:
        n += 1
        text = piece.format(n=n)
        if size + len(text.encode()) >= DEFAULTS.max_file_bytes:
            break
        parts.append(text)
        size += len(text.encode())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(parts), encoding="utf-8")


def _load_at_the_limit(folder: Path, head: str, piece: str) -> tuple[float, float]:
    """_load_rss of a content folder holding one _at_the_limit file, made in
    ``folder`` and removed after."""
    _at_the_limit(folder / "content" / "big.md", head, piece)
    result = _load_rss(folder / "content", folder / "big.db")
    shutil.rmtree(folder)
    return result


def max_file_load(folder: Path) -> tuple[float, float]:
    """A single article just under the default size limit (4 MiB): hostile content
    is bounded by that limit, and this is what one such file costs."""
    trend = ("\n## {n}. Trend {n}\n\n### Current state\n\n" +
             "- **Point**: " + "a long sentence of text. " * 20 + "\n")
    return _load_at_the_limit(folder, _FRONT, trend)


def shaped_file_loads(folder: Path) -> dict[str, float]:
    """Seconds of `content-api load` for one file at the size limit of each SHAPE."""
    return {name: round(_load_at_the_limit(folder, _HEAD + part, piece)[0], 3)
            for name, (part, piece) in SHAPES.items()}


def run(content_dir: Path, db_path: Path, log: Log = print) -> LoaderTimes:
    """Time the three loads into a fresh ``db_path`` (removed first)."""
    from loader.load import load_content  # the project's loader; imported late on purpose

    paths = sorted(content_dir.glob("*.md"))
    size_mb = sum(p.stat().st_size for p in paths) / 1e6
    bare = time_bare_parse(paths)
    log(f"bare parse of {len(paths)} files ({size_mb:.1f} MB): {bare:.2f} s (best of 3)")

    for suffix in ("", "-journal", "-wal", "-shm", ".lock"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
    jobs = os.cpu_count() or 1  # what `content-api load` uses by default
    started = time.perf_counter()
    full = load_content(content_dir, db_path, jobs=jobs)
    full_s = time.perf_counter() - started
    log(f"full load ({jobs} processes): {full_s:.2f} s ({full_s / bare:.1f}x bare parse): "
        f"{full.summary()}")

    started = time.perf_counter()
    noop = load_content(content_dir, db_path)
    noop_s = time.perf_counter() - started
    log(f"no-op reload: {noop_s:.3f} s: {noop.summary()}")

    corpus.edit_one(paths[len(paths) // 2], stamp=str(time.time_ns()))
    started = time.perf_counter()
    one = load_content(content_dir, db_path)
    one_s = time.perf_counter() - started
    log(f"one-file reload: {one_s:.3f} s: {one.summary()}")

    corpus.edit_one(paths[len(paths) // 2 + 1], stamp=str(time.time_ns()))
    started = time.perf_counter()
    live = load_content(content_dir, db_path, durable=False)
    live_s = time.perf_counter() - started
    log(f"one-file reload as live reload runs it (no fsync): {live_s:.3f} s: {live.summary()}")
    if one.parsed != 1 or live.parsed != 1 or noop.changed:
        raise RuntimeError(f"unexpected reload behaviour: no-op changed={noop.changed}, "
                           f"one-file parsed={one.parsed}")

    parse_s, write_s = time_parse_then_write(content_dir,
                                             db_path.with_name(db_path.name + ".write-only"))
    log(f"parsing alone, in one process: {parse_s:.2f} s ({parse_s / bare:.1f}x bare parse); "
        f"writing the parsed articles alone (one SQLite writer): {write_s:.2f} s "
        f"({write_s / bare:.1f}x bare parse)")

    rss_mb = peak_load_rss(content_dir, db_path.with_name(db_path.name + ".rss"))
    log(f"peak RSS of a full `content-api load` (largest process): {rss_mb:.0f} MB")
    big_s, big_mb = max_file_load(db_path.parent / "max-file")
    log(f"one file at the size limit: {big_s:.2f} s, peak RSS {big_mb:.0f} MB")
    shaped = shaped_file_loads(db_path.parent / "max-file")
    log("one file at the size limit, by shape: "
        + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in shaped.items()))

    return LoaderTimes(
        articles=len(paths), corpus_mb=round(size_mb, 1), bare_parse_s=round(bare, 3),
        full_load_s=round(full_s, 3), noop_reload_s=round(noop_s, 3),
        one_file_reload_s=round(one_s, 3), one_file_live_s=round(live_s, 3),
        write_only_s=round(write_s, 3), parse_only_s=round(parse_s, 3), jobs=jobs,
        full_load_rss_mb=round(rss_mb, 1),
        max_file_load_s=round(big_s, 3), max_file_rss_mb=round(big_mb, 1),
        max_file_shapes_s=shaped,
        db_mb=round(db_path.stat().st_size / 1e6, 1),
        full_load_summary=full.summary(), noop_summary=noop.summary(),
        one_file_summary=one.summary(),
    )
