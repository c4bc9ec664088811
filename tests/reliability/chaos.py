"""Helpers of the chaos suite: a corpus big enough for loads that take a while,
a probe that reads a live server throughout, and the checks every test makes."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.paths import CONTENT

QUERY = """{ articles(first: 5) { totalCount nodes { slug title trends { title } } }
  search(query: "芯片", first: 3) { totalCount } }"""


def write_corpus(folder: Path, count: int, marker: str = "") -> None:
    """``count`` articles from content/, each with its own slug and ``marker`` in the title."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(CONTENT.glob("*.md"))
    for index in range(count):
        text = sources[index % len(sources)].read_text("utf-8")
        text = text.replace("\nslug: edge-ai-privacy-2025", "")
        text = text.replace("title:", f"title: {marker}{index:04d}", 1) if "title:" in text else text
        (folder / f"a{index:04d}.md").write_text(text, "utf-8")


def scalar(db: Path, sql: str):
    """The first value ``sql`` returns, read from ``db`` on a read-only connection."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def committed_version(db: Path) -> str:
    return scalar(db, "SELECT value FROM meta WHERE key = 'content_version'")


@dataclass
class Probe:
    """Reads the server in a loop (bounded: until stopped, and at most ``limit``
    requests), recording every failure and every version it was answered from."""

    url: str
    limit: int = 20000
    failures: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    requests: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> "Probe":
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        with httpx.Client(timeout=5.0) as client:
            while not self._stop.is_set() and self.requests < self.limit:
                self.requests += 1
                try:
                    response = client.post(self.url + "/graphql", json={"query": QUERY})
                    body = response.json()
                    if response.status_code != 200 or "errors" in body:
                        self.failures.append(f"{response.status_code}: {body}"[:300])
                    else:
                        self.versions.append(body["extensions"]["contentVersion"])
                        count = body["data"]["articles"]["totalCount"]
                        if not count:
                            self.failures.append("an empty store was served")
                except (httpx.HTTPError, ValueError) as exc:
                    self.failures.append(f"{type(exc).__name__}: {exc}"[:300])
                time.sleep(0.005)

    def stop(self) -> "Probe":
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
        return self


def children_of(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
