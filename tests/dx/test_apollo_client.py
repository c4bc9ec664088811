"""examples/apollo: Apollo Client 4, as an app uses it, against a live server.

Three things a client nobody here wrote must get right: the error an app shows
for a bad query, relayStylePagination across a content load (keyset cursors:
no repeats, no skips), and a cross-origin browser page sending the headers real
apps send (auth, Apollo client identification, tracing), which the CORS
preflight has to allow.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.live_server import free_port, load, stop_process

from .conftest import REPO, fresh_logs, non_loopback, requested_urls, require, serve, static_origin

APOLLO = REPO / "examples" / "apollo"
FIXTURES = REPO / "tests" / "fixtures" / "real-world"
NODE_TIMEOUT = 60


@pytest.fixture(scope="module")
def apollo() -> Path:
    require(shutil.which("node") is not None and (APOLLO / "node_modules" / "@apollo" / "client").exists()
            and (APOLLO / "dist" / "apollo-browser.js").exists(),
            "the Apollo example's packages and bundle", "run `make client-deps` (npm ci in examples/apollo)")
    return APOLLO


def scenario(name: str, url: str, *args: str) -> dict:
    done = subprocess.run(["node", "src/node.js", name, url, *args], cwd=APOLLO,
                          capture_output=True, text=True, timeout=NODE_TIMEOUT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_a_validation_error_reaches_the_app_with_its_message_and_code(apollo, live_server):
    result = scenario("validation", live_server.graphql_url)
    assert result["error"] == "CombinedGraphQLErrors"
    assert "nope" in result["message"]
    assert result["codes"] == ["GRAPHQL_VALIDATION_FAILED"]


def test_the_app_headers_are_accepted_from_node(apollo, live_server):
    result = scenario("headers", live_server.graphql_url)
    assert result["totalCount"] >= 3
    assert len(result["titles"]) == 2 and all(result["titles"])


# -- relayStylePagination across a content load ------------------------------------

NEWEST = """---
title: The newest article
date: 2031-01-01
slug: newest-while-paging
---

## Trend one

### Status

- A key point

### Routes

#### Route A

Pros:
- fast

Cons:
- costly

### Advice

1. Do the thing.
"""


def all_slugs(server) -> list[str]:
    import httpx

    response = httpx.post(server.graphql_url, timeout=10, json={
        "query": "{ articles(first: 100, orderBy: [DATE_DESC]) { nodes { slug } } }"})
    return [node["slug"] for node in response.json()["data"]["articles"]["nodes"]]


def test_pagination_across_a_content_load_neither_repeats_nor_skips(apollo, tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for source in [*sorted((REPO / "content").glob("*.md")), *sorted(FIXTURES.glob("en-0[1-5]-*.md"))]:
        shutil.copy(source, content / source.name)
    db = tmp_path / "content.db"
    load(content, db)
    with serve(db, tmp_path / "serve.log", {}) as server:
        before = all_slugs(server)
        assert len(before) >= 7
        process = subprocess.Popen(["node", "src/node.js", "paginate", server.graphql_url, "2"], cwd=APOLLO,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        try:
            assert json.loads(process.stdout.readline()) == {"waiting": True}, process.stderr.read()
            # Between pages: a new newest article (shifts every offset by one) and
            # one article the client has not reached yet is deleted.
            (content / "newest.md").write_text(NEWEST, encoding="utf-8")
            gone = before[-2]
            removed = [path for path in content.glob("*.md")
                       if path.stem == gone or f"slug: {gone}" in path.read_text(encoding="utf-8")]
            assert len(removed) == 1, gone
            removed[0].unlink()
            load(content, db)
            after = all_slugs(server)
            assert after[0] == "newest-while-paging" and gone not in after
            out, err = process.communicate("go\n", timeout=NODE_TIMEOUT)
        finally:
            stop_process(process)
    assert process.returncode == 0, err
    result = json.loads(out.splitlines()[-1])
    seen = [slug for page in result["pages"] for slug in page]
    first_page = result["pages"][0]
    assert first_page == before[:2]
    # The rest is exactly what follows the first page in the new order.
    assert seen == first_page + after[after.index(first_page[-1]) + 1:]
    assert len(seen) == len(set(seen))
    # Apollo's cache merged the pages in the same order.
    assert result["merged"] == seen


# -- the browser page, from a second origin ------------------------------------------


@pytest.fixture()
def apollo_origin(apollo):
    with static_origin(apollo, free_port()) as origin:
        yield origin


def run_page(browser, origin: str, api_url: str) -> tuple[str, str]:
    browser.get("about:blank")
    browser.get(f"{origin}/index.html?api={quote(api_url, safe='')}")
    WebDriverWait(browser, 20).until(
        lambda d: d.find_element(By.ID, "result").get_attribute("data-state") != "running")
    result = browser.find_element(By.ID, "result")
    return result.get_attribute("data-state"), result.text


def test_a_cross_origin_page_sends_every_app_header(browser, apollo_origin, extra_server):
    server = extra_server(CONTENT_API_CORS_ORIGINS=apollo_origin)
    with fresh_logs(browser):
        state, text = run_page(browser, apollo_origin, server.graphql_url)
        requests = requested_urls(browser)
    assert state == "done", text
    result = json.loads(text)
    assert result["totalCount"] >= 3 and len(result["titles"]) == 2
    assert non_loopback(requests) == []


def test_an_origin_the_api_does_not_allow_is_refused_by_the_browser(browser, apollo_origin, extra_server):
    server = extra_server(CONTENT_API_CORS_ORIGINS="http://127.0.0.1:9")
    state, text = run_page(browser, apollo_origin, server.graphql_url)
    assert state == "error"
    assert "fetch" in text.lower()


def test_a_header_the_api_does_not_allow_fails_the_preflight(browser, apollo_origin, extra_server):
    # The same page against an API that allows only Content-Type: the preflight
    # for Apollo's identification and tracing headers is refused.
    server = extra_server(CONTENT_API_CORS_ORIGINS=apollo_origin, CONTENT_API_CORS_ALLOW_HEADERS="Content-Type")
    state, text = run_page(browser, apollo_origin, server.graphql_url)
    assert state == "error"
    assert "fetch" in text.lower()
