"""GraphiQL in a real headless Chromium against a live `content-api serve`.

Proves the IDE works offline: every request the page makes stays on loopback,
the query runs through the UI, the docs and explorer panels render, and a
missing install shows instructions instead of a blank page.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest
from graphql import build_schema
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.live_server import Server

from .conftest import REPO, SEED_TITLE, fresh_logs, non_loopback, requested_urls, save_screenshot

WAIT = 20  # seconds: upper bound for any single UI step

SEARCH_QUERY = """query FindChips {
  search(query: "芯片", first: 3) {
    totalCount
    nodes { field snippet article { title } }
  }
}"""


def editor_value(driver, selector: str) -> str:
    return driver.execute_script(
        "const el = document.querySelector(arguments[0]);"
        "return el && el.CodeMirror ? el.CodeMirror.getValue() : '';", selector)


def open_graphiql(driver, server: Server) -> None:
    driver.get(server.graphql_url)
    WebDriverWait(driver, WAIT).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, ".graphiql-execute-button")))
    # The schema arrives by introspection; wait for it so docs and explorer have data.
    WebDriverWait(driver, WAIT).until(
        lambda d: d.execute_script("return !!document.querySelector('.graphiql-query-editor .CodeMirror')"))


def run_and_wait_for(driver, text: str) -> dict:
    driver.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
    WebDriverWait(driver, WAIT).until(lambda d: text in editor_value(d, ".result-window .CodeMirror"))
    return json.loads(editor_value(driver, ".result-window .CodeMirror"))


def inject_and_run(driver, query: str, text: str, attempts: int = 3) -> dict:
    """Type ``query`` into the editor and run it until the result shows ``text``.

    Right after start-up GraphiQL may still settle its editor state (restoring
    the last tab, loading the schema) and run the previous query instead of
    ours; that is retried, a bounded number of times."""
    for attempt in range(attempts):
        driver.execute_script(
            "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(arguments[0]);",
            query)
        WebDriverWait(driver, WAIT).until(
            lambda d: editor_value(d, ".graphiql-query-editor .CodeMirror") == query)
        driver.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
        try:
            WebDriverWait(driver, WAIT if attempt == attempts - 1 else 5).until(
                lambda d: text in editor_value(d, ".result-window .CodeMirror"))
        except TimeoutException:
            continue
        return json.loads(editor_value(driver, ".result-window .CodeMirror"))
    raise AssertionError(f"{text!r} never appeared in the result pane")


def severe_console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def test_default_query_runs_through_the_ui_offline(browser, live_server):
    with fresh_logs(browser):
        open_graphiql(browser, live_server)
        result = run_and_wait_for(browser, SEED_TITLE)
        requests = requested_urls(browser)
        errors = severe_console_errors(browser)

    article = result["data"]["article"]
    assert article["title"] == SEED_TITLE
    assert [r["name"] for r in article["trends"][0]["routes"]] == ["大模型优先路线", "小模型专用路线"]
    # The title is on screen in the result pane, not only in the editor's model.
    pane = browser.find_element(By.CSS_SELECTOR, ".result-window").text
    assert SEED_TITLE in pane

    assert any(url.endswith("/graphiql/graphiql.js") for url in requests), requests
    assert any(url == live_server.graphql_url for url in requests)
    assert non_loopback(requests) == []
    assert errors == []  # no failed asset, integrity mismatch or CSP violation

    shot = save_screenshot(browser, "graphiql.png")
    if os.environ.get("UPDATE_DOCS_SCREENSHOT"):
        shutil.copyfile(shot, REPO / "docs" / "graphiql.png")


def test_injected_query_runs_and_shows_highlighted_snippets(browser, live_server):
    with fresh_logs(browser):
        open_graphiql(browser, live_server)
        result = inject_and_run(browser, SEARCH_QUERY, "<mark>")
        requests = requested_urls(browser)
    hits = result["data"]["search"]
    assert hits["totalCount"] > 0
    assert all("<mark>芯片</mark>" in hit["snippet"] for hit in hits["nodes"])
    assert non_loopback(requests) == []
    save_screenshot(browser, "graphiql-search.png")


def test_docs_panel_shows_schema_descriptions_and_explorer_plugin_loads(browser, live_server):
    schema = build_schema((REPO / "schema.graphql").read_text(encoding="utf-8"))
    article_doc = schema.query_type.fields["article"].description
    assert article_doc, "Query.article has a description in schema.graphql"

    open_graphiql(browser, live_server)
    browser.find_element(By.CSS_SELECTOR, '[aria-label="Show Documentation Explorer"]').click()
    WebDriverWait(browser, WAIT).until(
        lambda d: "Root Types" in d.find_element(By.CSS_SELECTOR, ".graphiql-plugin").text)
    browser.find_element(By.XPATH, "//div[contains(@class,'graphiql-plugin')]//a[normalize-space()='Query']").click()
    first_line = article_doc.splitlines()[0]
    WebDriverWait(browser, WAIT).until(
        lambda d: first_line in d.find_element(By.CSS_SELECTOR, ".graphiql-plugin").text)

    browser.find_element(By.CSS_SELECTOR, '[aria-label="Show GraphiQL Explorer"]').click()
    WebDriverWait(browser, WAIT).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, ".graphiql-explorer-root")))
    explorer_text = browser.find_element(By.CSS_SELECTOR, ".graphiql-explorer-root").text
    assert "article" in explorer_text.split() and "search" in explorer_text.split()


@pytest.fixture()
def server_without_assets(extra_server, tmp_path):
    """A second live server whose GraphiQL folder is empty, as before `make assets`."""
    return extra_server(CONTENT_API_GRAPHIQL_DIR=str(tmp_path / "not-installed"))


def test_missing_assets_show_install_instructions_not_a_blank_page(browser, server_without_assets):
    browser.get(server_without_assets.graphql_url)
    heading = WebDriverWait(browser, WAIT).until(EC.visibility_of_element_located((By.TAG_NAME, "h1")))
    assert "not installed" in heading.text
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "make assets" in body
    save_screenshot(browser, "graphiql-missing-assets.png")


def test_a_script_that_fails_to_load_gives_a_message_not_a_blank_page(browser, live_server):
    # Block one pinned asset inside the browser, as an integrity failure or a
    # half-installed folder would: init.js must explain instead of leaving a blank page.
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/graphiql/graphiql.js"]})
    try:
        browser.get(live_server.graphql_url)
        heading = WebDriverWait(browser, WAIT).until(
            EC.visibility_of_element_located((By.CSS_SELECTOR, "#graphiql h1")))
        assert heading.text == "GraphiQL could not start"
        text = browser.find_element(By.ID, "graphiql").text
        assert "GraphiQL" in text.split("did not load:")[1] and "make assets" in text
    finally:
        browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})

