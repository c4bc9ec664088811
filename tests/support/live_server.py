"""A real `content-api serve` process on a free loopback port, shared by every suite
that talks to the API over HTTP (api, security, reliability, dx).

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
from typing import Callable

from tests.support.paths import ROOT

CONTENT_API = Path(sys.executable).with_name("content-api")
READY_TIMEOUT = 30.0


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


def stop_process(process: subprocess.Popen) -> None:
    """Terminate politely, then kill: never leave a child behind."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@dataclass
class Server:
    """A `content-api serve` over ``db`` and where to reach it.

    ``args`` are extra CLI options (``--workers 2``, ``--watch DIR``); ``env`` is
    laid over this process's environment; stdout and stderr go to ``log_path``.
    Use ``start()`` to launch and wait for /healthz, or ``launch()`` alone for a
    server that is expected to exit early. As a context manager it stops on exit.
    """

    db: Path
    env: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    production: bool = False
    log_path: Path | None = None
    port: int = 0
    process: subprocess.Popen | None = None
    preexec: Callable[[], None] | None = None  # run in the child before exec (e.g. rlimits)

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

    def command(self) -> list[str]:
        mode = ["--production"] if self.production else []
        return [str(CONTENT_API), "serve", "--db", str(self.db), "--host", "127.0.0.1",
                "--port", str(self.port), *mode, "--log-level", "warning", *self.args]

    def launch(self) -> "Server":
        """Start the process without waiting for it to answer."""
        self.port = free_port()
        # The port in the name: several servers over one database keep separate logs.
        self.log_path = self.log_path or self.db.with_name(f"{self.db.stem}.serve-{self.port}.log")
        with open(self.log_path, "wb") as log:
            # --workers 1 runs uvicorn in this very process, so /proc/PID is the server.
            self.process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, **self.env}, cwd=ROOT, preexec_fn=self.preexec)
        return self

    def start(self) -> "Server":
        """Launch and wait until /healthz answers with a content version."""
        self.launch()
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early ({self.process.returncode}):\n{self.log()}")
            try:
                body = self.health(timeout=1.0)
                # The key proves it is *our* server answering, not another on a reused port.
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
        if self.process is not None:
            stop_process(self.process)

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

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
