"""Values that exist in a store (IDs, cursors, slugs, tags), for generated
operations to use as arguments: one query, and what it yields."""

from __future__ import annotations

SEED_QUERY = """{
  articles(first: 100) { edges { cursor node { id slug tags
    trends { id routes { id } advice { id } sections { id } } sections { id } } } }
  search(query: "AI", first: 5) { edges { cursor } }
}"""


def store_values(body: dict) -> dict[str, list[str]]:
    """The IDs, cursors, slugs and tags in the answer ``body`` to SEED_QUERY."""
    found: dict[str, list[str]] = {"ids": [], "cursors": [], "slugs": [], "tags": []}
    for edge in body["data"]["articles"]["edges"]:
        article = edge["node"]
        found["cursors"].append(edge["cursor"])
        found["slugs"].append(article["slug"])
        found["tags"].extend(article["tags"])
        found["ids"].append(article["id"])
        found["ids"].extend(s["id"] for s in article["sections"])
        for trend in article["trends"]:
            found["ids"].append(trend["id"])
            for kind in ("routes", "advice", "sections"):
                found["ids"].extend(item["id"] for item in trend[kind])
    found["cursors"].extend(e["cursor"] for e in body["data"]["search"]["edges"])
    return found
