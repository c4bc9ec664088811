"""The floor: Uvicorn answering every request with the exact bytes of response (a).

No routing, no parsing, no GraphQL: a bare ASGI callable holding the body in
memory. What it costs per request is what the HTTP stack alone costs, so a
server can never beat it. Run: BENCH_FLOOR_BODY=FILE uvicorn bench.floor:app
"""

from __future__ import annotations

import os
from pathlib import Path

BODY = Path(os.environ["BENCH_FLOOR_BODY"]).read_bytes() if "BENCH_FLOOR_BODY" in os.environ else b"{}"

START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"application/json"),
                (b"content-length", str(len(BODY)).encode())],
}
MESSAGE = {"type": "http.response.body", "body": BODY}


async def app(scope, receive, send):
    if scope["type"] == "lifespan":  # nothing to set up or tear down
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send(START)
    await send(MESSAGE)
