"""Writing one run's results into BENCHMARKS.md.

BENCHMARKS.md keeps its hand-written top (the method) and one generated
section per corpus size, between markers, so the default run and the big run
sit side by side and each run replaces only its own section.
"""

from __future__ import annotations

import re
from pathlib import Path

from bench import inprocess, shapes
from bench.wrk import failures

TARGETS = {
    "full_load_ratio": 8.0,  # full load / bare parse (the performance issue's target)
    "store_ratio": 4.0,  # database bytes / markdown bytes
    "noop_reload_s": 1.0,
    "one_file_reload_s": 1.0,
    "vs_peer": 3.0,  # (a), (b): ours at least 3x datasette at p50 and throughput
    "d_vs_floor": 1.3,  # (d) throughput within 1.3x of the floor
    "warm_vs_floor": 1.3,  # repeated POST (response cache) within 1.3x of the floor
    "a_vs_floor": 3.0,  # (a) uncached within 3x of the static floor, 1 connection
    "unseen_vs_floor": 8.0,  # (a) as an unseen text within 8x of the static floor
    "search_p50_ms": 20.0,  # on 10,000 articles
    "rss_mb": 150.0,  # serving 10,000 articles
}

SCENARIO_NAMES = {
    "a": "(a) article(slug), all nested fields",
    "b": "(b) articles(first: 100), all nested fields",
    "c": "(c) search 芯片 (first 20)",
    "a-warm": "(a) same request repeated, response cache warm",
    "d": "(d) (a) as GET + If-None-Match → 304",
    "d-pq": "(d) as a persisted-query GET (hash, no query text) → 304",
    "floor": "floor: bytes of (a) from memory",
    "floor-post": "floor: bytes of (a) from memory, answering (a)'s POST",
    "a-side": "(a) article(slug), beside the floors",
    "a-data": "data floor: (a) by hand-written SQL + orjson",
    "floor-a": "floor: bytes of (a) from memory, beside (a)",
    "floor-a-post": "floor: bytes of (a) from memory, answering (a)'s POSTs",
    "a-unseen": "(a) as a text not seen before",
    "floor-unseen-post": "floor: bytes of (a) from memory, answering the unseen texts' POSTs",
}


def _begin(count: int) -> str:
    return f"<!-- bench:{count}:begin -->"


def _end(count: int) -> str:
    return f"<!-- bench:{count}:end -->"


def _mark(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def _find(results: list[dict], server: str, scenario: str, connections: int) -> dict | None:
    for r in results:
        if r["server"] == server and r["scenario"] == scenario and r["connections"] == connections:
            return r
    return None


def _latency_table(results: list[dict]) -> list[str]:
    lines = ["| server | scenario | conns | ok req/s | p50 ms | p95 ms | p99 ms | responses | failed "
             "| peak RSS MB (file-backed) |",
             "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for r in results:
        errors = failures(r["errors"])
        lines.append(
            f"| {r['server']} | {SCENARIO_NAMES.get(r['scenario'], r['scenario'])} "
            f"| {r['connections']} | {_rate(r['rps'])} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} "
            f"| {r['p99_ms']:.2f} | {r['requests']:,} | {errors} "
            f"| {r['rss_mb']:.0f} ({r.get('rss_file_mb', 0):.0f}) |")
    return lines


def _rate(rps: float) -> str:
    return f"{rps:,.1f}" if rps >= 10 else f"{rps:.2f}"


def _ratios(results: list[dict], levels: list[int], rounds: int = 2
            ) -> tuple[list[str], dict]:
    """Ours vs datasette for (a) and (b), and (d) vs the floor."""
    verdict: dict[str, bool | None] = {}
    lines = ["Ours vs datasette-graphql (ours with the response cache off):", "",
             "| query | conns | p50 speed-up (theirs / ours) | throughput ratio (ours / theirs) "
             "| target | result |", "|---|--:|--:|--:|---|---|"]
    for scenario in ("a", "b"):
        for c in levels:
            ours, peer = _find(results, "ours-nocache", scenario, c), _find(results, "datasette", scenario, c)
            if not ours or not peer or not peer["rps"]:
                continue
            if not ours["rps"]:  # nothing succeeded: no latency to compare
                verdict[f"({scenario}) >= 3x datasette, c={c}"] = False
                lines.append(f"| ({scenario}) | {c} | - | 0 (every response failed) | ≥ 3× both | FAIL |")
                continue
            speed = peer["p50_ms"] / ours["p50_ms"]
            thr = ours["rps"] / peer["rps"]
            ok = speed >= TARGETS["vs_peer"] and thr >= TARGETS["vs_peer"]
            verdict[f"({scenario}) >= 3x datasette, c={c}"] = ok
            lines.append(f"| ({scenario}) | {c} | {speed:,.1f}× | {thr:,.1f}× | ≥ 3× both | {_mark(ok)} |")
    lines += ["", "(d) against the floor (throughput is the target; p50 for information; best of "
              f"{rounds} runs each, alternated with the floor's):", "",
              "| conns | floor req/s | (d) req/s | floor / (d) throughput | (d) / floor p50 "
              "| target | result |", "|--:|--:|--:|--:|--:|---|---|"]
    for c in levels:
        d, fl = _find(results, "ours", "d", c), _find(results, "floor", "floor", c)
        if not d or not fl or not d["rps"]:
            continue
        thr = fl["rps"] / d["rps"]
        lat = d["p50_ms"] / fl["p50_ms"] if fl["p50_ms"] else float("inf")
        ok = thr <= TARGETS["d_vs_floor"]
        verdict[f"(d) within 1.3x of the floor, c={c}"] = ok
        lines.append(f"| {c} | {_rate(fl['rps'])} | {_rate(d['rps'])} | {thr:.2f}× | {lat:.2f}× "
                     f"| ≤ 1.3× | {_mark(ok)} |")
    pq_lines = []
    for c in levels:
        pq, fl = _find(results, "ours", "d-pq", c), _find(results, "floor", "floor", c)
        if pq and fl and pq["rps"]:
            pq_lines.append(f"| {c} | {_rate(fl['rps'])} | {_rate(pq['rps'])} "
                            f"| {fl['rps'] / pq['rps']:.2f}× | {pq['p50_ms'] / fl['p50_ms']:.2f}× |")
    if pq_lines:
        lines += ["", "For information, (d) as a persisted query (short URL):", "",
                  "| conns | floor req/s | (d-pq) req/s | floor / (d-pq) throughput "
                  "| (d-pq) / floor p50 |", "|--:|--:|--:|--:|--:|", *pq_lines]
    return lines, verdict


def _floor_ratios(results: list[dict], levels: list[int], rounds: int = 2
                  ) -> tuple[list[str], dict]:
    """Uncached, unseen and repeated requests against the static floor (throughput);
    ``rounds``: how many alternated runs each figure is the best of."""
    verdict: dict[str, bool | None] = {}
    lines = [f"Against the static floor at 1 connection (runs alternated, best of {rounds} "
             "each). Each request is a POST, and its target is against the floor answering "
             "the same POSTs (Uvicorn reads and parses a body for any app), as the repeated "
             "POST's below; the floor's GET, which has no body, is shown beside:", "",
             "| request | req/s | p50 ms | floor (same POSTs) / it | floor (GET) / it "
             "| it / floor (GET), p50 | target | result |",
             "|---|--:|--:|--:|--:|--:|---|---|"]
    floor = _find(results, "floor", "floor-a", 1)
    for server, scenario, same, target in (
            ("ours-nocache", "a-side", "floor-a-post", "a_vs_floor"),
            ("ours-nocache", "a-unseen", "floor-unseen-post", "unseen_vs_floor"),
            ("datafloor", "a-data", "floor-a-post", None)):
        row = _find(results, server, scenario, 1)
        if not floor or not row or not row["rps"]:
            continue
        posts = _find(results, "floor", same, 1)
        thr, lat = floor["rps"] / row["rps"], row["p50_ms"] / floor["p50_ms"]
        thr_same = posts["rps"] / row["rps"] if posts and posts["rps"] else None
        judged = thr_same if thr_same is not None else thr  # runs before the POST floors
        limit = TARGETS[target] if target else None
        if limit is not None:
            verdict[f"{SCENARIO_NAMES[scenario]} within {limit:g}x of the floor, c=1 "
                    f"({judged:.1f}x)"] = judged <= limit
        same_cell = f"{thr_same:.1f}×" if thr_same is not None else "–"
        lines.append(f"| {SCENARIO_NAMES[scenario]} | {_rate(row['rps'])} | {row['p50_ms']:.2f} "
                     f"| {same_cell} | {thr:.1f}× | {lat:.1f}× "
                     f"| {f'≤ {limit:g}×' if limit else 'the bound'} "
                     f"| {_mark(judged <= limit) if limit else ''} |")
    lines += ["", "Repeated POST of the same query (response cache) against the floor answering "
              f"the same POST (best of {rounds} runs each, alternated):", "",
              "| conns | floor req/s | repeated POST req/s | floor / it, throughput | target "
              "| result |", "|--:|--:|--:|--:|---|---|"]
    for c in levels:
        warm = _find(results, "ours", "a-warm", c)
        fl = _find(results, "floor", "floor-post", c) or _find(results, "floor", "floor", c)
        if not warm or not fl or not warm["rps"]:
            continue
        thr = fl["rps"] / warm["rps"]
        limit = TARGETS["warm_vs_floor"]
        ok = thr <= limit
        verdict[f"repeated POST within {limit:g}x of the floor, c={c} ({thr:.2f}x)"] = ok
        lines.append(f"| {c} | {_rate(fl['rps'])} | {_rate(warm['rps'])} | {thr:.2f}× | ≤ {limit:g}× "
                     f"| {_mark(ok)} |")
    return lines, verdict


def _workers_table(results: list[dict]) -> list[str]:
    rows = [r for r in results if r["server"] in ("ours-1w", "ours-2w")]
    if not rows:
        return []
    lines = ["| workers | conns | ok req/s | p50 ms | p99 ms | peak RSS MB (all processes) |",
             "|--:|--:|--:|--:|--:|--:|"]
    for r in rows:
        lines.append(f"| {r['server'][5]} | {r['connections']} | {_rate(r['rps'])} | {r['p50_ms']:.2f} "
                     f"| {r['p99_ms']:.2f} | {r['rss_mb']:.0f} |")
    best = {w: max((r["rps"] for r in rows if r["server"] == f"ours-{w}w"), default=0)
            for w in (1, 2)}
    if best[1]:
        lines.append(f"\nBest of each: 2 workers / 1 worker throughput = "
                     f"{best[2]:,.1f} / {best[1]:,.1f} = {best[2] / best[1]:.2f}×")
    return lines


def load_bound(lt: dict) -> float | None:
    """An estimate, in seconds, of the least a full load of this code can take on
    the run's CPUs, from its two parts timed apart: its parsing and writing share
    the CPUs, and the writing (one SQLite writer) cannot be split, so it takes at
    least max((parse + write) / CPUs, write). The parts timed apart leave out
    what only a load pays (handing articles between processes, start-up), so the
    estimate leans low. None for runs that did not time the parsing alone."""
    if "parse_only_s" not in lt:
        return None
    parse, write = lt["parse_only_s"], lt["write_only_s"]
    return max((parse + write) / lt.get("jobs", 1), write)


def _loader_table(lt: dict) -> tuple[list[str], dict]:
    bare = lt["bare_parse_s"]
    full_ratio = lt["full_load_s"] / bare
    verdict = {
        "full load <= 8x bare parse": full_ratio <= TARGETS["full_load_ratio"],
        f"store <= 4x the markdown ({lt['db_mb'] / lt['corpus_mb']:.1f}x)":
            lt["db_mb"] / lt["corpus_mb"] <= TARGETS["store_ratio"],
        "no-op reload <= 1 s": lt["noop_reload_s"] <= TARGETS["noop_reload_s"],
        "one-file reload <= 1 s": lt["one_file_reload_s"] <= TARGETS["one_file_reload_s"],
    }
    live = lt.get("one_file_live_s")
    if live is not None:
        verdict["one-file live reload (no fsync) <= 1 s"] = live <= TARGETS["one_file_reload_s"]
    lines = [
        f"{lt['articles']:,} files, {lt['corpus_mb']} MB of markdown; database {lt['db_mb']} MB "
        f"({lt['db_mb'] / lt['corpus_mb']:.1f}× the markdown; target ≤ 4×).",
        "",
        "| step | seconds | × bare parse | target | result |",
        "|---|--:|--:|---|---|",
        f"| bare parse (pyromark events_with_range, best of 3) | {bare:.3f} | 1.0× | | |",
        f"| full load ({lt.get('jobs', 1)} parsing processes) | {lt['full_load_s']:.3f} | "
        f"{full_ratio:.1f}× | ≤ 8× | "
        f"{_mark(verdict['full load <= 8x bare parse'])} |",
        f"| no-op reload | {lt['noop_reload_s']:.3f} | {lt['noop_reload_s'] / bare:.2f}× | ≤ 1 s | "
        f"{_mark(verdict['no-op reload <= 1 s'])} |",
        f"| one changed file | {lt['one_file_reload_s']:.3f} | {lt['one_file_reload_s'] / bare:.2f}× "
        f"| ≤ 1 s | {_mark(verdict['one-file reload <= 1 s'])} |",
        *([f"| one changed file, as live reload runs it (no fsync) | {live:.3f} | "
           f"{live / bare:.2f}× | ≤ 1 s | "
           f"{_mark(verdict['one-file live reload (no fsync) <= 1 s'])} |"] if live is not None else []),
        *([f"| one file at the size limit ({4} MiB), as `content-api load` | "
           f"{lt['max_file_load_s']:.3f} | | | peak RSS {lt['max_file_rss_mb']:.0f} MB |",
           f"| peak RSS of the full load, as `content-api load` (largest process) | | | | "
           f"{lt['full_load_rss_mb']:.0f} MB |"] if "full_load_rss_mb" in lt else []),
        *[f"| one file at the size limit, made of {shape} only, as `content-api load` | "
          f"{seconds:.3f} | | | |" for shape, seconds in lt.get("max_file_shapes_s", {}).items()],
        *([f"| for comparison: the full load's parsing alone, in one process (nothing "
           f"written) | {lt['parse_only_s']:.3f} | {lt['parse_only_s'] / bare:.1f}× | | |"]
          if "parse_only_s" in lt else []),
        *([f"| for comparison: the full load's writing alone, from articles parsed "
           f"beforehand (one SQLite writer) | {lt['write_only_s']:.3f} | "
           f"{lt['write_only_s'] / bare:.1f}× | | |"] if "write_only_s" in lt else []),
        *([f"| the least a full load of this code can take on {lt.get('jobs', 1)} CPUs, "
           f"estimated: max((parsing + writing) / CPUs, writing) | {bound:.3f} | "
           f"{bound / bare:.1f}× | | |"]
          if (bound := load_bound(lt)) is not None else []),
        "",
        f"Loader summaries: `{lt['full_load_summary']}` / `{lt['noop_summary']}` / "
        f"`{lt['one_file_summary']}`",
    ]
    return lines, verdict


def section(run: dict) -> str:
    """The generated Markdown for one run."""
    count, machine = run["count"], run["machine"]
    lines = [_begin(count), f"## Run: {count:,} articles", "",
             f"- Date: {run['date']}",
             f"- Machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['mem_gb']} GB memory, "
             f"{machine['kernel']}, Python {machine['python']}, {machine['wrk']}",
             f"- Command: `{run['command']}` (what `make bench N={count}` runs), "
             f"code at {run.get('code', 'unknown')}",
             f"- Load average (1, 5, 15 min) at start: {', '.join(run.get('load_average_start', []))}; "
             f"at end: {', '.join(run.get('load_average_end', []))} (other work on the machine "
             f"shares its {machine['nproc']} CPUs with the servers and wrk)",
             f"- Duration per wrk run: {run['duration_s']} s (datasette: longer, see notes); "
             f"connections: {', '.join(map(str, run['levels']))}", ""]
    verdict: dict[str, bool | None] = {}
    if run.get("loader"):
        lines += ["### Loader", ""]
        loader_lines, v = _loader_table(run["loader"])
        lines += loader_lines + [""]
        verdict.update(v)
    if run.get("inprocess"):
        lines += ["### In process: compiled execution against the data floor", "",
                  "The same store and one process, interleaved round by round; medians. The data "
                  "floor (bench/data_floor.py) fetches the same data with one SELECT per level "
                  "and serialises it with orjson; its bytes are checked to equal the API's "
                  "before timing.", ""]
        inprocess_lines, v = inprocess.report_lines(run["inprocess"])
        lines += inprocess_lines + [""]
        verdict.update(v)
    if run.get("shapes"):
        lines += ["### In process: other query shapes", "",
                  "Uncached, on the same store: the first run (what a shape reads once per "
                  "snapshot, and a cold page cache), then the median of five (bench/shapes.py).",
                  "", *shapes.report_lines(run["shapes"]), ""]
    http = run.get("http")
    if http:
        results = http["results"]
        lines += ["### HTTP", "", *_latency_table(results), ""]
        # Runs recorded before the number was kept had two.
        rounds = http.get("rounds_beside_floors", 2)
        ratio_lines, v = _ratios(results, run["levels"], rounds)
        lines += ["### Ratios", "", *ratio_lines, ""]
        verdict.update(v)
        floor_lines, v = _floor_ratios(results, run["levels"], rounds)
        lines += [*floor_lines, ""]
        verdict.update(v)
        search = [r for r in results if r["server"] == "ours-nocache" and r["scenario"] == "c"
                  and r["connections"] == 1]
        if search:
            verdict[f"(c) p50 <= 20 ms at 1 connection ({search[0]['p50_ms']:.1f} ms; target "
                    f"set for 10,000 articles)"] = search[0]["p50_ms"] <= TARGETS["search_p50_ms"]
        ours_rss = [r["rss_mb"] for r in results if r["server"] in ("ours", "ours-nocache")]
        if ours_rss:
            verdict[f"our peak RSS <= 150 MB, 1 worker ({max(ours_rss):.0f} MB; target set for "
                    f"10,000 articles)"] = max(ours_rss) <= TARGETS["rss_mb"]
        workers = _workers_table(results)
        if workers:
            lines += ["### One database file, 1 vs 2 workers ((a), response cache off, "
                      "runs alternated 1, 2, 1, 2)", "",
                      *workers, ""]
        lines += ["### Idle RSS after start (MB)", "",
                  ", ".join(f"{k}: {v}" for k, v in http["idle_rss_mb"].items()), ""]
        probes = ", ".join(f"{k}: {v * 1000:.1f} ms" if "hits" not in k else f"{k}: {v}"
                           for k, v in http["probes"].items())
        lines += [f"Single requests before load: {probes}.", ""]
        if http["notes"]:
            lines += ["Notes: " + " ".join(http["notes"]), ""]
    packed = run.get("compression")
    if packed:
        sizes, saved = packed["bytes"], packed["saved_pct"]
        lines += ["### Compression of a list response", "",
                  f"`{packed['query']}` over GET, bytes on the wire"
                  + (f" (measured {packed['measured']})" if packed.get("measured") else "")
                  + ":", "",
                  "| encoding | bytes | saved |", "|---|--:|--:|",
                  *[f"| {name} | {sizes[name]:,} | {saved[name]} % |" for name in sizes], ""]
    storm = run.get("storm")
    if storm:
        ok = storm["failed_pct"] <= 1.0
        verdict[f"reload storm: <= 1 % of requests fail at {storm['connections']} connections "
                f"with a commit every {storm['commit_every_s']:g} s"] = ok
        lines += ["### Reload storm", "",
                  f"wrk, {storm['connections']} connections for {storm['duration_s']:g} s of "
                  f"uncached `article(slug)` POSTs while `content-api load` committed "
                  f"{storm['commits']} times (one edited article each, every "
                  f"{storm['commit_every_s']:g} s):", "",
                  "| requests | failed | failed % | rps | p50 ms | p99 ms | max ms | "
                  "peak RSS MB | WAL at end MB |",
                  "|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
                  f"| {storm['requests']:,} | {storm['failed']} | {storm['failed_pct']} | "
                  f"{storm['rps']:.0f} | {storm['p50_ms']:.1f} | {storm['p99_ms']:.1f} | "
                  f"{storm['max_ms']:.0f} | {storm['rss_mb']:.0f} | {storm['wal_mb']} |", "",
                  f"Errors by kind: {storm['errors']}.", ""]
    if run.get("profiles"):
        lines += ["### Profile (pyinstrument, in process, response cache off)", ""]
        for p in run["profiles"]:
            lines += [f"Query ({p['name']}): {p['ms_per_request']} ms per request over "
                      f"{p['repeats']} requests; full tree in `{p['file']}`. Top self time:", "",
                      "```", *p["top"], "```", ""]
    lines += ["### Targets", "", "| target | result |", "|---|---|"]
    lines += [f"| {name} | {_mark(ok)} |" for name, ok in verdict.items()]
    lines += ["", _end(count)]
    return "\n".join(lines)


def write(path: Path, run: dict, header: str) -> None:
    """Replace (or append) this run's section in ``path``, keeping everything else."""
    text = path.read_text(encoding="utf-8") if path.exists() else header
    new = section(run)
    pattern = re.compile(re.escape(_begin(run["count"])) + r".*?" + re.escape(_end(run["count"])),
                         re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: new, text)
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    path.write_text(text, encoding="utf-8")
