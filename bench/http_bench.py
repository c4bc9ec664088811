"""The HTTP benchmark: ours, the datasette-graphql peer and the Uvicorn floor, in one run.

Scenarios (see BENCHMARKS.md for the method):
  a        article(slug) with every nested field, POST, slugs rotating
  b        articles(first: 100) with every nested field, POST
  c        search for a 2-character CJK term, POST
  a-warm   (a) for one slug, repeated: served from our response cache
  floor-post  the floor answering the same POST as a-warm
  d        (a) as GET with the ETag it returned sent back in If-None-Match: 304
  d-pq     (d) as a persisted query: the GET names the query by its sha256
  floor    the bytes of (a) from memory, GET
  a-side   (a) again, beside the floors below, at 1 connection
  a-data   (a) answered by the data floor (hand-written SQL + orjson), POST
  floor-a  the static floor again, beside (a), a-data and a-unseen at 1 connection
  floor-a-post  the static floor answering a-side's POSTs
  a-unseen (a) as texts the server has not seen (a comment makes each unique), POST
  floor-unseen-post  the static floor answering a-unseen's POSTs
Ours runs twice: with the response cache off (a, b, c: the GraphQL engine
itself) and with production defaults (a-warm, d).
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from bench import queries, servers, wrk
from loader.schema import stored

Log = Callable[[str], None]


@dataclass
class Plan:
    db: Path
    slugs: list[str]  # every article slug in the DB
    levels: tuple[int, ...] = (1, 8, 32)
    duration_s: float = 5.0
    cap_s: float = 60.0  # longest single wrk run (slow servers get longer runs, up to this)
    rotate: int = 256  # how many slugs (a) cycles through
    workers_connections: int = 32


@dataclass
class Outcome:
    results: list[wrk.Result] = field(default_factory=list)
    idle_rss_mb: dict[str, float] = field(default_factory=dict)
    probes: dict[str, float] = field(default_factory=dict)  # single-request seconds
    notes: list[str] = field(default_factory=list)
    failed: bool = False

    def as_dict(self) -> dict:
        return {"results": [r.as_dict() for r in self.results], "idle_rss_mb": self.idle_rss_mb,
                "probes": self.probes, "notes": self.notes,
                "rounds_beside_floors": ROUNDS_BESIDE_FLOORS}


def _request(url: str, body: str | None = None, headers: dict | None = None,
             timeout: float = 300) -> tuple[int, dict, bytes]:
    data = body.encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={
        **({"Content-Type": "application/json"} if data else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _graphql(url: str, body: str, what: str) -> tuple[float, dict, bytes]:
    """POST once; fail loudly unless it is a 200 with data and no errors."""
    started = time.perf_counter()
    status, _, raw = _request(url, body)
    seconds = time.perf_counter() - started
    payload = json.loads(raw)
    if status != 200 or payload.get("errors") or not payload.get("data"):
        raise RuntimeError(f"{what}: HTTP {status}: {raw[:500]!r}")
    return seconds, payload["data"], raw


def _measure(out: Outcome, log: Log, server: servers.Server, scenario: str, connections: int,
             duration_s: float, record: bool = True, **kwargs) -> wrk.Result:
    url = server.url + kwargs.pop("path", "/graphql")
    with servers.RssSampler(server.process.pid) as rss:
        result = wrk.run(scenario, server.name, url, connections, duration_s, **kwargs)
    result.rss_mb = round(rss.max_mb, 1)
    result.rss_file_mb = round(rss.max_file_mb, 1)
    backlog = servers.wait_idle(server.process.pid)
    if backlog > 3.0:
        out.notes.append(f"{server.name} {scenario} c={connections}: the server needed "
                         f"{backlog:.0f} s after the run to work off queued requests.")
    if record:
        out.results.append(result)
    log(f"  {server.name:<13} {scenario:<7} c={connections:<3} {result.rps:>9.1f} req/s  "
        f"p50 {result.p50_ms:8.2f} ms  p99 {result.p99_ms:8.2f} ms  n={result.requests}  "
        f"errors={result.failed}  rss {result.rss_mb} MB")
    if result.failed:
        errors = {k: v for k, v in result.errors.items() if v}
        out.notes.append(f"{server.name} {scenario} c={connections}: {result.failed} of "
                         f"{result.requests} responses failed {errors}; mean size "
                         f"{result.bytes_per_response:.0f} bytes.")
    return result


def _schedule(plan: Plan, levels: tuple[int, ...], single_s: float, what: str,
              out: Outcome) -> list[tuple[int, float, float]]:
    """(connections, duration, timeout) per level, sized for a request taking ``single_s``.

    With one worker, requests mostly queue, so a request's latency is about
    connections x single_s. A level runs long enough for about three rounds,
    within the cap; a level where even that does not fit the cap is skipped
    (1 connection always runs), and the skip is noted.
    """
    schedule = []
    for connections in levels:
        rounds = 3 * single_s * connections
        if connections > 1 and rounds > plan.cap_s:
            out.notes.append(f"{what} c={connections} skipped: one request takes "
                             f"{single_s * 1000:.0f} ms alone, so {connections} connections "
                             f"would only queue (about {connections * single_s:.0f} s each).")
            continue
        duration = min(max(plan.duration_s, rounds), plan.cap_s)
        schedule.append((connections, duration, max(30.0, 4 * single_s * connections)))
    return schedule


def _started(out: Outcome, log: Log, server: servers.Server) -> servers.Server:
    server.start()
    time.sleep(0.5)
    out.idle_rss_mb[server.name] = round(server.rss_mb(), 1)
    log(f"{server.name} up on {server.url} (idle rss {out.idle_rss_mb[server.name]} MB)")
    return server


def _rotation(slugs: list[str], count: int) -> list[str]:
    step = max(1, len(slugs) // count)
    return slugs[::step][:count]


def _ours_engine(plan: Plan, out: Outcome, log: Log, rotation: list[str]) -> None:
    bodies_a = [queries.body(queries.ARTICLE, {"slug": s}) for s in rotation]
    body_b = queries.body(queries.ARTICLES)
    body_c = queries.body(queries.SEARCH, {"q": queries.SEARCH_TERM})
    server = _started(out, log, servers.ours(plan.db, response_cache=0, name="ours-nocache"))
    try:
        url = server.url + "/graphql"
        checks = {
            "a": (bodies_a[0], lambda d: d["article"] and d["article"]["trends"]),
            "b": (body_b, lambda d: len(d["articles"]["nodes"]) == min(100, len(plan.slugs))),
            "c": (body_c, lambda d: d["search"]["totalCount"] > 0),
        }
        for scenario, (body, check) in checks.items():
            _graphql(url, body, f"ours ({scenario})")  # the first request warms caches
            seconds, data, _ = _graphql(url, body, f"ours ({scenario})")
            if not check(data):
                raise RuntimeError(f"ours ({scenario}): unexpected data {str(data)[:300]}")
            out.probes[f"ours {scenario}"] = seconds
            if scenario == "c":
                out.probes["ours c hits"] = data["search"]["totalCount"]
        # (b) last: the memory a process takes for big responses stays with it, so
        # running (b) before (c) would show (b)'s peak RSS on (c)'s rows.
        for scenario, bodies in (("a", bodies_a), ("c", [body_c]), ("b", [body_b])):
            single = out.probes[f"ours {scenario}"]
            for connections, duration, timeout in _schedule(plan, plan.levels, single,
                                                             f"ours ({scenario})", out):
                _measure(out, log, server, scenario, connections, duration, method="POST",
                         bodies=bodies, timeout_s=timeout)
    finally:
        server.stop()


# Runs of each scenario set beside a floor, alternated, the best of each kept. With two,
# the ratios of the runs of 2026-12-03 moved by up to 7 % between runs of the same code
# (unseen: 7.6x to 8.5x; repeated POST at 32 connections: 1.23x to 1.36x), about the
# margin of four targets; a third run each costs about two minutes.
ROUNDS_BESIDE_FLOORS = 3


def _ours_cached(plan: Plan, out: Outcome, log: Log, slug: str, body_file: Path) -> None:
    """(d), (d-pq), a-warm and the floor (GET, and POST beside a-warm), alternated.

    The floor runs beside our server, and for each connection count the runs
    alternate (d, floor, d-pq, a-warm, floor-post, then again, ROUNDS_BESIDE_FLOORS
    times) and the best run of each is kept: on a shared machine, load from
    elsewhere then lands on both sides of the (d) / floor ratio instead of on one.
    """
    body_a = queries.body(queries.ARTICLE, {"slug": slug})
    get_path = "/graphql?" + urllib.parse.urlencode(
        {"query": queries.ARTICLE, "variables": json.dumps({"slug": slug})})
    server = _started(out, log, servers.ours(plan.db, name="ours"))
    floor = None
    try:
        _, _, raw = _graphql(server.url + "/graphql", body_a, "ours (a) cached")
        status, headers, get_raw = _request(server.url + get_path)
        etag = headers.get("ETag") or headers.get("etag")
        if status != 200 or not etag or get_raw != raw:
            raise RuntimeError(f"ours (d): GET gave {status}, ETag {etag!r}, same bytes as POST: "
                               f"{get_raw == raw}")
        status, _, _ = _request(server.url + get_path, headers={"If-None-Match": etag})
        if status != 304:
            raise RuntimeError(f"ours (d): If-None-Match gave {status}, not 304")
        body_file.write_bytes(raw)
        pq_path = _persisted_get_path(server, slug, etag)
        floor = _started(out, log, servers.floor(body_file))
        status, _, floor_raw = _request(floor.url + "/")
        if status != 200 or floor_raw != raw:
            raise RuntimeError("floor: wrong response")

        # The repeated POST is set beside the floor answering the same POST (Uvicorn
        # still reads and parses its body), the GETs beside the floor's GET.
        runs = [(server, "d", {"paths": [get_path], "if_none_match": etag, "path": ""}),
                (floor, "floor", {"path": "/"}),
                (server, "d-pq", {"paths": [pq_path], "if_none_match": etag, "path": ""}),
                (server, "a-warm", {"method": "POST", "bodies": [body_a]}),
                (floor, "floor-post", {"method": "POST", "bodies": [body_a], "path": "/"})]
        for connections in plan.levels:
            best: dict[str, wrk.Result] = {}
            for _ in range(ROUNDS_BESIDE_FLOORS):
                for target, scenario, kwargs in runs:
                    result = _measure(out, log, target, scenario, connections, plan.duration_s,
                                      record=False, **dict(kwargs))
                    if scenario not in best or result.rps > best[scenario].rps:
                        best[scenario] = result
            out.results.extend(best.values())
    finally:
        if floor:
            floor.stop()
        server.stop()


# Unique texts for the unseen-document scenario, per run: more than the server
# remembers having seen once (8 x CONTENT_API_DOCUMENT_CACHE_SIZE, api.documents),
# so that a text is forgotten, and unseen again, by the time wrk comes back round
# to it in a long run.
UNSEEN_TEXTS = 16384


def _floors(plan: Plan, out: Outcome, log: Log, rotation: list[str], body_file: Path) -> None:
    """(a) uncached and (a) as unseen texts beside two floors, at 1 connection.

    The static floor (bench.floor) sends (a)'s bytes from memory; the data floor
    (bench.data_floor_app) reads (a)'s data with hand-written SQL and orjson.
    The static floor answers a GET, and also the very POSTs of (a) and of the
    unseen texts: Uvicorn reads and parses a POST's body for any app, so a POST
    is set beside the floor answering the same POST, as the repeated POST is
    (_ours_cached). Runs alternate, ROUNDS_BESIDE_FLOORS times, keeping each
    one's best run, so that load from elsewhere lands on both sides."""
    bodies_a = [queries.body(queries.ARTICLE, {"slug": s}) for s in rotation]
    # Texts of their own for each run: the server keeps a text from its second
    # sight (api.documents), so a later run over the same texts would not be unseen.
    bodies_unseen = [[queries.body(f"{queries.ARTICLE}\n# {run} {i}",
                                   {"slug": rotation[i % len(rotation)]})
                      for i in range(UNSEEN_TEXTS)] for run in range(ROUNDS_BESIDE_FLOORS)]
    ours = _started(out, log, servers.ours(plan.db, response_cache=0, name="ours-nocache"))
    started = [ours]
    try:
        _, _, raw = _graphql(ours.url + "/graphql", bodies_a[0], "ours (a)")
        body_file.write_bytes(raw)
        data = _started(out, log, servers.data_floor(plan.db))
        started.append(data)
        status, _, data_raw = _request(data.url + "/", bodies_a[0])
        if status != 200 or json.loads(data_raw)["data"] != json.loads(raw)["data"]:
            raise RuntimeError("data floor: its data differs from ours")
        static = _started(out, log, servers.floor(body_file))
        started.append(static)
        runs = [(ours, "a-side", {"method": "POST", "bodies": bodies_a}),
                (data, "a-data", {"method": "POST", "bodies": bodies_a, "path": "/"}),
                (static, "floor-a", {"path": "/"}),
                (static, "floor-a-post", {"method": "POST", "bodies": bodies_a, "path": "/"}),
                (ours, "a-unseen", {"method": "POST"}),
                (static, "floor-unseen-post", {"method": "POST", "path": "/"})]
        best: dict[str, wrk.Result] = {}
        for run in range(ROUNDS_BESIDE_FLOORS):
            for target, scenario, kwargs in runs:
                if scenario in ("a-unseen", "floor-unseen-post"):
                    kwargs = {**kwargs, "bodies": bodies_unseen[run]}
                result = _measure(out, log, target, scenario, 1, plan.duration_s,
                                  record=False, **dict(kwargs))
                if scenario not in best or result.rps > best[scenario].rps:
                    best[scenario] = result
        out.results.extend(best.values())
    finally:
        for server in started:
            server.stop()


def _persisted_get_path(server: servers.Server, slug: str, etag: str) -> str:
    """Register (a) as a persisted query, then return the hash-only GET path (checked: 304)."""
    extensions = json.dumps({"persistedQuery": {
        "version": 1, "sha256Hash": hashlib.sha256(queries.ARTICLE.encode()).hexdigest()}})
    variables = json.dumps({"slug": slug})
    register = "/graphql?" + urllib.parse.urlencode(
        {"query": queries.ARTICLE, "variables": variables, "extensions": extensions})
    status, _, _ = _request(server.url + register)
    if status != 200:
        raise RuntimeError(f"ours (d-pq): registering the persisted query gave {status}")
    path = "/graphql?" + urllib.parse.urlencode({"variables": variables, "extensions": extensions})
    status, _, _ = _request(server.url + path, headers={"If-None-Match": etag})
    if status != 304:
        raise RuntimeError(f"ours (d-pq): the hash-only GET gave {status}, not 304")
    return path


def _peer(plan: Plan, out: Outcome, log: Log, rotation: list[str]) -> None:
    bodies_a = [queries.body(queries.PEER_ARTICLE, {"slug": s}) for s in rotation]
    body_b = queries.body(queries.PEER_ARTICLES)
    server = _started(out, log, servers.peer(plan.db))
    try:
        url = server.url + "/graphql"
        _graphql(url, bodies_a[0], "datasette (a)")  # the first request warms caches
        seconds_a, data, _ = _graphql(url, bodies_a[0], "datasette (a)")
        articles, trends = stored("articles"), f"{stored('trends')}_list"
        if not data[articles]["nodes"] or not data[articles]["nodes"][0][trends]["nodes"]:
            raise RuntimeError("datasette (a): the article or its trends are missing")
        out.probes["datasette a"] = seconds_a
        seconds_b, data, _ = _graphql(url, body_b, "datasette (b)")
        if len(data[articles]["nodes"]) != min(100, len(plan.slugs)):
            raise RuntimeError("datasette (b): wrong number of articles")
        out.probes["datasette b"] = seconds_b
        log(f"  datasette single request: (a) {seconds_a * 1000:.0f} ms, (b) {seconds_b:.1f} s")
        for connections, duration, timeout in _schedule(plan, plan.levels, seconds_a,
                                                         "datasette (a)", out):
            _measure(out, log, server, "a", connections, duration, method="POST",
                     bodies=bodies_a, timeout_s=timeout)
        for connections, duration, timeout in _schedule(plan, plan.levels, seconds_b,
                                                         "datasette (b)", out):
            _measure(out, log, server, "b", connections, duration, method="POST",
                     bodies=[body_b], timeout_s=timeout)
    finally:
        server.stop()


def _workers(plan: Plan, out: Outcome, log: Log, rotation: list[str]) -> None:
    """1 vs 2 workers on one file, alternating twice (1, 2, 1, 2): other work on a
    shared machine comes and goes, and alternating spreads it over both."""
    bodies_a = [queries.body(queries.ARTICLE, {"slug": s}) for s in rotation]
    for workers in (1, 2, 1, 2):
        name = f"ours-{workers}w"
        server = _started(out, log, servers.ours(plan.db, workers=workers, response_cache=0,
                                                 name=name))
        try:
            _graphql(server.url + "/graphql", bodies_a[0], f"{name} (a)")
            _measure(out, log, server, "a", plan.workers_connections, plan.duration_s,
                     method="POST", bodies=bodies_a)
        finally:
            server.stop()


def run(plan: Plan, log: Log = print) -> Outcome:
    if not wrk.available():
        raise RuntimeError("wrk is not installed (Debian package `wrk`); `make bench` installs it")
    out = Outcome()
    servers.OUT.mkdir(parents=True, exist_ok=True)
    rotation = _rotation(plan.slugs, plan.rotate)
    body_file = servers.OUT / "response-a.json"
    phases = [("ours, response cache off", lambda: _ours_engine(plan, out, log, rotation)),
              ("ours, production defaults, and the floor",
               lambda: _ours_cached(plan, out, log, rotation[0], body_file)),
              ("ours uncached and unseen against the static and data floors",
               lambda: _floors(plan, out, log, rotation, servers.OUT / "response-a-floor.json"))]
    if servers.peer_available():
        phases.append(("datasette", lambda: _peer(plan, out, log, rotation)))
    else:
        out.notes.append("datasette peer skipped: no venv at bench/out/peer-venv "
                         "(`make bench` creates it from bench/peer-requirements.txt)")
    phases.append(("workers", lambda: _workers(plan, out, log, rotation)))
    for name, phase in phases:
        # One failing phase must not hide the figures of the others; it is
        # reported in the notes and makes the run exit non-zero.
        try:
            phase()
        except Exception as exc:  # noqa: BLE001 - reported, then re-raised at the end
            log(f"phase {name!r} failed: {exc}")
            out.notes.append(f"FAILED phase {name!r}: {str(exc)[:300]}")
            out.failed = True
    return out
