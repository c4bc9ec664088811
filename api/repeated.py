"""Answering a request the server has answered before, before any other work.

Two requests come back again and again: a POST whose answer is in the response
cache, and a GET revalidated with an ETag that still matches (304). Each
still crossed every middleware, and the POST also Starlette's routing, a
Request, JSON decoding and the query's hash: together about as much as the
HTTP stack itself (BENCHMARKS.md, repeated POST and (d) against the floor).

This ASGI middleware, the outermost of the app's own, keeps the final
answer to such a request (status, headers and body, after compression),
keyed by the content state and everything of the request that shapes the
answer: method, query string, body bytes, Accept, Accept-Encoding,
Content-Type, If-None-Match and Origin (CORS writes its headers for a request
from its Origin and the settings alone). The same request under the same state
gets those bytes again, with a request id of its own. The endpoint says which
answers may be kept: a successful answer from or into its response cache, and
a 304. Anything else goes the ordinary way, and so do requests with cookies or
credentials (an answer meant for one person is never handed to another), one
that sends a shaping header twice (the layers below may read either value), a
body that does not arrive in one piece, or one that names a persisted query
(whose registration the endpoint keeps fresh). Every answer is dropped when the
content changes.

A browser sends an Origin with every request from an app on another origin,
and an Accept-Encoding. While requests with an Origin were left out, a
browser's repeated POST went through the whole stack and was compressed again
each time: 2,650-2,770 requests/s, where keeping it gives 5,100-5,260 (wrk,
1 connection, (a) on the 1,000-article store, two alternated runs each).
"""

from __future__ import annotations

import asyncio
import inspect
import types

from api.cache import LRU
from api.request_ids import new_request_id
from api.store import SnapshotHolder

PATH = "/graphql"
# Set in the scope by the endpoint when its answer may be repeated: the
# content state it was answered under.
REPEATABLE = "content_api.repeatable"
_SHAPING = {b"accept": 0, b"accept-encoding": 1, b"content-type": 2, b"if-none-match": 3,
            b"origin": 4}
_PERSONAL = (b"cookie", b"authorization")


class Answer:
    """A kept response; its length, for the cache's byte bound, is its body's."""

    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: list, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def __len__(self) -> int:
        return len(self.body)


class RepeatedAnswerMiddleware:
    """``answers``: (state, method, query string, body, Accept, Accept-Encoding,
    Content-Type, If-None-Match, Origin) -> the Answer given to that request; its
    byte bound counts the bodies."""

    def __init__(self, app, holder: SnapshotHolder, answers: LRU[Answer],
                 max_body_bytes: int, body_timeout: float) -> None:
        self.app = app
        self.holder = holder
        self.answers = answers
        self.max_body_bytes = max_body_bytes
        self.body_timeout = body_timeout

    async def __call__(self, scope, receive, send) -> None:
        method = scope.get("method")
        if scope["type"] != "http" or scope["path"] != PATH or method not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        shaping = [None, None, None, None, None]
        length = None
        for name, value in scope["headers"]:
            if name in _SHAPING:
                at = _SHAPING[name]
                if shaping[at] is not None:  # said twice
                    await self.app(scope, receive, send)
                    return
                shaping[at] = value
            elif name == b"content-length":
                length = value
            elif name in _PERSONAL:
                await self.app(scope, receive, send)
                return
        body = b""
        if method == "POST":
            if length is None or not length.isdigit() or int(length) > self.max_body_bytes:
                await self.app(scope, receive, send)  # the endpoint says what is wrong
                return
            try:
                first = await self._first_message(receive)
            except TimeoutError:  # nothing was taken: the endpoint times the body out itself
                await self.app(scope, receive, send)
                return
            receive = _replay(first, receive)
            body = first.get("body", b"")
            if first.get("type") != "http.request" or first.get("more_body") \
                    or len(body) != int(length) or b"persistedQuery" in body:
                await self.app(scope, receive, send)
                return
        elif b"persistedQuery" in scope["query_string"]:
            await self.app(scope, receive, send)
            return
        self.holder.current()  # notice a newly loaded database file
        request = (method, scope["query_string"], body, *shaping)
        answer = self.answers.get((self.holder.state, *request))
        if answer is not None:
            await send({"type": "http.response.start", "status": answer.status, "headers": [
                *answer.headers, (b"x-request-id", new_request_id().encode("latin-1"))]})
            await send({"type": "http.response.body", "body": answer.body})
            return
        await self.app(scope, receive, self._recording(scope, request, send))

    async def _first_message(self, receive) -> dict:
        """The request's first message, within ``body_timeout``.

        Uvicorn reads a small body with the headers, so the message is usually
        waiting: receive() then returns without suspending, and is taken
        without arming a timer (asyncio.timeout was a third of this
        middleware's time on a repeated POST). When it does suspend, the
        rest of it is awaited under the timeout."""
        waiting = receive()
        if not inspect.iscoroutine(waiting):
            async with asyncio.timeout(self.body_timeout):
                return await waiting
        try:
            suspended_on = waiting.send(None)
        except StopIteration as done:
            return done.value
        async with asyncio.timeout(self.body_timeout):
            return await _resumed(waiting, suspended_on)

    def _recording(self, scope, request: tuple, send):
        """``send``, keeping the answer when the endpoint marked it repeatable."""
        start: dict = {}
        chunks: list[bytes] = []

        async def recording_send(message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body" and REPEATABLE in scope:
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    headers = [(k, v) for k, v in start.get("headers", [])
                               if k.lower() != b"x-request-id"]
                    self.answers.put((scope[REPEATABLE], *request),
                                     Answer(start["status"], headers, b"".join(chunks)))
            await send(message)
        return recording_send


@types.coroutine
def _resumed(coroutine, suspended_on):
    """Await the rest of a coroutine that was run by hand up to its first
    suspension (on ``suspended_on``), as ``await`` would have: what the task
    sends or throws in goes on to it."""
    while True:
        try:
            sent = yield suspended_on
        except BaseException as exc:  # a cancellation, the timeout's among them
            try:
                suspended_on = coroutine.throw(exc)
            except StopIteration as done:
                return done.value
        else:
            try:
                suspended_on = coroutine.send(sent)
            except StopIteration as done:
                return done.value


def _replay(first: dict, receive):
    """A receive that hands out ``first`` again, then reads on."""
    pending = [first]

    async def replayed() -> dict:
        if pending:
            return pending.pop()
        return await receive()
    return replayed
