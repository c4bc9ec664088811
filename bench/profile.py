"""Profile our hot requests with pyinstrument, in process, through the real ASGI app.

Requests go through Starlette, our endpoint, Strawberry and SQLite exactly as
over HTTP; only the socket and Uvicorn's HTTP parsing are left out (the floor
measures those). The response cache is off, so every request executes.
Query (d), the 304 path, is driven straight through the ASGI interface, so
its figure is the app's own cost per request, without any HTTP stack.
Writes bench/out/profile-<name>.txt (call tree) and returns the flat list of
where the time goes (self time, percent of total).
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from pathlib import Path
from types import SimpleNamespace

import httpx
from pyinstrument import Profiler
from pyinstrument.renderers import ConsoleRenderer

from bench import queries
from bench.servers import OUT


def _app(db: Path, cache: bool = False):
    from api import config
    from api.app import create_app

    overrides = {} if cache else {"response_cache_size": 0}
    settings = config.from_env({}, db_path=db, production=True, **overrides)
    return create_app(settings)


async def _drive(app, bodies: list[str], repeats: int, profiler: Profiler) -> float:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        headers = {"Content-Type": "application/json"}
        for body in bodies[:3]:  # warm the parser and validation caches first
            (await client.post("/graphql", content=body, headers=headers)).raise_for_status()
        profiler.start()
        for i in range(repeats):
            response = await client.post("/graphql", content=bodies[i % len(bodies)],
                                         headers=headers)
            if response.status_code != 200 or b'"errors"' in response.content[:20]:
                raise RuntimeError(f"profile request failed: {response.status_code}")
        profiler.stop()
    return profiler.last_session.duration / repeats


async def _drive_304(app, query_string: bytes, repeats: int, profiler: Profiler) -> float:
    """(d) straight through the ASGI interface: no client library in the profile."""
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    def scope(extra_headers: list) -> dict:
        return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                "method": "GET", "scheme": "http", "path": "/graphql", "raw_path": b"/graphql",
                "query_string": query_string, "root_path": "",
                "headers": [(b"host", b"bench"), *extra_headers],
                "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}

    await app(scope([]), receive, send)
    etag = dict(sent[0]["headers"]).get(b"etag")
    if sent[0]["status"] != 200 or not etag:
        raise RuntimeError(f"profile (d): first GET gave {sent[0]['status']}")
    conditional = scope([(b"if-none-match", etag)])
    profiler.start()
    for _ in range(repeats):
        sent.clear()
        await app(dict(conditional), receive, send)
        if sent[0]["status"] != 304:
            raise RuntimeError(f"profile (d): got {sent[0]['status']}, not 304")
    profiler.stop()
    return profiler.last_session.duration / repeats


class _Stopwatch:
    """Stands in for the profiler in the timing pass (same start/stop/last_session)."""

    def start(self) -> None:
        self.started = time.perf_counter()

    def stop(self) -> None:
        self.last_session = SimpleNamespace(duration=time.perf_counter() - self.started)


def profile(db: Path, name: str, bodies: list[str], repeats: int,
            query_string: bytes | None = None) -> dict:
    """Time ``repeats`` requests without the profiler, then profile the same again."""
    def drive(recorder) -> float:
        if query_string is None:
            return asyncio.run(_drive(_app(db), bodies, repeats, recorder))
        return asyncio.run(_drive_304(_app(db, cache=True), query_string, repeats, recorder))

    per_request = drive(_Stopwatch())
    profiler = Profiler(interval=0.001 if query_string is None else 0.0002, async_mode="disabled")
    drive(profiler)
    tree = profiler.output(ConsoleRenderer(unicode=True, color=False, short_mode=False))
    flat = profiler.output(ConsoleRenderer(unicode=True, color=False, flat=True,
                                           time="percent_of_total"))
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"profile-{name}.txt"
    path.write_text(f"{repeats} requests, {per_request * 1000:.3f} ms each in process "
                    f"(without the profiler)\n\n"
                    f"== flat (self time) ==\n{flat}\n== call tree ==\n{tree}", encoding="utf-8")
    # The driver's own frame collects samples taken between the app's frames; it is
    # not the app's time, so it is left out of the summary (it stays in the file).
    top = [line for line in flat.splitlines() if "%" in line and "bench/profile.py" not in line][:15]
    return {"name": name, "repeats": repeats, "ms_per_request": round(per_request * 1000, 3),
            "file": str(path.relative_to(OUT.parent.parent)), "top": top}


def run(db: Path, slugs: list[str]) -> list[dict]:
    step = max(1, len(slugs) // 200)
    article_bodies = [queries.body(queries.ARTICLE, {"slug": s}) for s in slugs[::step][:200]]
    get_d = urllib.parse.urlencode({"query": queries.ARTICLE,
                                    "variables": json.dumps({"slug": slugs[0]})}).encode()
    return [
        profile(db, "b", [queries.body(queries.ARTICLES)], repeats=5),
        profile(db, "a", article_bodies, repeats=200),
        profile(db, "c", [queries.body(queries.SEARCH, {"q": queries.SEARCH_TERM})], repeats=100),
        profile(db, "d", [], repeats=5000, query_string=get_d),
    ]
