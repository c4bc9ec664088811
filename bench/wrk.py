"""Running wrk (the Debian package) for one scenario and reading its summary.

wrk keeps a fixed number of connections busy for a fixed time and records
every response's latency. ``bench/wrk.lua`` supplies the request bodies or
paths and writes p50/p90/p95/p99 and the error counts as JSON.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("wrk.lua")


@dataclass
class Result:
    scenario: str
    server: str
    connections: int
    duration_s: float
    requests: int  # completed responses, failed ones included
    rps: float  # successful responses per second (failed ones are not throughput)
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: dict
    bytes_per_response: float
    rss_mb: float = 0.0  # peak VmRSS of the server's process tree during the run
    rss_file_mb: float = 0.0  # of which file-backed (mmapped DB pages, libraries)

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def failed(self) -> int:
        return failures(self.errors)


def failures(errors: dict) -> int:
    """Failed requests: socket errors, timeouts, unexpected statuses and GraphQL errors.

    wrk's own ``status`` count (non-2xx/3xx) is left out: ``unexpected_status``
    from the script counts the same responses and more (anything but 200/304).
    """
    return sum(v for k, v in errors.items() if k != "status")


def available() -> bool:
    return shutil.which("wrk") is not None


def run(scenario: str, server: str, url: str, connections: int, duration_s: float, *,
        method: str = "GET", bodies: list[str] | None = None, paths: list[str] | None = None,
        if_none_match: str | None = None, timeout_s: float = 30.0) -> Result:
    """Drive ``url`` with ``connections`` connections for ``duration_s`` seconds."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        tmpdir = Path(tmp)
        env = {**os.environ, "BENCH_METHOD": method, "BENCH_RESULT": str(tmpdir / "result.json")}
        if bodies:
            (tmpdir / "bodies.txt").write_text("\n".join(bodies) + "\n", encoding="utf-8")
            env["BENCH_BODIES"] = str(tmpdir / "bodies.txt")
        if paths:
            (tmpdir / "paths.txt").write_text("\n".join(paths) + "\n", encoding="utf-8")
            env["BENCH_PATHS"] = str(tmpdir / "paths.txt")
        if if_none_match:
            env["BENCH_IF_NONE_MATCH"] = if_none_match
        threads = max(1, min(2, connections))  # the machine has 2 cores; the server needs them too
        # wrk takes whole seconds only.
        duration_s, timeout_s = max(1, math.ceil(duration_s)), max(1, math.ceil(timeout_s))
        argv = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration_s}s",
                "--timeout", f"{timeout_s}s", "-s", str(SCRIPT), url]
        completed = subprocess.run(argv, env=env, capture_output=True, text=True,
                                   timeout=duration_s + timeout_s + 30)
        result_file = tmpdir / "result.json"
        if completed.returncode != 0 or not result_file.exists():
            raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
        raw = json.loads(result_file.read_text())
    seconds = raw["duration_us"] / 1e6
    lat = raw["latency_us"]
    done = raw["requests"]
    good = max(0, done - failures(raw["errors"]))
    return Result(
        scenario=scenario, server=server, connections=connections, duration_s=round(seconds, 2),
        requests=done, rps=round(good / seconds, 3) if seconds else 0.0,
        p50_ms=lat["p50"] / 1000, p90_ms=lat["p90"] / 1000, p95_ms=lat["p95"] / 1000,
        p99_ms=lat["p99"] / 1000, max_ms=lat["max"] / 1000, errors=raw["errors"],
        bytes_per_response=round(raw["bytes"] / done, 1) if done else 0.0,
    )
