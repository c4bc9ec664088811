"""Fixtures for the developer-experience suites: a live server, a second
loopback origin for the web example, and a headless Chromium.

Everything runs on 127.0.0.1 with bounded waits.  Tools that `make test`
installs (chromium, npm packages, the ariadne-codegen venv) are required under
CI (CI=true): there a missing tool is a failure, elsewhere a skip that says
which make target installs it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.live_server import Server, free_port, load, stop_process

REPO = Path(__file__).resolve().parents[2]
SEED_SLUG = "2024-ai-trends"
SEED_TITLE = "2024 年人工智能领域的三大发展趋势分析"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
ARTIFACTS = REPO / "tests" / "artifacts"


def require(condition: bool, what: str, how: str) -> None:
    """Skip locally when a set-up step has not run; fail under CI, where it must have."""
    if condition:
        return
    message = f"{what} is not available: {how}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def wait_for_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def serve(db: Path, log_path: Path, env: dict[str, str]) -> Server:
    """A live server over ``db`` with ``env`` laid over the environment, ready to answer."""
    try:
        return Server(db, env=env, log_path=log_path).start()
    except (TimeoutError, RuntimeError) as exc:  # the message carries the server's log
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def content_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("dx-db") / "content.db"
    try:
        load(REPO / "content", db)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    return db


@pytest.fixture(scope="session")
def web_port() -> int:
    """The web example's port, chosen before the API starts so CORS can name its origin."""
    return free_port()


@pytest.fixture(scope="session")
def live_server(content_db, web_port, tmp_path_factory) -> Server:
    log_path = tmp_path_factory.mktemp("dx-server") / "serve.log"
    # Only the web example's origin may read the API cross-origin in these tests.
    env = {"CONTENT_API_CORS_ORIGINS": f"http://127.0.0.1:{web_port}"}
    with serve(content_db, log_path, env) as server:
        yield server


@pytest.fixture()
def extra_server(content_db, tmp_path):
    """Start more live servers over content_db for one test, each with its own
    environment: ``extra_server(CONTENT_API_CORS_ORIGINS=...)``. Stopped after the test."""
    servers: list[Server] = []

    def start(**env: str) -> Server:
        servers.append(serve(content_db, tmp_path / f"serve-{len(servers)}.log", env))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@contextlib.contextmanager
def static_origin(directory: Path, port: int):
    """``directory`` served as static files on 127.0.0.1:``port``: a second origin."""
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    origin = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(origin + "/index.html", timeout=15)
        yield origin
    finally:
        stop_process(process)


@pytest.fixture(scope="session")
def web_server(web_port) -> str:
    """examples/web served as static files from a second loopback origin."""
    with static_origin(REPO / "examples" / "web", web_port) as origin:
        yield origin


@pytest.fixture(scope="session")
def browser():
    require(Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists(), "Chromium and chromedriver",
            "apt-get install chromium chromium-driver (.ci/run does this)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="dx-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-quic", "--disable-dev-shm-usage", "--window-size=1400,1000",
                 # Belt and braces: any host name other than localhost fails to resolve.
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    # Performance logs carry every Network.* DevTools event: used to prove no request left loopback.
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    # An explicit driver path and browser binary: selenium-manager never downloads anything.
    os.environ.setdefault("SE_OFFLINE", "true")
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(15)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def requested_urls(driver) -> list[str]:
    """Every URL the page asked for since the last call (the log drains on read)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def non_loopback(urls: list[str]) -> list[str]:
    outside = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about", "chrome", "devtools"}:
            continue
        if parts.hostname not in LOOPBACK_HOSTS:
            outside.append(url)
    return outside


def save_screenshot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    return path


@contextlib.contextmanager
def fresh_logs(driver):
    """Drop log entries from earlier tests so each test checks only its own requests."""
    with contextlib.suppress(Exception):
        driver.get_log("performance")
        driver.get_log("browser")
    yield
