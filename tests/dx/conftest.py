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
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
CONTENT_API = VENV_BIN / "content-api"
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_json(url: str, timeout: float, expect_key: str) -> dict:
    """Poll url until it answers JSON holding expect_key (so it is *our* server)."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                body = json.loads(response.read())
                if expect_key in body:
                    return body
        except (OSError, ValueError) as exc:
            last_error = exc
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout}s: {last_error}")


def wait_for_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    log_path: Path

    @property
    def graphql_url(self) -> str:
        return self.base_url + "/graphql"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


@pytest.fixture(scope="session")
def content_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("dx-db") / "content.db"
    loaded = subprocess.run(
        [str(CONTENT_API), "load", str(REPO / "content"), "--db", str(db)],
        capture_output=True, text=True, timeout=120,
    )
    if loaded.returncode != 0:
        pytest.fail(f"content-api load failed:\n{loaded.stderr[-3000:]}")
    return db


@pytest.fixture(scope="session")
def web_port() -> int:
    """The web example's port, chosen before the API starts so CORS can name its origin."""
    return free_port()


@pytest.fixture(scope="session")
def live_server(content_db, web_port, tmp_path_factory) -> LiveServer:
    port = free_port()
    log_path = tmp_path_factory.mktemp("dx-server") / "serve.log"
    env = dict(os.environ)
    # Only the web example's origin may read the API cross-origin in these tests.
    env["CONTENT_API_CORS_ORIGINS"] = f"http://127.0.0.1:{web_port}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(CONTENT_API), "serve", "--db", str(content_db), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", log_path)
    try:
        wait_for_json(server.base_url + "/healthz", timeout=30, expect_key="contentVersion")
        yield server
    except TimeoutError as exc:
        pytest.fail(f"{exc}\n{server.log()}")
    finally:
        stop(process)


@pytest.fixture(scope="session")
def web_server(web_port) -> str:
    """examples/web served as static files from a second loopback origin."""
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(web_port), "--bind", "127.0.0.1",
         "--directory", str(REPO / "examples" / "web")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    origin = f"http://127.0.0.1:{web_port}"
    try:
        wait_for_http(origin + "/index.html", timeout=15)
        yield origin
    finally:
        stop(process)


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
