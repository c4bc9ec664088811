"""Answering a repeated POST from the response cache, before any routing.

A POST whose answer is in the endpoint's response cache still costs Starlette's
routing, a Request, reading and decoding the JSON body and hashing the query:
together about as much as the HTTP stack itself (BENCHMARKS.md, repeated POST
against the floor). This ASGI middleware keeps, for each raw request the
endpoint answered from or into its cache, the answer's status, headers and
body, keyed by the content state and everything of the request the endpoint
reads: the body bytes, the query string, Accept and Content-Type. The same
request under the same state gets those bytes here, with a request id of its
own. Anything else goes the ordinary way, and so does any body that does not
arrive in one piece, or that names a persisted query (whose registration the
endpoint keeps fresh).
"""

from __future__ import annotations

import asyncio
import secrets

from api.cache import LRU
from api.store import SnapshotHolder

PATH = "/graphql"
# Set in the scope by the endpoint when its answer to a POST may be repeated:
# the content state it was answered under.
REPEATABLE = "content_api.repeatable_post"


class Answer:
    """A kept response; its length, for the cache's byte bound, is its body's."""

    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: list, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def __len__(self) -> int:
        return len(self.body)


class RepeatedPosts:
    """(state, Accept, Content-Type, query string, body) -> the Answer given to it."""

    def __init__(self, size: int, max_bytes: int = 0) -> None:
        self._answers: LRU[Answer] = LRU(size, max_bytes)

    def get(self, key: tuple) -> Answer | None:
        return self._answers.get(key)

    def put(self, key: tuple, answer: Answer) -> None:
        self._answers.put(key, answer)

    def clear(self) -> None:
        self._answers.clear()


class RepeatedPostMiddleware:
    def __init__(self, app, holder: SnapshotHolder, answers: RepeatedPosts,
                 max_body_bytes: int, body_timeout: float) -> None:
        self.app = app
        self.holder = holder
        self.answers = answers
        self.max_body_bytes = max_body_bytes
        self.body_timeout = body_timeout

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        accept = content_type = length = None
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value
            elif name == b"content-type":
                content_type = value
            elif name == b"content-length":
                length = value
        if length is None or not length.isdigit() or int(length) > self.max_body_bytes:
            await self.app(scope, receive, send)  # the endpoint says what is wrong
            return
        try:
            async with asyncio.timeout(self.body_timeout):
                first = await receive()
        except TimeoutError:  # nothing was taken: the endpoint times the body out itself
            await self.app(scope, receive, send)
            return
        replay = _replay(first, receive)
        body = first.get("body", b"")
        if first.get("type") != "http.request" or first.get("more_body") \
                or len(body) != int(length) or b"persistedQuery" in body:
            await self.app(scope, replay, send)
            return
        self.holder.current()  # notice a newly loaded database file
        request = (accept, content_type, scope["query_string"], body)
        answer = self.answers.get((self.holder.state, *request))
        if answer is not None:
            await send({"type": "http.response.start", "status": answer.status, "headers": [
                *answer.headers, (b"x-request-id", secrets.token_hex(8).encode("latin-1"))]})
            await send({"type": "http.response.body", "body": answer.body})
            return
        await self.app(scope, replay, self._recording(scope, request, send))

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


def _replay(first: dict, receive):
    """A receive that hands out ``first`` again, then reads on."""
    pending = [first]

    async def replayed() -> dict:
        if pending:
            return pending.pop()
        return await receive()
    return replayed
