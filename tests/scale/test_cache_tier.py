"""The cache tier for real: varnishd with deploy/varnish/default.vcl in front of two
`content-api serve` replicas on loopback (tests/scale/tier.py)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import threading
import time
import urllib.parse
import urllib.request

from loader.keys import article_key
from tests.scale.tier import ACCEPT, ARTICLE_BY_VARIABLE, graphql_url, http_get
from tests.support.live_server import CONTENT_API

A, B, C = "2024-ai-trends", "2025-web-platform-trends", "edge-ai-privacy-2025"
FILES = {A: "2024-ai-trends.md", B: "2025-web-platform-trends.md",
         C: "2025-edge-ai-privacy.md"}
ARTICLE = '{ article(slug: "%s") { slug title } }'
LIST = "{ articles(first: 10) { nodes { slug title } } }"
SEARCH = '{ search(query: "%s") { totalCount nodes { article { slug title } } } }'
PERSISTED = "{ articles(first: 3) { totalCount nodes { slug } } }"


def _register(replica_url: str, query: str) -> str:
    """Register ``query`` as a persisted query with one replica; its hash."""
    digest = hashlib.sha256(query.encode()).hexdigest()
    body = json.dumps({"query": query, "extensions": {
        "persistedQuery": {"version": 1, "sha256Hash": digest}}}).encode()
    request = urllib.request.Request(replica_url + "/graphql", data=body, headers={
        "Content-Type": "application/json", "Accept": ACCEPT})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    return digest


def _persisted_url(base: str, digest: str) -> str:
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}},
                            separators=(",", ":"))
    return f"{base}/graphql?{urllib.parse.urlencode({'extensions': extensions})}"


def _workload(tier) -> list[str]:
    """Ten different cacheable GETs: short queries, variables, a persisted hash."""
    digest = [_register(r.url, PERSISTED) for r in tier.replicas][0]
    urls = [graphql_url(tier.url, ARTICLE % slug) for slug in (A, B, C)]
    urls += [graphql_url(tier.url, ARTICLE_BY_VARIABLE, {"slug": slug}) for slug in (A, B)]
    urls += [graphql_url(tier.url, LIST), graphql_url(tier.url, SEARCH % "AI"),
             graphql_url(tier.url, SEARCH % "隐私"), graphql_url(tier.url, "{ tags { name } }"),
             _persisted_url(tier.url, digest)]
    return urls


def test_a_repeated_workload_is_served_from_the_cache(tier):
    urls = _workload(tier)
    before = tier.stats()
    seen, bodies = [], {}
    for _ in range(25):
        for url in urls:
            reply = http_get(url)
            assert reply.status == 200, reply.body[:300]
            assert "errors" not in reply.json(), reply.body[:300]
            assert bodies.setdefault(url, reply.body) == reply.body
            seen.append(reply.cache)
    hits = seen.count("hit") / len(seen)
    assert hits >= 0.95, seen[:30]
    # Varnish's own counters agree.
    after = tier.stats()
    hit = after["MAIN.cache_hit"] - before["MAIN.cache_hit"]
    miss = after["MAIN.cache_miss"] - before["MAIN.cache_miss"]
    assert hit + miss == len(seen) and hit / (hit + miss) >= 0.95
    # Uncacheable requests go through: a POST, and a long query string.
    long_query = "{ articles(first: 1) { nodes { slug } } }" + " " * 3000
    assert tier.get(long_query).cache == "pass"


def test_a_publish_refreshes_exactly_what_it_changed(tier):
    a, b = (graphql_url(tier.url, ARTICLE % slug) for slug in (A, B))
    listing, search = graphql_url(tier.url, LIST), graphql_url(tier.url, SEARCH % "Zebracorn")
    for url in (a, b, listing, search):
        http_get(url)
    warm = {url: http_get(url) for url in (a, b, listing, search)}
    assert all(r.cache == "hit" for r in warm.values())
    assert warm[search].json()["data"]["search"]["totalCount"] == 0

    tier.edit_title(FILES[A], "Zebracorn: the 2024 trends")
    keys, output = tier.publish()
    assert keys == [article_key(A), "list", "search", "facets", "diagnostics"]
    assert "soft purge of 5 key(s)" in output

    fresh = http_get(a)
    assert fresh.cache == "miss" and fresh.status == 200
    assert fresh.json()["data"]["article"]["title"] == "Zebracorn: the 2024 trends"
    assert fresh.headers["etag"] != warm[a].headers["etag"]
    # The unaffected article is still a hit, with the ETag it had.
    untouched = http_get(b)
    assert untouched.cache == "hit" and untouched.body == warm[b].body
    assert untouched.headers["etag"] == warm[b].headers["etag"]
    # ...and a replica revalidates it (304) although its content version changed.
    for replica in tier.replicas:
        direct = http_get(graphql_url(replica.url, ARTICLE % B),
                          {"If-None-Match": warm[b].headers["etag"]})
        assert direct.status == 304
    # Lists and search that include the changed article are refreshed.
    titles = {n["slug"]: n["title"] for n in http_get(listing).json()["data"]["articles"]["nodes"]}
    assert titles[A] == "Zebracorn: the 2024 trends"
    found = http_get(search).json()["data"]["search"]
    assert found["totalCount"] >= 1
    assert {n["article"]["slug"] for n in found["nodes"]} == {A}
    # Once refreshed, they are hits again.
    assert http_get(a).cache == "hit" and http_get(listing).cache == "hit"


def test_a_hard_purge_drops_the_objects(tier):
    a = graphql_url(tier.url, ARTICLE % A)
    http_get(a)
    tier.edit_title(FILES[A], "Hard purged")
    _, output = tier.publish(hard=True)
    assert "hard purge" in output
    reply = http_get(a)
    assert reply.cache == "miss" and reply.json()["data"]["article"]["title"] == "Hard purged"


def test_expired_content_is_served_while_it_is_refreshed(short_lived_tier):
    tier = short_lived_tier
    url = graphql_url(tier.url, ARTICLE % B)
    assert http_get(url).cache == "miss" and http_get(url).cache == "hit"
    time.sleep(1.5)  # past max-age, within stale-while-revalidate
    stale = http_get(url)
    assert stale.status == 200 and stale.cache == "stale"
    # The background fetch (a conditional one: the replica answers 304) renews it.
    deadline = time.monotonic() + 5
    while (again := http_get(url)).cache != "hit":
        assert time.monotonic() < deadline, again.cache
        time.sleep(0.1)
    assert int(again.headers["age"]) <= 1 and again.body == stale.body


def test_trusted_documents_are_cached_by_id(trusted_tier):
    tier = trusted_tier
    digest = hashlib.sha256(ARTICLE_BY_VARIABLE.encode()).hexdigest()
    url = f"{tier.url}/graphql?" + urllib.parse.urlencode(
        {"documentId": f"sha256:{digest}", "variables": json.dumps({"slug": A})})
    first, second = http_get(url), http_get(url)
    assert first.status == 200 and first.json()["data"]["article"]["slug"] == A
    assert (first.cache, second.cache) == ("miss", "hit") and second.body == first.body
    # Text the manifest does not list is refused by the replica, and never stored.
    refused = [tier.get(LIST) for _ in range(2)]
    assert [r.cache for r in refused] == ["miss", "miss"]
    assert all(r.status == 400 for r in refused)
    assert refused[0].json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"


def _all_keys(tier):
    path = tier.root / "everything.keys"
    path.write_text("".join(f"{k}\n" for k in [article_key(s) for s in (A, B, C)] + [
        "list", "search", "facets", "diagnostics"]))
    return path


def test_stale_content_is_served_while_every_replica_is_down(tier):
    urls = _workload(tier)
    for url in urls:
        assert http_get(url).status == 200
    # Expire everything (as a publish would), then lose every replica.
    purge = subprocess.run([str(CONTENT_API), "purge", "--cache", tier.url,
                            "--keys-file", str(_all_keys(tier))],
                           capture_output=True, text=True, timeout=30)
    assert purge.returncode == 0, purge.stderr
    for replica in tier.replicas:
        replica.stop()
    # At once (the probes still say healthy: each fetch fails, the stale copy is served)...
    for url in urls:
        reply = http_get(url)
        assert reply.status == 200 and reply.cache == "stale", (url, reply.status)
    # ...and once the probes have marked both replicas sick.
    time.sleep(3.5)
    for url in urls:
        reply = http_get(url)
        assert reply.status == 200 and reply.cache == "stale"
        assert "errors" not in reply.json()
    never_cached = http_get(graphql_url(tier.url, ARTICLE % "never-asked"))
    assert never_cached.status == 503

    # The replicas come back on their ports: the tier recovers.
    for replica in tier.replicas:
        replica.start()
    deadline = time.monotonic() + 20
    while http_get(graphql_url(tier.url, ARTICLE % "never-asked")).status != 200:
        assert time.monotonic() < deadline, "the tier did not recover"
        time.sleep(0.2)
    refreshed = http_get(urls[0])
    assert refreshed.status == 200 and refreshed.cache in ("miss", "hit")
    assert http_get(urls[0]).cache == "hit"


def test_no_response_mixes_two_content_versions(tier):
    """Two articles change in one publish while clients read through the cache:
    every response holding either shows the titles of the version it names."""
    titles = {}

    def record_version() -> None:
        health = json.loads(urllib.request.urlopen(tier.replicas[0].url + "/healthz",
                                                   timeout=5).read())
        body = http_get(graphql_url(tier.replicas[0].url, LIST)).json()
        titles[health["contentVersion"]] = {n["slug"]: n["title"]
                                            for n in body["data"]["articles"]["nodes"]}

    record_version()
    urls = [graphql_url(tier.url, q) for q in (LIST, ARTICLE % A, ARTICLE % C, ARTICLE % B,
                                                SEARCH % "AI")]
    replies, stop = [], threading.Event()

    def read() -> None:
        while not stop.is_set() and len(replies) < 3000:
            for url in urls:
                replies.append(http_get(url))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        time.sleep(0.5)
        tier.edit_title(FILES[A], "Mixed? A new")
        tier.edit_title(FILES[C], "Mixed? C new")
        tier.publish()
        time.sleep(1.0)
    finally:
        stop.set()
        reader.join(timeout=60)
    record_version()
    assert len(titles) == 2
    checked = 0
    for reply in replies:
        assert reply.status == 200, reply.body[:200]
        body = reply.json()
        version = body["extensions"]["contentVersion"]
        assert version in titles
        shown = {}
        text = json.dumps(body["data"], ensure_ascii=False)
        for node in _articles(body["data"]):
            shown[node["slug"]] = node["title"]
        for slug in (A, C):
            if slug in shown:
                checked += 1
                assert shown[slug] == titles[version][slug], (version, shown, text[:300])
    assert checked > 20
    final = http_get(urls[0]).json()
    assert {n["slug"]: n["title"] for n in final["data"]["articles"]["nodes"]}[A] == "Mixed? A new"


def _articles(data) -> list[dict]:
    """Every object with a slug and a title in a response's data."""
    found = []
    if isinstance(data, dict):
        if "slug" in data and "title" in data:
            found.append(data)
        for value in data.values():
            found += _articles(value)
    elif isinstance(data, list):
        for value in data:
            found += _articles(value)
    return found
