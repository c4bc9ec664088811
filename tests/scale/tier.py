"""A real cache tier on loopback: varnishd (deploy/varnish/run) in front of two
`content-api serve` replicas, each serving its own copy of one built store.

Publishing follows docs/operating/cache-tier.md: load once with
--changed-keys, copy the file next to each replica's and rename it over it,
then `content-api purge --replica … --cache …`. Everything is bounded: each
HTTP request has a timeout, readiness waits have deadlines, and every process
is stopped on exit.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.live_server import CONTENT_API, Server, free_port, stop_process
from tests.support.paths import CONTENT, ROOT

RUN = ROOT / "deploy" / "varnish" / "run"
ACCEPT = "application/graphql-response+json, application/json;q=0.9"
ARTICLE_BY_VARIABLE = "query Page($slug: String!) { article(slug: $slug) { slug title " \
                      "trends { title } } }"
# Lifetimes short enough for stale serving to happen within a test.
CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=2, stale-if-error=600"


def varnish_missing() -> str | None:
    """Why the tier cannot run here, or None."""
    if shutil.which("varnishd") is None:
        return ("varnishd is not installed (Debian: varnish, varnish-modules; "
                "`make varnish` installs them)")
    found = subprocess.run(["dpkg", "-s", "varnish-modules"], capture_output=True)
    if found.returncode != 0:
        return "the xkey vmod is not installed (Debian package varnish-modules)"
    return None


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    @property
    def cache(self) -> str:
        return self.headers.get("x-cache", "")

    def json(self) -> dict:
        return json.loads(self.body)


def http_get(url: str, headers: dict | None = None, timeout: float = 10.0) -> Reply:
    request = urllib.request.Request(url, headers={"Accept": ACCEPT, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, {k.lower(): v for k, v in response.headers.items()},
                         response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def graphql_url(base: str, query: str, variables: dict | None = None) -> str:
    params = {"query": query}
    if variables is not None:
        params["variables"] = json.dumps(variables, separators=(",", ":"))
    return f"{base}/graphql?{urllib.parse.urlencode(params)}"


def write_manifest(path: Path) -> Path:
    """A GraphQL Code Generator style manifest listing ARTICLE_BY_VARIABLE."""
    digest = hashlib.sha256(ARTICLE_BY_VARIABLE.encode()).hexdigest()
    path.write_text(json.dumps({f"sha256:{digest}": ARTICLE_BY_VARIABLE}), encoding="utf-8")
    return path


class Replica(Server):
    """A Server that keeps its port across restarts (the cache's backends are fixed)."""

    def launch(self) -> "Replica":
        if not self.port:
            self.port = free_port()
        self.log_path = self.log_path or self.db.with_name(f"{self.db.stem}.serve-{self.port}.log")
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                            env={**os.environ, **self.env}, cwd=ROOT)
        return self


@dataclass
class Tier:
    root: Path
    content: Path = field(init=False)
    built: Path = field(init=False)
    replicas: list[Replica] = field(default_factory=list)
    varnish: subprocess.Popen | None = None
    port: int = 0
    cache_control: str = CACHE_CONTROL  # what the replicas send
    replica_args: tuple[str, ...] = ()  # more `serve` options for every replica

    def __post_init__(self) -> None:
        self.content = self.root / "content"
        self.built = self.root / "build" / "content.db"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def instance(self) -> Path:
        return self.root / "varnish" / "instance"

    # -- starting ------------------------------------------------------------

    def start(self, replicas: int = 2) -> "Tier":
        shutil.copytree(CONTENT, self.content)
        self.built.parent.mkdir(parents=True)
        self.load()
        for n in range(1, replicas + 1):
            folder = self.root / f"replica-{n}"
            folder.mkdir()
            shutil.copyfile(self.built, folder / "content.db")
            replica = Replica(folder / "content.db", args=self.replica_args, env={
                "CONTENT_API_CACHE_CONTROL": self.cache_control,
                "CONTENT_API_RELOAD_CHECK_SECONDS": "0.2"})
            self.replicas.append(replica.start())
        self.port = free_port()
        with open(self.root / "varnish.log", "wb") as log:
            self.varnish = subprocess.Popen(
                [str(RUN), str(self.port), *(str(r.port) for r in self.replicas)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, "VARNISH_WORKDIR": str(self.root / "varnish")})
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.varnish.poll() is not None:
                raise RuntimeError(f"varnishd exited ({self.varnish.returncode}):\n{self.log()}")
            try:
                if http_get(self.url + "/healthz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"the cache on port {self.port} is not ready:\n{self.log()}")

    def log(self) -> str:
        path = self.root / "varnish.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        if self.varnish is not None and self.varnish.poll() is None:
            # The run script stops varnishd and removes nothing we keep (VARNISH_WORKDIR).
            os.killpg(self.varnish.pid, signal.SIGTERM)
            try:
                self.varnish.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.varnish.pid, signal.SIGKILL)
                self.varnish.wait(timeout=5)
        for replica in self.replicas:
            replica.stop()

    # -- requests --------------------------------------------------------------

    def get(self, query: str, variables: dict | None = None, **headers) -> Reply:
        return http_get(graphql_url(self.url, query, variables), headers)

    def stats(self) -> dict[str, int]:
        """Varnish's own counters (varnishstat), e.g. MAIN.cache_hit."""
        done = subprocess.run(["varnishstat", "-n", str(self.instance), "-1", "-j"],
                              capture_output=True, text=True, timeout=20, check=True)
        counters = json.loads(done.stdout)
        counters = counters.get("counters", counters)
        return {name: value["value"] for name, value in counters.items()
                if isinstance(value, dict) and "value" in value}

    # -- publishing ------------------------------------------------------------

    def load(self, keys: Path | None = None) -> subprocess.CompletedProcess:
        command = [str(CONTENT_API), "load", str(self.content), "--db", str(self.built)]
        if keys is not None:
            command += ["--changed-keys", str(keys)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done

    def publish(self, hard: bool = False) -> tuple[list[str], str]:
        """Load the edited content, roll the file out to every replica, purge.
        Returns the keys purged and the purge command's output."""
        keys = self.root / "changed.keys"
        self.load(keys)
        for replica in self.replicas:
            fresh = replica.db.with_name("content.db.new")
            shutil.copyfile(self.built, fresh)
            fresh.replace(replica.db)
        command = [str(CONTENT_API), "purge", "--keys-file", str(keys), "--cache", self.url]
        for replica in self.replicas:
            command += ["--replica", replica.url]
        if hard:
            command.append("--hard")
        done = subprocess.run(command, capture_output=True, text=True, timeout=90)
        assert done.returncode == 0, done.stdout + done.stderr
        listed = [k for k in keys.read_text().splitlines() if k and not k.startswith("#")]
        return listed, done.stdout

    def edit_title(self, name: str, title: str) -> None:
        path = self.content / name
        lines = path.read_text("utf-8").splitlines(keepends=True)
        for i, line in enumerate(lines):
            if line.startswith("title:"):
                lines[i] = f"title: {json.dumps(title, ensure_ascii=False)}\n"
                break
        else:
            raise AssertionError(f"{name} has no title line")
        path.write_text("".join(lines), encoding="utf-8")
