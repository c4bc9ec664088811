"""The data floor over HTTP: Uvicorn answering (a) by bench.data_floor, no GraphQL.

A bare ASGI callable: it reads the POST body, takes the slug from its
variables, and answers with bench.data_floor.article's bytes (the API's data,
without the response's `extensions`). Beside the static floor (bench.floor)
it shows what reading the data costs over HTTP before any GraphQL work, and
so how close to the static floor an engine can ever get.
Run: BENCH_DB=FILE uvicorn bench.data_floor_app:app
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from api.store import Snapshot
from bench import data_floor

_snapshot: Snapshot | None = None


async def _lifespan(receive, send) -> None:
    global _snapshot
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            _snapshot = Snapshot.open(Path(os.environ["BENCH_DB"]))
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    slug = orjson.loads(body)["variables"]["slug"] if body else ""
    payload = data_floor.article(_snapshot.conn, slug)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
