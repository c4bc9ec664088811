"""Starting, probing and stopping the servers under test, and sampling their memory.

Every server binds a free port on 127.0.0.1 and runs in its own process
group, so stopping it ends its workers too and nothing else.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
OUT = ROOT / "bench" / "out"
PEER_VENV = OUT / "peer-venv"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    """Direct children of ``pid``, found through /proc/*/stat."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces.
        fields = stat[stat.rfind(b")") + 2:].split()
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def tree_rss_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, RssFile) of a process and all its descendants, in KiB ((0, 0) once gone).

    RssFile is the file-backed part: pages of the mmapped database and of
    shared libraries, which the kernel can drop and reread at will.
    """
    total, file_backed, pending = 0, 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                    elif line.startswith("RssFile:"):
                        file_backed += int(line.split()[1])
        except OSError:
            continue
        pending.extend(_children(current))
    return total, file_backed


def tree_cpu_ticks(pid: int) -> int:
    """User + system clock ticks used so far by a process and its descendants."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
        pending.extend(_children(current))
    return total


def wait_idle(pid: int, timeout: float = 180.0, window: float = 0.5) -> float:
    """Wait until a server has worked off its backlog (under 10% of a CPU for ``window`` s).

    wrk stops sending when its time is up, but a slow server may still hold
    queued requests; the next run must not pay for them. Returns the wait.
    """
    started = time.monotonic()
    ticks_per_s = os.sysconf("SC_CLK_TCK")
    before = tree_cpu_ticks(pid)
    while time.monotonic() - started < timeout:
        time.sleep(window)
        after = tree_cpu_ticks(pid)
        if (after - before) / ticks_per_s < 0.1 * window:
            break
        before = after
    return time.monotonic() - started


class RssSampler:
    """Samples a process tree's RSS every ``interval`` seconds on a thread."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(tree_rss_kb(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(tree_rss_kb(self.pid))

    @property
    def max_mb(self) -> float:
        return max((rss for rss, _ in self.samples), default=0) / 1024

    @property
    def max_file_mb(self) -> float:
        """File-backed RSS at the sample where the total peaked."""
        return max(self.samples, default=(0, 0))[1] / 1024


@dataclass
class Server:
    name: str
    argv: list[str]
    port: int
    ready_path: str
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 120.0) -> "Server":
        self.log_path = OUT / f"server-{self.name}.log"
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT,
                                        env={**os.environ, **self.env}, cwd=ROOT,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; "
                                   f"see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + self.ready_path, timeout=5) as resp:
                    if resp.status < 500:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer on {self.url} within {timeout} s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        pgid = os.getpgid(self.process.pid)
        os.killpg(pgid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait()

    def rss_mb(self) -> float:
        return tree_rss_kb(self.process.pid)[0] / 1024 if self.process else 0.0

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def ours(db: Path, workers: int = 1, response_cache: int | None = None, name: str = "ours") -> Server:
    """`content-api serve` in production mode; ``response_cache=0`` turns the response cache off."""
    port = free_port()
    env = {"CONTENT_API_PRODUCTION": "1"}
    if response_cache is not None:
        env["CONTENT_API_RESPONSE_CACHE_SIZE"] = str(response_cache)
    argv = [str(VENV_BIN / "content-api"), "serve", "--db", str(db), "--host", HOST,
            "--port", str(port), "--workers", str(workers), "--production",
            "--log-level", "warning"]
    return Server(name, argv, port, "/healthz", env)


PEER_METADATA = """{
  "plugins": {"datasette-graphql": {"num_queries_limit": 1000000, "time_limit_ms": 600000}}
}
"""


def peer_available() -> bool:
    return (PEER_VENV / "bin" / "datasette").exists()


def peer(db: Path) -> Server:
    """datasette + datasette-graphql on the same file, opened immutable (its fastest mode).

    Its default limits (100 nested queries, 1 s per GraphQL request) would
    reject query (b) outright, so they are raised; nothing else is tuned.
    """
    port = free_port()
    metadata = OUT / "peer-metadata.json"
    metadata.write_text(PEER_METADATA)
    argv = [str(PEER_VENV / "bin" / "datasette"), "serve", "--immutable", str(db),
            "-h", HOST, "-p", str(port), "--metadata", str(metadata),
            "--setting", "sql_time_limit_ms", "60000"]
    return Server("datasette", argv, port, "/-/versions.json")


def _bare_uvicorn(name: str, app: str, env: dict[str, str]) -> Server:
    """A bare ASGI app under the same Uvicorn as ours, without logs or a Server header."""
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(port),
            "--log-level", "warning", "--no-access-log", "--no-server-header"]
    return Server(name, argv, port, "/", env)


def floor(body_file: Path) -> Server:
    """Answering every request with fixed bytes (bench.floor)."""
    return _bare_uvicorn("floor", "bench.floor:app", {"BENCH_FLOOR_BODY": str(body_file)})


def data_floor(db: Path) -> Server:
    """(a)'s data by hand-written SQL (bench.data_floor_app)."""
    return _bare_uvicorn("datafloor", "bench.data_floor_app:app", {"BENCH_DB": str(db)})
