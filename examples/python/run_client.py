"""Run the ariadne-codegen client against a live server and check its typed results.

Usage (from this folder, after generating the client):
    .venv/bin/python run_client.py http://127.0.0.1:8000/graphql [SLUG] [SEARCH]
Prints a JSON summary on success; exits 1 with the reason on failure.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import sys

import httpx

from content_client import Client
from content_client.article_page import ArticlePageArticle
from content_client.exceptions import GraphQLClientError
from content_client.search import SearchSearchNodesNodeRoute, SearchSearchNodesNodeTrend


class CheckFailed(Exception):
    pass


def check(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(f"check failed: {message}")


async def list_all_slugs(client: Client) -> list[str]:
    slugs: list[str] = []
    after: str | None = None
    total = -1
    for _ in range(1000):  # page size 1 walks the cursors; bounded loop
        page = (await client.article_list(first=1, after=after)).articles
        total = page.total_count
        slugs.extend(edge.node.slug for edge in page.edges)
        if not page.page_info.has_next_page:
            break
        check(page.page_info.end_cursor, "a page with a next page has an endCursor")
        after = page.page_info.end_cursor
    check(len(slugs) == total, f"paged through {len(slugs)} of totalCount {total}")
    check(len(set(slugs)) == len(slugs), "no article appears on two pages")
    return slugs


def check_article(article: ArticlePageArticle) -> None:
    # The generated models parse the custom Date scalar into a real date.
    check(isinstance(article.date, datetime.date), "date is parsed into datetime.date")
    check(article.trends, "the article has trends")
    for index, trend in enumerate(article.trends, start=1):
        check(trend.position == index, f"trend positions are 1..n (got {trend.position})")
        for route in trend.routes:
            check(all(route.pros) and all(route.cons), f"route {route.name} has non-empty pros/cons")
        check([a.position for a in trend.advice] == list(range(1, len(trend.advice) + 1)), "advice is numbered 1..n")


async def run(endpoint: str, wanted_slug: str | None, term: str) -> dict:
    http = httpx.AsyncClient(timeout=10.0)
    async with Client(url=endpoint, http_client=http) as client:
        slugs = await list_all_slugs(client)
        slug = wanted_slug or slugs[0]
        check(slug in slugs, f"article {slug} is in the list")

        article = (await client.article_page(slug=slug)).article
        check(article is not None, f"article {slug} exists")
        assert article is not None  # narrows the Optional for type checkers
        check_article(article)
        check((await client.article_page(slug="no-such-article-slug")).article is None, "an unknown slug gives null")

        hits = (await client.search(query=term, first=10)).search
        check(hits.total_count > 0, f"search for {term} finds something")
        check(all("<mark>" in hit.snippet for hit in hits.nodes), "every snippet is highlighted")
        for hit in hits.nodes:
            # The node union is discriminated by __typename into typed models.
            if isinstance(hit.node, SearchSearchNodesNodeRoute):
                check(hit.node.trend.anchor, "a route hit knows its trend's anchor")
            if isinstance(hit.node, SearchSearchNodesNodeTrend):
                check(hit.node.anchor, "a trend hit has an anchor")

    return {
        "slugs": slugs,
        "title": article.title,
        "date": article.date.isoformat(),
        "trends": [
            {
                "title": trend.title,
                "anchor": trend.anchor,
                "keyPoints": len(trend.key_points),
                "routes": [route.name for route in trend.routes],
                "advice": [advice.label for advice in trend.advice],
            }
            for trend in article.trends
        ],
        "search": [
            {"type": hit.node.typename__, "article": hit.article.slug, "field": hit.field} for hit in hits.nodes
        ],
    }


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    endpoint, slug, term = argv[0], (argv[1] if len(argv) > 1 else None), (argv[2] if len(argv) > 2 else "芯片")
    try:
        summary = asyncio.run(run(endpoint, slug, term))
    except (CheckFailed, GraphQLClientError, httpx.HTTPError) as exc:
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
