"""A flood of texts the server has not seen, one request after another.

Sends N copies of (a), each made unique by a comment, to one `content-api
serve --production` worker over loopback, one at a time, and reports the
latency mean, p50, p99 and worst, and the worker's RSS at the end. What it
shows is what unseen texts leave behind (api.documents): the tail comes from
the garbage collector's full passes over whatever the worker keeps.

    python -m bench.unseen_flood DB [--count 3000] [--env NAME=VALUE ...]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import httpx

from bench import queries, servers


def flood(db: Path, count: int, env: dict[str, str]) -> dict:
    servers.OUT.mkdir(parents=True, exist_ok=True)
    server = servers.ours(db, response_cache=0, name="unseen-flood")
    server.env.update(env)
    with server, httpx.Client(base_url=server.url, timeout=30) as client:
        slug = client.post("/graphql", json={"query": "{ articles(first: 1) { nodes { slug } } }"}
                           ).json()["data"]["articles"]["nodes"][0]["slug"]
        times = []
        for n in range(count):
            body = {"query": f"{queries.ARTICLE}\n# unseen {n}", "variables": {"slug": slug}}
            start = time.perf_counter()
            response = client.post("/graphql", json=body)
            times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200 or "errors" in response.json():
                raise RuntimeError(f"request {n}: {response.status_code} {response.text[:200]}")
        rss = server.rss_mb()
    times.sort()
    return {"count": count, "mean_ms": statistics.mean(times), "p50_ms": times[count // 2],
            "p99_ms": times[int(count * 0.99)], "max_ms": times[-1], "rss_mb": rss}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.unseen_flood",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--env", action="append", default=[],
                        help="NAME=VALUE for the server, e.g. CONTENT_API_GC_FREEZE=0")
    args = parser.parse_args(argv)
    env = dict(item.split("=", 1) for item in args.env)
    row = flood(args.db, args.count, env)
    print(f"{row['count']} unseen texts: mean {row['mean_ms']:.2f} ms, p50 {row['p50_ms']:.2f}, "
          f"p99 {row['p99_ms']:.2f}, worst {row['max_ms']:.1f}; worker RSS {row['rss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
