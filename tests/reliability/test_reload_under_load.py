"""Reloads under load: a bounded loopback load test while the content is reloaded 10 times.

A live `content-api serve` answers a fixed number of concurrent clients for
LOAD_SECONDS (default 12) while `content-api load` commits 10 times into the
store, each time with the seed article's title changed to a new version
marker; the server notices each commit within a millisecond and pins new
requests to it. (`make bench` runs the same at 256 connections with a commit
every second.) The test shows:

- 0 failed requests (transport errors, non-200 statuses, GraphQL errors);
- every response is internally consistent and from one content version: the
  titles it holds (article, nested trend -> article, connection, search hit)
  are the title that version was loaded with, from a map version -> title built
  from the loads; /healthz only ever reports loaded versions;
- every version was served, the last one at the end, and none after a newer
  load finished plus the check period (the swap is noticed in time);
- no file-descriptor or memory growth: /proc/PID/fd and VmRSS of the server
  after the reloads (retired snapshots close when their last request ends)
  are within a small bound of before.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import time
from dataclasses import dataclass, field

import httpx
import pytest

from tests.reliability.chaos import committed_version
from tests.security.live import CONTENT, Server, load, start_server

LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", 12))
CONCURRENCY = int(os.environ.get("LOAD_CONCURRENCY", 8))
RELOADS = int(os.environ.get("LOAD_RELOADS", 10))
RELOAD_EVERY = 0.2  # seconds between the end of one load and the start of the next
CHECK_SECONDS = 0.05  # CONTENT_API_RELOAD_CHECK_SECONDS of the server under test
SWAP_SLACK = 0.1  # scheduling noise allowed on top of the check period
MAX_EXECUTION = 1.0
SETTLE = 1.5  # after the last reload: every request on an old snapshot is done
SEED_FILE = "2024-ai-trends.md"
SEED_SLUG = "2024-ai-trends"
BASE_TITLE = "2024 年人工智能领域的三大发展趋势分析"
FD_SLACK = 3
RSS_SLACK_KB = 16 * 1024

QUERY = """query($slug: String!) {
  article(slug: $slug) { title trends { article { title } } }
  articles(first: 10, orderBy: TITLE_ASC) { nodes { slug title } }
  search(query: "人工智能", first: 20, kinds: [ARTICLE, TREND]) { nodes { article { slug title } } }
}"""


@dataclass
class Outcome:
    kind: str
    seconds: float
    at: float  # monotonic time the request was sent
    version: str | None = None
    titles: list[str] = field(default_factory=list)
    failure: str | None = None


def seed_titles(data: dict) -> list[str]:
    """Every title of the seed article in one response, from every place it appears."""
    titles = [data["article"]["title"]]
    titles += [t["article"]["title"] for t in data["article"]["trends"]]
    titles += [n["title"] for n in data["articles"]["nodes"] if n["slug"] == SEED_SLUG]
    titles += [h["article"]["title"] for h in data["search"]["nodes"]
               if h["article"]["slug"] == SEED_SLUG]
    return titles


async def one_request(client: httpx.AsyncClient, server: Server, n: int) -> Outcome:
    kind = ("post", "get", "post", "health")[n % 4]
    at = time.monotonic()
    started = time.perf_counter()
    try:
        if kind == "health":
            response = await client.get(server.url + "/healthz")
        elif kind == "get":
            response = await client.get(server.graphql_url, params={
                "query": QUERY, "variables": '{"slug": "%s"}' % SEED_SLUG})
        else:
            response = await client.post(server.graphql_url, json={
                "query": QUERY, "variables": {"slug": SEED_SLUG}})
        seconds = time.perf_counter() - started
        if response.status_code != 200:
            return Outcome(kind, seconds, at, failure=f"{response.status_code}: {response.text[:200]}")
        body = response.json()
        if kind == "health":
            if body.get("articleCount") != 3 or body.get("status") != "ok":
                return Outcome(kind, seconds, at, failure=f"health {body}")
            return Outcome(kind, seconds, at, version=body["contentVersion"])
        if "errors" in body:
            return Outcome(kind, seconds, at, failure=f"errors {body['errors']}")
        return Outcome(kind, seconds, at, version=body["extensions"]["contentVersion"],
                       titles=seed_titles(body["data"]))
    except Exception as exc:  # any transport failure is a failed request
        return Outcome(kind, time.perf_counter() - started, at,
                       failure=f"{type(exc).__name__}: {exc}")


@pytest.fixture
def reload_server(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    server = start_server(content, tmp_path, env={
        "CONTENT_API_RELOAD_CHECK_SECONDS": str(CHECK_SECONDS),
        "CONTENT_API_MAX_EXECUTION_SECONDS": str(MAX_EXECUTION),
    })
    try:
        yield server, content
    finally:
        server.stop()


def test_reloads_under_load(reload_server):
    server, content = reload_server
    seed = content / SEED_FILE
    original = seed.read_text("utf-8")
    assert f'title: "{BASE_TITLE}"' in original
    versions = {committed_version(server.db): BASE_TITLE}
    loaded_at: dict[str, float] = {}
    outcomes: list[Outcome] = []
    samples: list[tuple[float, int, int]] = []  # (t, fds, rss kB)

    def reload(i: int) -> None:
        title = f"{BASE_TITLE} v{i}"
        seed.write_text(original.replace(f'title: "{BASE_TITLE}"', f'title: "{title}"'), "utf-8")
        load(content, server.db)
        version = committed_version(server.db)
        versions[version] = title
        loaded_at[version] = time.monotonic()

    async def run() -> tuple[float, tuple[int, int], tuple[int, int]]:
        limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
        async with httpx.AsyncClient(timeout=10, limits=limits) as client:
            started = time.monotonic()
            # Runs while reloading, then for at least LOAD_SECONDS in all and a little past
            # the last reload, so that "after" counts no snapshot still in use.
            stop = [float("inf")]
            counter = iter(range(10**9))

            async def worker() -> None:
                while time.monotonic() < stop[0]:
                    outcomes.append(await one_request(client, server, next(counter)))

            async def sampler() -> None:
                while time.monotonic() < stop[0]:
                    samples.append((time.monotonic() - started, server.fd_count(), server.rss_kb()))
                    await asyncio.sleep(0.25)

            async def reloader() -> None:
                await asyncio.sleep(1.5)  # warm up first: the baseline is a serving server
                for i in range(1, RELOADS + 1):
                    await asyncio.to_thread(reload, i)
                    await asyncio.sleep(RELOAD_EVERY)

            workers = [asyncio.create_task(worker()) for _ in range(CONCURRENCY)]
            sampling = asyncio.create_task(sampler())
            await asyncio.sleep(1.0)
            before = (server.fd_count(), server.rss_kb())
            await reloader()
            stop[0] = max(started + LOAD_SECONDS, time.monotonic() + SETTLE)
            await asyncio.gather(*workers, sampling)
            after = (server.fd_count(), server.rss_kb())
            return time.monotonic() - started, before, after

    elapsed, (fd_before, rss_before), (fd_after, rss_after) = asyncio.run(run())
    seed.write_text(original, "utf-8")

    failures = [o for o in outcomes if o.failure]
    latencies = sorted(o.seconds for o in outcomes)
    p50 = statistics.median(latencies)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    fd_peak = max(s[1] for s in samples)
    rss_peak = max(s[2] for s in samples)
    seen = {o.version for o in outcomes if o.version}
    rss_series = [kb // 1024 for _, _, kb in samples[::8]]
    print(f"\nreload under load: {len(outcomes)} requests in {elapsed:.1f} s "
          f"({len(outcomes) / elapsed:.0f} rps, concurrency {CONCURRENCY}), "
          f"{len(failures)} failed; p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms; "
          f"{len(versions)} versions loaded, {len(seen)} served; "
          f"fds {fd_before} -> peak {fd_peak} -> {fd_after}; "
          f"VmRSS {rss_before} -> peak {rss_peak} -> {rss_after} kB; "
          f"VmRSS every 2 s (MB): {rss_series}")

    assert len(versions) == RELOADS + 1, "every reload must produce a new content version"
    assert not failures, failures[:5]
    assert len(outcomes) > 200
    for outcome in outcomes:
        assert outcome.version in versions, f"unknown version {outcome.version}"
        expected = versions[outcome.version]
        # One version per response: every title in it is that version's title.
        assert outcome.titles == [expected] * len(outcome.titles), (outcome.version, outcome.titles)
        if outcome.kind != "health":
            assert len(outcome.titles) >= 4, outcome.titles  # the checks above are not vacuous
    per_version = {versions[v]: sum(o.version == v for o in outcomes) for v in versions}
    assert seen == set(versions), f"served {len(seen)} of {len(versions)} versions: {per_version}"
    # A replaced file is noticed within the check period: a request sent later than that
    # after a load finished never gets an older version.
    rank = {v: i for i, v in enumerate(sorted(versions, key=lambda v: loaded_at.get(v, 0.0)))}
    for outcome in outcomes:
        due = [rank[v] for v, when in loaded_at.items()
               if outcome.at > when + CHECK_SECONDS + SWAP_SLACK]
        assert rank[outcome.version] >= max(due, default=0), (
            f"{outcome.kind} sent {outcome.at:.3f} got {versions[outcome.version]!r}, "
            f"older than a load finished before it")
    final = server.health()["contentVersion"]
    assert versions[final] == f"{BASE_TITLE} v{RELOADS}"

    # Retired snapshots are closed after their grace period: no descriptor piles up.
    assert fd_after - fd_before <= FD_SLACK, (fd_before, fd_peak, fd_after)
    assert fd_peak - fd_before <= RELOADS + FD_SLACK, (fd_before, fd_peak, fd_after)
    assert rss_after - rss_before <= RSS_SLACK_KB, (rss_before, rss_peak, rss_after)
    assert server.alive() and "Traceback" not in server.log(), server.log()
