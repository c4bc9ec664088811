"""The cache tier benchmark: Varnish (deploy/varnish/run) in front of two replicas,
against one replica direct, and what a publish costs the cache.

    python -m bench.cache_tier --count 1000     # after `make bench` built the corpus
    (`make bench` runs it as its last phase; `--skip-tier` leaves it out)

Throughput, side by side in one run, alternated (tier, direct, tier, direct;
the better of two runs each is kept), with wrk:
  a   (a) article(slug) with every nested field as a GET, over 256 slugs in
      turn, every one requested once before (Varnish: cache hits; the replica:
      its in-memory response cache)
  d   (a) for one slug with its ETag in If-None-Match: 304 (Varnish answers
      from its cache; the replica from api.not_modified)
Hit ratio after a publish: the tier is warmed with one GET per article page
plus list pages and searches, then two publishes follow the documented steps
(load --changed-keys, copy and rename the file on each replica, purge
--replica … --cache …), and the same requests are replayed after each:
  one article   one article's text changed: its key and the collection keys
  full bump     a settings change, so every article's version changes (what
                every publish meant when ETags and cached responses hung on the
                one global version)
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench import corpus, queries, servers, wrk
from bench.http_bench import Outcome, _measure

RUN = servers.ROOT / "deploy" / "varnish" / "run"
CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=30, stale-if-error=86400"
ROTATE = 256


def _get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, \
                response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def _path(query: str, variables: dict | None = None) -> str:
    params = {"query": query}
    if variables:
        params["variables"] = json.dumps(variables, separators=(",", ":"))
    return "/graphql?" + urllib.parse.urlencode(params)


def _checked(url: str) -> dict:
    status, headers, body = _get(url)
    payload = json.loads(body)
    if status != 200 or payload.get("errors"):
        raise RuntimeError(f"{url[:120]}: HTTP {status}: {body[:300]!r}")
    return headers


def _replay(base: str, paths: list[str]) -> dict:
    """Every path once, 8 at a time: X-Cache counts, seconds, failures."""
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda p: _get(base + p), paths))
    seconds = time.perf_counter() - started
    counts: dict[str, int] = {}
    for status, headers, _ in replies:
        what = headers.get("x-cache", "none") if status == 200 else f"http-{status}"
        counts[what] = counts.get(what, 0) + 1
    return {"requests": len(paths), "seconds": round(seconds, 2), "x_cache": counts,
            "hit_ratio": round(counts.get("hit", 0) / len(paths), 4)}


def _years(db: Path) -> list[int]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute(
            "SELECT DISTINCT year FROM articles ORDER BY year DESC LIMIT 5")]
    finally:
        conn.close()


def _workload(slugs: list[str], years: list[int]) -> list[str]:
    """One article page per article, list pages of up to five years, ten searches."""
    paths = [_path(queries.ARTICLE, {"slug": s}) for s in slugs]
    for year in years:
        for order in ("DATE_DESC", "TITLE_ASC"):
            paths.append(_path("query ($y: Int) { articles(first: 20, filter: {year: $y}, "
                               f"orderBy: [{order}]) {{ totalCount nodes {{ slug title }} }} }}",
                               {"y": year}))
    for term in ("芯片", "隐私", "edge", "模型", "web", "AI", "安全", "数据", "cloud", "云"):
        paths.append(_path(queries.SEARCH, {"q": term}))
    return paths


def _publish(tier_dir: Path, content: Path, built: Path, replicas: list, cache_url: str,
             log) -> dict:
    keys = tier_dir / "changed.keys"
    started = time.perf_counter()
    load = subprocess.run([str(servers.VENV_BIN / "content-api"), "load", str(content),
                           "--db", str(built), "--changed-keys", str(keys)],
                          capture_output=True, text=True, timeout=600)
    if load.returncode != 0:
        raise RuntimeError(f"load failed: {load.stderr[-500:]}")
    loaded = time.perf_counter() - started
    for replica in replicas:
        fresh = replica.db_path.with_name(replica.db_path.name + ".new")
        shutil.copyfile(built, fresh)
        fresh.replace(replica.db_path)
    command = [str(servers.VENV_BIN / "content-api"), "purge", "--keys-file", str(keys),
               "--cache", cache_url]
    for replica in replicas:
        command += ["--replica", replica.url]
    purge = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if purge.returncode != 0:
        raise RuntimeError(f"purge failed: {purge.stdout[-300:]} {purge.stderr[-500:]}")
    listed = [k for k in keys.read_text().splitlines() if k and not k.startswith("#")]
    log(f"  published: {len(listed)} keys; load {loaded:.1f} s; {purge.stdout.strip()[-120:]}")
    return {"keys": len(listed), "load_s": round(loaded, 2),
            "publish_s": round(time.perf_counter() - started, 2)}


def run(db: Path, content_dir: Path, slugs: list[str], log, duration_s: float = 5.0,
        levels: tuple[int, ...] = (8, 32)) -> dict:
    if not wrk.available():
        raise RuntimeError("wrk is not installed (Debian package `wrk`)")
    if shutil.which("varnishd") is None:
        raise RuntimeError("varnishd is not installed (`make varnish`)")
    tier_dir = servers.OUT / "tier"
    shutil.rmtree(tier_dir, ignore_errors=True)
    tier_dir.mkdir(parents=True)
    content = tier_dir / "content"
    shutil.copytree(content_dir, content)
    built = tier_dir / "build.db"
    shutil.copyfile(db, built)
    # Catch up with the corpus as it is now, so that a publish below changes only its edit.
    subprocess.run([str(servers.VENV_BIN / "content-api"), "load", str(content), "--db",
                    str(built), "--no-progress"], check=True, capture_output=True, timeout=900)
    replicas = []
    for n in (1, 2):
        copy = tier_dir / f"replica-{n}.db"
        shutil.copyfile(built, copy)
        replica = servers.ours(copy, name=f"replica-{n}")
        replica.env.update({"CONTENT_API_CACHE_CONTROL": CACHE_CONTROL,
                            "CONTENT_API_RELOAD_CHECK_SECONDS": "0.2"})
        replica.db_path = copy
        replicas.append(replica)
    port = servers.free_port()
    varnish = servers.Server("varnish", [str(RUN), str(port), *(str(r.port) for r in replicas)],
                             port, "/healthz", {"VARNISH_WORKDIR": str(tier_dir / "varnish")})
    out = Outcome()
    result: dict = {"levels": list(levels), "duration_s": duration_s}
    try:
        for server in (*replicas, varnish):
            server.start()
        log(f"cache tier: varnish on {varnish.url} -> {', '.join(r.url for r in replicas)}")
        direct = replicas[0]
        step = max(1, len(slugs) // ROTATE)
        paths_a = [_path(queries.ARTICLE, {"slug": s}) for s in slugs[::step][:ROTATE]]
        for path in paths_a:  # warm both: each page once through the tier and once direct
            _checked(varnish.url + path)
            _checked(direct.url + path)
        etag = _checked(varnish.url + paths_a[0])["etag"]
        for base in (varnish.url, direct.url):
            status, _, _ = _get(base + paths_a[0], {"If-None-Match": etag})
            if status != 304:
                raise RuntimeError(f"(d) at {base}: {status}, not 304")
        best: dict[tuple[str, str, int], wrk.Result] = {}
        for connections in levels:
            for _ in range(2):
                for server in (varnish, direct):
                    for scenario, kwargs in (("a", {"paths": paths_a}),
                                             ("d", {"paths": [paths_a[0]],
                                                    "if_none_match": etag})):
                        measured = _measure(out, log, server, scenario, connections, duration_s,
                                            record=False, path="", **kwargs)
                        key = (server.name, scenario, connections)
                        if key not in best or measured.rps > best[key].rps:
                            best[key] = measured
        result["throughput"] = [r.as_dict() for r in best.values()]
        result["notes"] = out.notes

        workload = _workload(slugs, _years(db))
        log(f"  warming the tier with {len(workload)} requests")
        result["warm"] = _replay(varnish.url, workload)
        result["warm_again"] = _replay(varnish.url, workload)
        corpus.edit_one(content / f"{slugs[len(slugs) // 2]}.md", "by the cache tier benchmark")
        result["one_article"] = {**_publish(tier_dir, content, built, replicas, varnish.url, log),
                                 **_replay(varnish.url, workload)}
        log(f"  after a one-article publish: {result['one_article']['hit_ratio']:.1%} hits")
        (content / "content-api.toml").write_text("max_warnings_per_file = 99\n",
                                                  encoding="utf-8")
        result["full_bump"] = {**_publish(tier_dir, content, built, replicas, varnish.url, log),
                               **_replay(varnish.url, workload)}
        log(f"  after a full-version bump: {result['full_bump']['hit_ratio']:.1%} hits")
    finally:
        varnish.stop()
        for replica in replicas:
            replica.stop()
    return result


def _begin(count: int) -> str:
    return f"<!-- bench:cache-tier:{count}:begin -->"


def _end(count: int) -> str:
    return f"<!-- bench:cache-tier:{count}:end -->"


def section(count: int, run: dict) -> str:
    lines = [_begin(count), f"## Cache tier: {count:,} articles", "",
             f"`python -m bench.cache_tier --count {count}` (part of `make bench`), "
             f"{run['date']}, commit {run['code']}, {run['machine']}. Varnish 7.1 "
             "(deploy/varnish/run) in front of two `serve --production` replicas, each with "
             "its own copy of the file; wrk, Varnish and both replicas share the machine's "
             "CPUs. Method: bench/cache_tier.py.", "",
             "| target | scenario | conns | ok req/s | p50 ms | p99 ms | responses | failed |",
             "|---|---|--:|--:|--:|--:|--:|--:|"]
    names = {"a": "(a) article(slug) GET, 256 slugs, all cached",
             "d": "(d) (a) + If-None-Match → 304"}
    results = run["throughput"]
    for r in results:
        target = "Varnish → 2 replicas" if r["server"] == "varnish" else "one replica, direct"
        lines.append(f"| {target} | {names[r['scenario']]} | {r['connections']} "
                     f"| {r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} "
                     f"| {r['requests']:,} | {wrk.failures(r['errors'])} |")
    lines += ["", "| scenario | conns | Varnish / direct throughput |", "|---|--:|--:|"]
    for scenario in ("a", "d"):
        for c in run["levels"]:
            tier = next((r for r in results if r["server"] == "varnish"
                         and r["scenario"] == scenario and r["connections"] == c), None)
            one = next((r for r in results if r["server"] != "varnish"
                        and r["scenario"] == scenario and r["connections"] == c), None)
            if tier and one and one["rps"]:
                lines.append(f"| ({scenario}) | {c} | {tier['rps'] / one['rps']:.2f}× |")
    lines += ["", "The same requests replayed (8 at a time) after each publish; `X-Cache` as "
              "the tier's VCL reports it:", "",
              "| replay | keys purged | requests | hits | hit ratio | other (X-Cache) | seconds |",
              "|---|--:|--:|--:|--:|---|--:|"]
    for name, label in (("warm", "first pass (cold)"), ("warm_again", "second pass"),
                        ("one_article", "after a one-article publish"),
                        ("full_bump", "after a full-version bump (settings change)")):
        r = run[name]
        other = ", ".join(f"{k} {v}" for k, v in sorted(r["x_cache"].items()) if k != "hit")
        lines.append(f"| {label} | {r.get('keys', '–')} | {r['requests']:,} "
                     f"| {r['x_cache'].get('hit', 0):,} | {r['hit_ratio']:.1%} | {other or '–'} "
                     f"| {r['seconds']:.1f} |")
    if run.get("notes"):
        lines += ["", *(f"- {note}" for note in run["notes"])]
    lines.append(_end(count))
    return "\n".join(lines)


def write(path: Path, count: int, run: dict) -> None:
    """Replace (or append) the cache tier section for ``count`` in ``path``."""
    text = path.read_text(encoding="utf-8")
    new = section(count, run)
    pattern = re.compile(re.escape(_begin(count)) + r".*?" + re.escape(_end(count)), re.S)
    text = pattern.sub(lambda _: new, text) if pattern.search(text) else \
        text.rstrip("\n") + "\n\n" + new + "\n"
    path.write_text(text, encoding="utf-8")


def measure_and_report(db: Path, content: Path, slugs: list[str], log, count: int,
                       duration_s: float, report: Path, machine: str, code: str) -> dict:
    """Run the benchmark, keep its JSON in bench/out and its section in ``report``."""
    result = run(db, content, slugs, log, duration_s)
    result.update({"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                   "machine": machine, "code": code})
    (servers.OUT / f"cache-tier-{count}.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    write(report, count, result)
    return result


def main(argv: list[str] | None = None) -> int:
    from bench.__main__ import code_version, log, machine, slugs_of

    parser = argparse.ArgumentParser(prog="python -m bench.cache_tier",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=corpus.DEFAULT_COUNT)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--report", type=Path, default=servers.ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    content = servers.OUT / f"corpus-{args.count}"
    db = servers.OUT / f"bench-{args.count}.db"
    if not db.exists() or not content.is_dir():
        corpus.write_corpus(content, args.count, corpus.DEFAULT_SEED)
        subprocess.run([str(servers.VENV_BIN / "content-api"), "load", str(content),
                        "--db", str(db)], check=True, capture_output=True, timeout=900)
    info = machine()
    described = f"{info['nproc']} CPUs ({info['cpu']})"
    measure_and_report(db, content, slugs_of(db), log, args.count, args.duration, args.report,
                       described, code_version())
    return 0


if __name__ == "__main__":
    sys.exit(main())
