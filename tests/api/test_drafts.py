"""A draft is never public: no article, list, search, facet, node, count or
diagnostic shows it. A preview server (serve --drafts) serves it, marked."""

from __future__ import annotations

import httpx
import pytest

from api import ids
from tests.api.helpers import SEED, build_db, gql, make_client
from tests.support.live_server import Server

DRAFT = """---
title: 草稿：尚未发布的量子计算观察
date: 2025-08-01
description: 一篇草稿。
tags: [量子, 草稿专用标签]
draft: true
---

# 草稿：尚未发布的量子计算观察

量子纠错的进展让独有词汇草稿秘密出现。

## 一、量子纠错

### 1.1 现状

- **逻辑比特**：草稿秘密的实验结果。

### 1.2 技术路线对比

#### a. 超导路线

- **优点**：草稿秘密路线的优点。
- **缺点**：成本高。

### 1.3 对开发者的建议

1. **关注**：草稿秘密建议。

### 1.4 未分类

草稿秘密的额外段落。
"""

EVERYTHING = """
query ($slug: String!, $ids: [ID!]!) {
  article(slug: $slug) { title }
  articles(first: 100) { totalCount edges { node { slug } } }
  byTag: articles(filter: {tags: ["草稿专用标签"]}) { totalCount }
  byYear: articles(filter: {year: 2025}) { edges { node { slug } } }
  byText: articles(filter: {query: "草稿秘密"}) { totalCount }
  trends(first: 100) { totalCount edges { node { title } } }
  routes(first: 100, filter: {pros: "草稿秘密"}) { totalCount }
  advice(first: 100, filter: {query: "草稿秘密"}) { totalCount }
  search(query: "草稿秘密") { totalCount edges { node { field } } }
  oneChar: search(query: "稿") { totalCount }
  tags { name count }
  years { year count }
  nodes(ids: $ids) { id }
  contentDiagnostics { path }
}
"""


@pytest.fixture(scope="module")
def draft_db(tmp_path_factory):
    return build_db(tmp_path_factory.mktemp("drafts"),
                    {SEED.name: SEED.read_text("utf-8"), "quantum-draft.md": DRAFT})


def _draft_ids() -> list[str]:
    return [ids.encode("Article", "quantum-draft"), ids.encode("Trend", "quantum-draft/1"),
            ids.encode("Route", "quantum-draft/1/r1"), ids.encode("Advice", "quantum-draft/1/a1"),
            ids.encode("Section", "quantum-draft/1/s1")]


def test_a_public_server_shows_no_trace_of_a_draft(draft_db):
    with make_client(draft_db) as client:
        data = gql(client, EVERYTHING, {"slug": "quantum-draft", "ids": _draft_ids()})["data"]
        health = client.get("/healthz").json()
    assert data["article"] is None
    assert [e["node"]["slug"] for e in data["articles"]["edges"]] == ["2024-ai-trends"]
    assert data["articles"]["totalCount"] == 1 and data["byTag"]["totalCount"] == 0
    assert [e["node"]["slug"] for e in data["byYear"]["edges"]] == ["2024-ai-trends"]
    assert data["byText"]["totalCount"] == 0
    assert data["trends"]["totalCount"] == 3, "the seed's trends only"
    assert data["routes"]["totalCount"] == data["advice"]["totalCount"] == 0
    assert data["search"]["totalCount"] == 0 and data["search"]["edges"] == []
    assert data["oneChar"]["totalCount"] == 0, "the literal scan hides drafts too"
    assert "草稿专用标签" not in {t["name"] for t in data["tags"]}
    assert {y["year"]: y["count"] for y in data["years"]} == {2025: 1}
    assert data["nodes"] == [None] * 5
    assert all(d["path"] != "quantum-draft.md" for d in data["contentDiagnostics"])
    assert health["articleCount"] == 1 and health["drafts"] == "hidden"


def test_a_preview_server_serves_drafts_marked(draft_db):
    with make_client(draft_db, drafts=True) as client:
        data = gql(client, EVERYTHING, {"slug": "quantum-draft", "ids": _draft_ids()})["data"]
        marked = gql(client, '{ a: article(slug: "quantum-draft") { draft } '
                             'b: article(slug: "2024-ai-trends") { draft } }')["data"]
    assert data["article"]["title"].startswith("草稿")
    assert data["articles"]["totalCount"] == 2 and data["byText"]["totalCount"] == 1
    assert data["search"]["totalCount"] >= 4 and data["oneChar"]["totalCount"] >= 4
    assert all(node is not None for node in data["nodes"])
    assert marked == {"a": {"draft": True}, "b": {"draft": False}}


def test_publishing_a_draft_makes_it_public(tmp_path):
    db = build_db(tmp_path, {"quantum-draft.md": DRAFT})
    with make_client(db) as client:
        assert gql(client, '{ search(query: "草稿秘密") { totalCount } }')["data"]["search"][
            "totalCount"] == 0
    build_db(tmp_path, {"quantum-draft.md": DRAFT.replace("draft: true", "draft: false")})
    with make_client(db) as client:
        data = gql(client, '{ search(query: "草稿秘密") { totalCount } '
                           'article(slug: "quantum-draft") { draft } }')["data"]
    assert data["search"]["totalCount"] >= 4 and data["article"] == {"draft": False}


def test_serve_drafts_flag_previews_with_private_caching(draft_db):
    query = {"query": '{ article(slug: "quantum-draft") { title draft } }'}
    with Server(draft_db).start() as public, httpx.Client(timeout=5.0) as client:
        response = client.get(public.url + "/graphql", params=query)
        assert response.json()["data"]["article"] is None
        assert response.headers["cache-control"].startswith("public")
    with Server(draft_db, args=("--drafts",)).start() as preview, \
            httpx.Client(timeout=5.0) as client:
        response = client.get(preview.url + "/graphql", params=query)
        assert response.json()["data"]["article"]["draft"] is True
        assert response.headers["cache-control"].startswith("private")
