"""HTML safety through the live API: hostile markup in every slot of an article.

The article puts every payload of ``html_checks.PAYLOADS`` (script, on*
handlers, javascript:/data: URLs, iframes, svg onload, style, object/embed,
mXSS shapes...) both as HTML blocks and inline, into the intro, the status
intro, key points, a route's intro, pros and cons, advice, extra sections and
the summary. Every text field is queried with ``format: HTML`` and parsed
with html5lib; nothing dangerous may be in the tree. A marker in each slot
proves the slot's content did come through (an empty field would pass
vacuously otherwise).
"""

from __future__ import annotations

import html5lib
import httpx
import pytest

from loader.blocks import render_html
from tests.security.html_checks import PAYLOADS, hostile_lines, problems
from tests.security.live import start_server

SLOTS = ["intro", "status", "keypoint", "route", "pro", "con", "advice", "section", "summary"]


def marker(slot: str) -> str:
    return f"marker{slot}ok"


def _paragraphs(slot: str) -> str:
    """The payloads as HTML blocks (own lines) and inline in a sentence, plus the marker."""
    lines = hostile_lines(slot)
    inline = " ".join(f"text {line} more" for line in lines)
    return "\n\n".join([f"Slot {marker(slot)} starts here.", *lines, inline])


def _items(slot: str, lead: str, numbered: bool = False) -> str:
    out = []
    for i, line in enumerate(hostile_lines(slot), start=1):
        bullet = f"{i}." if numbered else "-"
        out.append(f"{bullet} **{lead}**：{marker(slot)} {line}")
    return "\n".join(out)


def hostile_article() -> str:
    return f"""---
title: "Hostile <script>alert('title')</script> article"
date: 2025-03-01
description: "desc <img src=x onerror=alert(1)>"
tags:
  - security
slug: hostile
---

# Hostile markup everywhere

{_paragraphs("intro")}

## 一、Trend with hostile markup

### 1.1 技术现状

{_paragraphs("status")}

{_items("keypoint", "要点")}

### 1.2 技术路线对比

#### a. Hostile route <img src=x onerror=alert(0)>

{_paragraphs("route")}

{_items("pro", "优点")}
{_items("con", "缺点")}

#### b. Plain route

- **优点**：fine.
- **缺点**：fine.

### 1.3 对开发者的建议

{_items("advice", "建议", numbered=True)}

### 1.4 典型案例

{_paragraphs("section")}

## 总结

{_paragraphs("summary")}
"""


H = "format: HTML"
QUERY = f"""query($slug: String!) {{
  article(slug: $slug) {{
    intro({H}) summary({H}) body({H})
    sections {{ body({H}) }}
    trends {{
      statusIntro({H})
      keyPoints {{ text({H}) }}
      routes {{ name intro({H}) pros({H}) cons({H}) }}
      advice {{ text({H}) }}
      sections {{ heading body({H}) }}
    }}
  }}
}}"""
CONNECTIONS = f"""{{
  trends(first: 100) {{ nodes {{ statusIntro({H}) }} }}
  routes(first: 100) {{ nodes {{ intro({H}) pros({H}) cons({H}) }} }}
  advice(first: 100) {{ nodes {{ text({H}) }} }}
  search(query: "link", first: 100) {{ nodes {{ field snippet({H}) }} }}
}}"""


def _strings(value, path: str = ""):
    """(path, string) for every string in a JSON value."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else key)


def _text(fragment: str) -> str:
    root = html5lib.parseFragment(fragment, treebuilder="etree")
    return "".join(root.itertext())


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("hostile-server")
    content = workdir / "content"
    content.mkdir()
    (content / "hostile.md").write_text(hostile_article(), encoding="utf-8")
    server = start_server(content, workdir)
    try:
        yield server
    finally:
        server.stop()


def _post(server, query: str, variables: dict | None = None) -> dict:
    response = httpx.post(server.graphql_url, json={"query": query, "variables": variables},
                          timeout=10)
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


def test_the_check_catches_every_payload_before_sanitising():
    """The detector is not blind: rendered but unsanitised, every payload is caught."""
    for payload in PAYLOADS:
        if payload.startswith("<body"):
            continue  # a fragment parser drops <body>/<frameset> by itself
        rendered = render_html(payload.replace("{n}", "1"))
        assert problems(rendered), f"the check misses {payload!r}: {rendered!r}"


def test_every_slot_holds_hostile_markup(hostile_server):
    article = _post(hostile_server, QUERY, {"slug": "hostile"})["article"]
    assert article is not None
    trend = article["trends"][0]
    hostile_route = trend["routes"][0]
    slots = {
        "intro": article["intro"],
        "summary": article["summary"],
        "status": trend["statusIntro"],
        "keypoint": " ".join(k["text"] for k in trend["keyPoints"]),
        "route": hostile_route["intro"],
        "pro": " ".join(hostile_route["pros"]),
        "con": " ".join(hostile_route["cons"]),
        "advice": " ".join(a["text"] for a in trend["advice"]),
        "section": " ".join(s["body"] for s in trend["sections"] + article["sections"]),
    }
    assert set(slots) == set(SLOTS)
    for slot, html in slots.items():
        assert marker(slot) in _text(html), f"slot {slot} lost its content: {html[:300]!r}"
    assert len(trend["keyPoints"]) == len(PAYLOADS)
    assert len(hostile_route["pros"]) == len(PAYLOADS) == len(hostile_route["cons"])
    assert len(trend["advice"]) == len(PAYLOADS)


@pytest.mark.parametrize("query", ["article", "connections"])
def test_no_dangerous_markup_survives_in_any_html_field(hostile_server, query):
    data = (_post(hostile_server, QUERY, {"slug": "hostile"}) if query == "article"
            else _post(hostile_server, CONNECTIONS))
    fields = list(_strings(data))
    assert len(fields) > 80, len(fields)
    survivors = {path: found for path, html in fields if (found := problems(html))}
    assert not survivors, survivors


def test_safe_markup_is_kept(hostile_server):
    """Sanitising is not just deleting everything: a plain https link stays a link."""
    intro = _post(hostile_server, QUERY, {"slug": "hostile"})["article"]["intro"]
    root = html5lib.parseFragment(intro, treebuilder="etree", namespaceHTMLElements=False)
    hrefs = [a.get("href") for a in root.iter("a")]
    assert any(h and h.startswith("https://ok.invalid/intro") for h in hrefs), hrefs
    assert all(a.get("rel") == "noopener noreferrer" for a in root.iter("a") if a.get("href"))


def test_search_snippets_escape_and_mark(hostile_server):
    hits = _post(hostile_server, CONNECTIONS)["search"]["nodes"]
    assert hits
    for hit in hits:
        root = html5lib.parseFragment(hit["snippet"], treebuilder="etree",
                                      namespaceHTMLElements=False)
        tags = {el.tag for el in root.iter() if isinstance(el.tag, str)} - {"DOCUMENT_FRAGMENT"}
        # Snippets are escaped text: the only element in them is the highlight.
        assert tags <= {"mark"}, (hit["field"], hit["snippet"][:300])
        assert "mark" in tags


# -- markup that only becomes HTML when a fragment is rendered on its own -----------
#
# An indented code block is text in the whole document, so the loader's "no raw
# HTML here" shortcut skips sanitising the fragment; but the fragment is then
# stripped/dedented and rendered alone, where the same lines are an HTML block.

CODE_PAYLOAD = "<script>alert('{slot}')</script>\n{indent}<img src=x onerror=alert('{slot}')>"


def _code(slot: str, indent: str) -> str:
    return indent + CODE_PAYLOAD.format(slot=slot, indent=indent)


def indented_code_article() -> str:
    four, seven = " " * 4, " " * 7
    return f"""---
title: Indented code everywhere
date: 2025-03-02
slug: indented
---

# Indented code everywhere

{_code("intro", four)}

Intro text.

## 一、Trend

### 1.1 技术现状

{_code("status", four)}

- **要点**：point

{_code("keypoint", " " * 6)}

### 1.2 技术路线对比

#### a. Route

{_code("route", four)}

- **优点**：pro

{_code("pro", " " * 6)}

- **缺点**：con

{_code("con", " " * 6)}

### 1.3 对开发者的建议

1. **Advice**：text

{_code("advice", seven)}

### 1.4 典型案例

{_code("section", four)}

## 总结

{_code("summary", four)}
"""


@pytest.fixture(scope="module")
def indented_fields(tmp_path_factory) -> dict[str, str]:
    workdir = tmp_path_factory.mktemp("indented-server")
    content = workdir / "content"
    content.mkdir()
    (content / "indented.md").write_text(indented_code_article(), encoding="utf-8")
    server = start_server(content, workdir)
    try:
        article = _post(server, QUERY, {"slug": "indented"})["article"]
    finally:
        server.stop()
    trend = article["trends"][0]
    route = trend["routes"][0]
    return {
        "intro": article["intro"], "summary": article["summary"], "status": trend["statusIntro"],
        "keypoint": trend["keyPoints"][0]["text"], "route": route["intro"],
        "pro": " ".join(route["pros"]), "con": " ".join(route["cons"]),
        "advice": trend["advice"][0]["text"],
        "section": " ".join(s["body"] for s in trend["sections"] + article["sections"]),
    }


@pytest.mark.parametrize("slot", SLOTS)
def test_indented_code_does_not_turn_into_live_html(indented_fields, slot):
    html = indented_fields[slot]
    assert f"alert('{slot}')" in _text(html) or "alert" in html, (slot, html)  # content is there
    assert problems(html) == [], (slot, html)
