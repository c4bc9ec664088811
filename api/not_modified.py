"""Answering repeated GETs whose ETag the client already holds, before any routing.

A client (or an HTTP cache in front of the API) that revalidates a GET sends
the ETag back in If-None-Match. The endpoint would answer 304 too, but only
after Starlette's routing and the request parsing. This ASGI middleware
remembers, for each raw query string the endpoint answered with an ETag,
which ETag that was and for which content state; a request with the same
query string, state and ETag gets its 304 here. Everything else (another
state, an unknown query string, CORS requests, whose responses need the CORS
headers) goes the ordinary way. Benchmark (d) in BENCHMARKS.md is this path.
"""

from __future__ import annotations

from api.cache import LRU, etag_matches
from api.repeated import PATH, REPEATABLE
from api.request_ids import new_request_id
from api.store import SnapshotHolder


class KnownETags:
    """raw GET query string -> (content state, ETag) of the endpoint's last answer."""

    def __init__(self, size: int) -> None:
        self._known: LRU[tuple[str, str]] = LRU(size)

    def remember(self, query_string: bytes, state: str, etag: str) -> None:
        self._known.put(query_string, (state, etag))

    def lookup(self, query_string: bytes) -> tuple[str, str] | None:
        return self._known.get(query_string)

    def clear(self) -> None:
        self._known.clear()


class NotModifiedMiddleware:
    def __init__(self, app, holder: SnapshotHolder, known: KnownETags, cache_control: str) -> None:
        self.app = app
        self.holder = holder
        self.known = known
        self.cache_control = cache_control.encode("latin-1")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == PATH:
            etag = self._matching_etag(scope)
            if etag is not None:
                scope[REPEATABLE] = self.holder.state  # see api.repeated
                await send({"type": "http.response.start", "status": 304, "headers": [
                    (b"etag", etag.encode("latin-1")),
                    (b"cache-control", self.cache_control),
                    (b"vary", b"Accept"),
                    (b"x-request-id", new_request_id().encode("latin-1")),
                ]})
                await send({"type": "http.response.body", "body": b""})
                return
        await self.app(scope, receive, send)

    def _matching_etag(self, scope) -> str | None:
        if_none_match = None
        # (CORS is outside this middleware: a 304 to a browser gets its headers too.)
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
        if if_none_match is None:
            return None
        known = self.known.lookup(scope["query_string"])
        if known is None:
            return None
        self.holder.current()  # notice a newly loaded database file
        state, etag = known
        if state != self.holder.state or not etag_matches(if_none_match, etag):
            return None
        return etag
