"""examples/web in headless Chromium, served from a second loopback origin.

The page reads the API cross-origin, so rendering at all proves CORS works
from a real browser; the test then checks the comparison table, the numbered
advice, highlighted search snippets and a click-through to the hit's trend.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from .conftest import SEED_SLUG, SEED_TITLE, fresh_logs, non_loopback, requested_urls, save_screenshot

WAIT = 20


def page_url(web_origin: str, api_url: str, slug: str = SEED_SLUG) -> str:
    return f"{web_origin}/index.html?api={quote(api_url, safe='')}&slug={quote(slug)}"


def load_article(driver, url: str) -> None:
    # Leave the previous page first: otherwise the wait below can match the old
    # document's finished article, whose elements go stale once the new one renders.
    driver.get("about:blank")
    driver.get(url)
    WebDriverWait(driver, WAIT).until(
        lambda d: d.find_element(By.ID, "article").get_attribute("aria-busy") == "false"
        or "error" in (d.find_element(By.ID, "status").get_attribute("class") or ""))


def trend_sections(driver):
    return driver.find_elements(By.CSS_SELECTOR, "section.trend")


def test_article_renders_comparison_tables_and_numbered_advice(browser, live_server, web_server):
    with fresh_logs(browser):
        load_article(browser, page_url(web_server, live_server.graphql_url))
        requests = requested_urls(browser)

    assert browser.find_element(By.TAG_NAME, "h1").text == SEED_TITLE
    sections = trend_sections(browser)
    assert len(sections) == 3
    first = sections[0]
    table = first.find_element(By.CSS_SELECTOR, "table.routes")
    headers = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")][1:]
    assert headers == ["大模型优先路线", "小模型专用路线"]
    # Side by side: one pros cell and one cons cell per route, in route order.
    pros = [td.text for td in table.find_elements(By.CSS_SELECTOR, "td.pros")]
    cons = [td.text for td in table.find_elements(By.CSS_SELECTOR, "td.cons")]
    assert len(pros) == len(cons) == 2
    assert "泛化能力" in pros[0] and "计算成本" in cons[0]
    assert "成本低" in pros[1] and "泛化能力较差" in cons[1]

    advice = first.find_elements(By.CSS_SELECTOR, "ol.advice > li")
    assert [li.get_attribute("value") for li in advice] == ["1", "2", "3"]
    assert advice[0].find_element(By.TAG_NAME, "strong").text == "选择合适的模型规模"

    api_origin = live_server.url
    assert any(url.startswith(api_origin + "/graphql") for url in requests), "the page called the API"
    assert non_loopback(requests) == []
    save_screenshot(browser, "web-example.png")


def test_search_shows_highlighted_snippets_and_click_goes_to_the_trend(browser, live_server, web_server):
    load_article(browser, page_url(web_server, live_server.graphql_url))
    chip_trend = trend_sections(browser)[1]
    browser.execute_script("window.scrollTo(0, 0)")
    assert browser.execute_script(
        "return arguments[0].getBoundingClientRect().top > window.innerHeight", chip_trend), \
        "trend 2 starts below the fold, so a scroll is observable"

    box = browser.find_element(By.ID, "search-input")
    box.send_keys("芯片", Keys.ENTER)
    WebDriverWait(browser, WAIT).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, "#results li.hit mark, #results li.error")))
    assert not browser.find_elements(By.CSS_SELECTOR, "#results li.error"), \
        browser.find_element(By.ID, "results").text
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#results mark")]
    assert marks and all("芯片" in m for m in marks)

    anchor = chip_trend.get_attribute("id")
    link = next(a for a in browser.find_elements(By.CSS_SELECTOR, "#results li.hit a")
                if unquote(a.get_attribute("href")).endswith("#" + anchor))
    link.click()
    WebDriverWait(browser, WAIT).until(
        lambda d: unquote(d.execute_script("return location.hash")) == "#" + anchor)
    WebDriverWait(browser, WAIT).until(lambda d: d.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight;",
        chip_trend))
    assert browser.execute_script("return document.querySelector(':target') === arguments[0]", chip_trend)
    save_screenshot(browser, "web-example-search.png")


def test_snippet_insertion_keeps_only_text_and_mark(browser, live_server, web_server):
    load_article(browser, page_url(web_server, live_server.graphql_url))
    html = browser.execute_script("""
        const box = document.createElement('div');
        box.append(window.contentApp.safeSnippet(arguments[0]));
        return box.innerHTML;""", '<img src=x onerror="window.pwned=1">a <mark>芯片</mark> <b>b</b><script>window.pwned=2</script>')
    assert html == "a <mark>芯片</mark> b"
    assert browser.execute_script("return window.pwned === undefined")


@pytest.fixture()
def server_for_other_origin(extra_server):
    """A live server whose CORS list does not include the web example's origin."""
    return extra_server(CONTENT_API_CORS_ORIGINS="http://127.0.0.1:9")


def test_browser_blocks_the_page_when_cors_does_not_allow_its_origin(browser, server_for_other_origin, web_server):
    load_article(browser, page_url(web_server, server_for_other_origin.graphql_url))
    status = browser.find_element(By.ID, "status")
    assert "Could not load the article" in status.text
    assert not trend_sections(browser)


def test_the_loopback_check_would_catch_an_outside_request(browser, live_server, web_server):
    # Proves the network assertions can fail: a request to a reserved, never-resolving
    # host (the browser's resolver rules stop it too) shows up in the DevTools log.
    load_article(browser, page_url(web_server, live_server.graphql_url))
    with fresh_logs(browser):
        browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch('https://assets.invalid/app.js').catch(() => null).then(() => done());")
        requests = requested_urls(browser)
    assert non_loopback(requests) == ["https://assets.invalid/app.js"]
