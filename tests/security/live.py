"""A real `content-api load` + `content-api serve` on a free loopback port, for the
security and reliability suites, plus what they check on every response.

Everything is bounded: the server must answer /healthz within ``READY_TIMEOUT``
seconds, every request has a timeout, and the process is always stopped.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path


REPO = Path(__file__).resolve().parents[2]
CONTENT = REPO / "content"
SEED = CONTENT / "2024-ai-trends.md"
CONTENT_API = Path(sys.executable).with_name("content-api")
READY_TIMEOUT = 30.0

# What must never reach a client: SQL, tracebacks, file paths (source or data).
LEAK_MARKERS = ("Traceback", "sqlite", "SELECT ", "/work", ".py", 'File "')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load(content_dir: Path, db: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """`content-api load CONTENT --db DB`, failing loudly."""
    done = subprocess.run([str(CONTENT_API), "load", str(content_dir), "--db", str(db)],
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"content-api load failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done


@dataclass
class Server:
    """A running `content-api serve --production` and where to reach it."""

    db: Path
    env: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def graphql_url(self) -> str:
        return self.url + "/graphql"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> "Server":
        self.port = free_port()
        self.log_path = self.log_path or self.db.with_suffix(".serve.log")
        with open(self.log_path, "wb") as log:
            # --workers 1 runs uvicorn in this very process, so /proc/PID is the server.
            self.process = subprocess.Popen(
                [str(CONTENT_API), "serve", "--db", str(self.db), "--host", "127.0.0.1",
                 "--port", str(self.port), "--production", "--log-level", "warning"],
                stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **self.env}, cwd=REPO)
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early ({self.process.returncode}):\n{self.log()}")
            try:
                body = self.health(timeout=1.0)
                if "contentVersion" in body:
                    return body
            except (OSError, ValueError, AssertionError):
                pass
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"server on port {self.port} not ready after {timeout} s:\n{self.log()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def health(self, timeout: float = 5.0) -> dict:
        # urllib, not a new httpx client: building one (its SSL context) costs ~50 ms.
        with urllib.request.urlopen(self.url + "/healthz", timeout=timeout) as response:
            assert response.status == 200
            return json.loads(response.read())

    def log(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    # -- what the process holds, read from outside -------------------------

    def fd_count(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def rss_kb(self) -> int:
        status = Path(f"/proc/{self.pid}/status").read_text()
        return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))

    def open_files(self) -> list[tuple[str, int]]:
        """(target, open flags) of every fd the server holds that points at a file."""
        out = []
        for name in os.listdir(f"/proc/{self.pid}/fd"):
            try:
                target = os.readlink(f"/proc/{self.pid}/fd/{name}")
                info = Path(f"/proc/{self.pid}/fdinfo/{name}").read_text()
            except OSError:
                continue  # closed between listdir and readlink
            flags = int(re.search(r"^flags:\s+([0-7]+)", info, re.M).group(1), 8)
            out.append((target, flags))
        return out


def start_server(content_dir: Path, workdir: Path, env: dict[str, str] | None = None) -> Server:
    """Load ``content_dir`` into a fresh DB under ``workdir`` and serve it."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "content.db"
    load(content_dir, db)
    return Server(db, env=dict(env or {})).start()


def assert_no_leak(text: str, *extra: str) -> None:
    """No SQL, traceback or file path in a response body."""
    for marker in (*LEAK_MARKERS, *extra):
        assert marker not in text, f"response leaks {marker!r}: {text[:500]}"
