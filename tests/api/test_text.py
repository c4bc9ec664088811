"""Consistent text: titles and descriptions take `format` like every other text
and are sanitised the same way (PLAIN never holds markup), and what the source
does not have is null, never "" (which means "written empty")."""

from __future__ import annotations

import re

import pytest

from .helpers import build_db, gql, make_client

MARKED_UP = '''---
title: "**Bold** move: <script>alert(1)</script> `code` & <em>more</em>"
date: 2025-03-01
description: "A [linked](https://example.com) *description* <img src=x onerror=alert(1)>"
---

## Trend

### Status

- **Lead only**
- **Lead**: with text

### Advice

1. Advice without a lead-in.
2. **Titled**: advice with one.
'''

H1_TITLE = '''---
date: 2025-03-02
description: ""
---

# The *new* web, `2025`

Stray text before any trend.

## 1. Trend

### Status

- A point
'''

BLOCK_LOOKING_TITLE = '''---
title: "1. Numbers first"
date: 2025-03-03
---

## Trend

- A point
'''

NO_DESCRIPTION = '''---
title: Plain
date: 2025-03-04
---

## Trend

- A point
'''

MARKUP = re.compile(r"[<>*`]|&(amp|lt|gt);")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db = build_db(tmp_path_factory.mktemp("text"), {
        "marked-up.md": MARKED_UP, "h1-title.md": H1_TITLE, "block-title.md": BLOCK_LOOKING_TITLE,
        "no-description.md": NO_DESCRIPTION})
    return make_client(db)


FORMATS = """query ($slug: String!) { article(slug: $slug) {
  title plain: title(format: PLAIN) html: title(format: HTML) md: title(format: MARKDOWN)
  description descriptionHtml: description(format: HTML)
  descriptionMd: description(format: MARKDOWN)
} }"""


def article(client, slug: str, query: str = FORMATS) -> dict:
    return gql(client, query, {"slug": slug})["data"]["article"]


def test_a_frontmatter_title_in_three_formats(client):
    got = article(client, "marked-up")
    assert got["md"] == "**Bold** move: <script>alert(1)</script> `code` & <em>more</em>"
    assert got["title"] == got["plain"]  # PLAIN is the default
    assert not MARKUP.search(got["plain"]) and got["plain"].startswith("Bold move: ")
    assert "<strong>Bold</strong>" in got["html"] and "<code>code</code>" in got["html"]
    assert "<em>more</em>" in got["html"] and "&amp;" in got["html"]
    assert "script" not in got["html"] and not got["html"].startswith("<p>")


def test_a_description_is_sanitised_like_any_text(client):
    got = article(client, "marked-up")
    assert got["description"] == "A linked description"
    assert '<a href="https://example.com" rel="noopener noreferrer">linked</a>' in got["descriptionHtml"]
    assert "<em>description</em>" in got["descriptionHtml"] and "onerror" not in got["descriptionHtml"]
    assert got["descriptionMd"].startswith("A [linked](https://example.com)")


def test_an_h1_title_keeps_its_markup_in_markdown_and_html(client):
    got = article(client, "h1-title")
    assert (got["plain"], got["md"]) == ("The new web, 2025", "The *new* web, `2025`")
    assert got["html"] == "The <em>new</em> web, <code>2025</code>"


def test_a_title_is_never_read_as_a_block(client):
    got = article(client, "block-title")
    assert got["plain"] == got["html"] == got["md"] == "1. Numbers first"


def test_a_missing_description_is_null_and_an_empty_one_is_empty(client):
    assert article(client, "no-description")["description"] is None
    assert article(client, "no-description")["descriptionHtml"] is None
    assert article(client, "h1-title")["description"] == ""


ABSENT = """query ($slug: String!) { article(slug: $slug) {
  intro summary sections { heading body }
  trends { intro statusIntro statusOutro routesIntro adviceIntro adviceOutro
           keyPoints { label text html: text(format: HTML) }
           advice { label title text } }
} }"""


def test_absent_texts_are_null_in_every_format(client):
    got = article(client, "marked-up", ABSENT)
    assert got["intro"] is None and got["summary"] is None
    trend = got["trends"][0]
    assert [trend[k] for k in ("intro", "statusIntro", "statusOutro", "routesIntro", "adviceIntro",
                               "adviceOutro")] == [None] * 6
    lead_only, with_text = trend["keyPoints"]
    assert lead_only == {"label": "Lead only", "text": None, "html": None}
    assert with_text["label"] == "Lead" and with_text["text"] == "with text"
    untitled, titled = trend["advice"]
    assert untitled["label"] is None and untitled["title"] == ""  # title: deprecated, kept as was
    assert (titled["label"], titled["title"]) == ("Titled", "Titled")


def test_text_that_is_there_is_never_null(client):
    got = article(client, "h1-title", ABSENT)
    assert got["intro"] == "Stray text before any trend."
    assert got["trends"][0]["keyPoints"] == [{"label": None, "text": "A point", "html": "<p>A point</p>\n"}]


@pytest.mark.parametrize("title, plain", [("<div>Breaking</div> news", "Breaking news"),
                                          ("a<br>b", "a b"),
                                          ("x < y & `<b>`", "x < y & <b>")])
def test_plain_never_holds_a_tag(tmp_path, title, plain):
    db = build_db(tmp_path, {"t.md": f'---\ntitle: "{title}"\ndate: 2025-03-05\n---\n\n## T\n\n- p\n'})
    got = article(make_client(db), "t")
    assert got["plain"] == plain and "<div>" not in got["plain"]
    assert "script" not in got["html"]
