"""Live anchors: every heading of an article's HTML carries its documented anchor as its id."""

from __future__ import annotations

import html5lib
import pytest

from loader.load import load_content
from tests.api.helpers import gql, make_client
from tests.support.paths import CONTENT, REAL_WORLD

QUERY = """query ($after: String) { articles(first: 50, after: $after) {
  pageInfo { hasNextPage endCursor }
  nodes { slug body(format: HTML) headings { anchor level } trends { anchor } } } }"""


def _ids(fragment: str) -> list[str]:
    tree = html5lib.parse(fragment, namespaceHTMLElements=False)
    return [element.get("id") for element in tree.iter() if element.get("id") is not None]


@pytest.mark.parametrize("folder", [CONTENT, REAL_WORLD], ids=["content", "real-world"])
def test_every_anchor_is_exactly_one_element_id(tmp_path, folder):
    db = tmp_path / "content.db"
    load_content(folder, db)
    with make_client(db, drafts=True) as client:
        articles, after = [], None
        while True:
            page = gql(client, QUERY, {"after": after})["data"]["articles"]
            articles += page["nodes"]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    assert articles
    for article in articles:
        ids = _ids(article["body"])
        anchors = [h["anchor"] for h in article["headings"]] + [t["anchor"] for t in article["trends"]]
        for anchor in anchors:
            assert ids.count(anchor) == 1, (article["slug"], anchor)
        assert len(ids) == len(article["headings"]), article["slug"]


def test_section_html_keeps_the_anchors_of_its_headings(tmp_path):
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "a.md").write_text("""---
title: A
date: 2025-01-01
description: d
---

## 1. Trend

### Current state

- **P**: t

### Case studies

#### A bank

Text.

#### A shop

Text.
""", "utf-8")
    load_content(folder, tmp_path / "c.db")
    with make_client(tmp_path / "c.db") as client:
        article = gql(client, '{ article(slug: "a") { headings { text anchor } '
                              'trends { sections { heading body(format: HTML) } } } }')["data"][
            "article"]
    [section] = article["trends"][0]["sections"]
    anchors = {h["text"]: h["anchor"] for h in article["headings"]}
    assert _ids(section["body"]) == [anchors["A bank"], anchors["A shop"]]
