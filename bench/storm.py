"""The reload storm: 256 connections read while a load commits every second.

wrk keeps 256 connections busy with uncached `article(slug)` queries (POST,
rotating slugs) against one `content-api serve`, while this process runs
`content-api load` once a second, each time with one article edited. Every
commit invalidates every cached response, so the server runs uncached work
at full concurrency while versions change under it. Counted: requests,
failures (transport errors, timeouts, non-200 statuses, GraphQL errors),
commits, latency, the server's peak RSS and the WAL's size at the end.
Target (issue 11): at most 1 % of requests fail or time out.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from bench import corpus, servers, wrk

Log = Callable[[str], None]
QUERY = ('{"query": "query($s: String!) { article(slug: $s) { title trends { title '
         'keyPoints { label } routes { name pros cons } advice { title } } } }", '
         '"variables": {"s": "%s"}}')


@dataclass
class StormResult:
    connections: int
    duration_s: float
    commit_every_s: float
    commits: int
    requests: int
    failed: int
    failed_pct: float
    errors: dict
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    rss_mb: float
    wal_mb: float

    def as_dict(self) -> dict:
        return asdict(self)


def run(db: Path, content_dir: Path, slugs: list[str], log: Log = print,
        connections: int = 256, duration_s: float = 30.0, every_s: float = 1.0) -> StormResult:
    work = servers.OUT / "storm"
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(content_dir, work / "content")
    storm_db = work / "content.db"
    shutil.copyfile(db, storm_db)
    loader = [str(servers.VENV_BIN / "content-api"), "load", str(work / "content"),
              "--db", str(storm_db), "--no-progress"]
    subprocess.run(loader, check=True, capture_output=True)  # catch up with the copy
    files = sorted((work / "content").glob("*.md"))
    commits = [0]
    stop = threading.Event()

    def committer() -> None:
        index = 0
        while not stop.is_set():
            started = time.monotonic()
            corpus.edit_one(files[index % len(files)], stamp=str(time.time_ns()))
            index += 1
            if subprocess.run(loader, capture_output=True).returncode == 0:
                commits[0] += 1
            stop.wait(max(0.0, every_s - (time.monotonic() - started)))

    bodies = [QUERY % slug for slug in slugs[:200]]
    server = servers.ours(storm_db, name="storm")
    with server, servers.RssSampler(server.process.pid) as sampler:
        thread = threading.Thread(target=committer, daemon=True)
        thread.start()
        try:
            result = wrk.run("storm", "ours", server.url + "/graphql", connections, duration_s,
                             method="POST", bodies=bodies, timeout_s=10)
        finally:
            stop.set()
            thread.join(timeout=30)
    wal = storm_db.with_name(storm_db.name + "-wal")
    failed = result.failed
    total = max(result.requests, 1)
    outcome = StormResult(
        connections=connections, duration_s=duration_s, commit_every_s=every_s,
        commits=commits[0], requests=result.requests, failed=failed,
        failed_pct=round(100.0 * failed / total, 3), errors=result.errors, rps=result.rps,
        p50_ms=result.p50_ms, p99_ms=result.p99_ms, max_ms=result.max_ms,
        rss_mb=round(sampler.max_mb, 1),
        wal_mb=round(wal.stat().st_size / 1e6, 1) if wal.exists() else 0.0)
    log(f"reload storm: {outcome.requests} requests at {connections} connections in "
        f"{duration_s:.0f} s with {outcome.commits} commits: {failed} failed "
        f"({outcome.failed_pct} %), p50 {outcome.p50_ms} ms, p99 {outcome.p99_ms} ms, "
        f"peak RSS {outcome.rss_mb} MB, WAL {outcome.wal_mb} MB")
    return outcome
