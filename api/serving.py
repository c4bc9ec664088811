"""How the server meets the network: Uvicorn's limits, a header read timeout,
the file-descriptor limit, and shedding excess load with a fast 503.

Uvicorn bounds keep-alive, the backlog, concurrent connections and the size
of an incomplete request head, and all four are exposed as ``serve`` options
and CONTENT_API_* settings. It has no timeout for a client that connects and
then sends its request head slowly or not at all (a slowloris), so
``HeadTimeoutProtocol`` adds one: a connection must deliver a complete
request head within ``head_timeout`` seconds of connecting or of its last
response. A slow body is bounded by the endpoint (``body_timeout``). In
production the server should still sit behind the cache tier or a proxy,
which buffers requests and bounds every client the same way.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import resource

import orjson
from uvicorn.protocols.http.h11_impl import H11Protocol

from api import errors

log = logging.getLogger("content_api")


def raise_fd_limit() -> tuple[int, int]:
    """Raise the soft limit of open files to the hard limit; returns (soft, hard).
    Under a 1,024 soft limit, 1,100 idle sockets left no descriptor for a real request."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft, hard


class HeadTimeoutProtocol(H11Protocol):
    """Uvicorn's h11 protocol, closing a connection whose request head does not
    arrive in time (``head_timeout_seconds``, read from the settings once per
    process: Uvicorn's workers import this class by name).

    The timer is lazy: each connection has one, armed when it connects, and
    a request only notes when the connection started waiting for its next
    head. When the timer fires it closes the connection if that wait is
    over the limit, and otherwise is armed again for what is left of it.
    Arming and cancelling a timer for every request took 2.6 µs (measured
    alone), on a path where a repeated answer takes about 10 µs in all
    (api.repeated; BENCHMARKS.md, repeated POST against the floor)."""

    _head_timer: asyncio.TimerHandle | None = None
    # loop.time() when the connection started waiting for a request head; None
    # while a request runs.
    _waiting_since: float | None = None

    @property
    def head_timeout(self) -> float:
        return _head_timeout()

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._waiting_since = self.loop.time()
        self._head_timer = self.loop.call_later(self.head_timeout, self._check_head)

    def _check_head(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        left = self.head_timeout
        running = self.cycle is not None and not self.cycle.response_complete
        if self._waiting_since is not None and not running:
            left = self._waiting_since + self.head_timeout - self.loop.time()
            if left <= 0:
                self.transport.close()
                return
        self._head_timer = self.loop.call_later(left, self._check_head)

    def handle_events(self) -> None:
        super().handle_events()
        if self.cycle is not None and not self.cycle.response_complete:
            self._waiting_since = None  # a complete head arrived: the request runs

    def on_response_complete(self) -> None:
        # The next request's head must arrive in time too. Noted first: Uvicorn
        # starts a pipelined request from here (handle_events), which clears it.
        self._waiting_since = self.loop.time()
        super().on_response_complete()

    def connection_lost(self, exc) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().connection_lost(exc)


@functools.cache
def _head_timeout() -> float:
    from api.config import from_env

    return from_env().head_timeout_seconds


class InFlight:
    """Requests being served, the limit, and how many were shed (for /healthz)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0
        self.shed = 0


class LoadShedding:
    """ASGI middleware: beyond ``in_flight.limit`` requests in flight, answer at
    once with 503, a Retry-After and an OVERLOADED error, instead of queueing
    until clients time out."""

    def __init__(self, app, in_flight: InFlight) -> None:
        self.app = app
        self.in_flight = in_flight

    async def __call__(self, scope, receive, send) -> None:
        state = self.in_flight
        # /healthz is never shed: a monitor must see how loaded the server is.
        if scope["type"] != "http" or state.limit <= 0 or scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        if state.count >= state.limit:
            state.shed += 1
            await _overloaded(send)
            return
        state.count += 1
        try:
            await self.app(scope, receive, send)
        finally:
            state.count -= 1


_OVERLOADED_BODY = orjson.dumps({"errors": [{
    "message": "The server is at its limit of requests in flight: retry shortly.",
    "extensions": {"code": errors.OVERLOADED}}]})


async def _overloaded(send) -> None:
    await send({"type": "http.response.start", "status": 503,
                "headers": [(b"content-type", b"application/json"), (b"retry-after", b"1"),
                            (b"cache-control", b"no-store"),
                            (b"content-length", str(len(_OVERLOADED_BODY)).encode())]})
    await send({"type": "http.response.body", "body": _OVERLOADED_BODY})
