"""Response compression (starlette-compress: zstd, brotli, gzip) and ETags that
stay right per encoding.

An ETag here names the content version and the request, not the bytes: the
same ETag must not stand for an identity and a gzip body as a *strong*
validator (RFC 9110 8.8.3). So a compressed response carries it weak
(``W/"…"``), as nginx and Varnish do, and a 304 answers in the form the
client's If-None-Match used. Matching is weak everywhere, so a cache that
stored either form revalidates.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette_compress import CompressMiddleware, add_compress_type

from api.negotiation import GRAPHQL_RESPONSE

# Bodies under this many bytes go out as they are: compressing them saves
# little and costs a compressor per response.
MINIMUM_SIZE = 1024


# application/json is compressed already; the GraphQL-over-HTTP type is not known to it.
add_compress_type(GRAPHQL_RESPONSE)


def compression(app):
    return CompressMiddleware(app, minimum_size=MINIMUM_SIZE)


class WeakETagWhenEncoded:
    """ASGI middleware, outside the compression: weakens the ETag of an encoded
    response, and of a 304 whose If-None-Match held the weak form."""

    def __init__(self, app) -> None:
        self.app = compression(app)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if_none_match = Headers(scope=scope).get("if-none-match", "")

        async def sending(message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                etag = headers.get("etag")
                if etag and not etag.startswith("W/"):
                    encoded = headers.get("content-encoding", "identity") != "identity"
                    revalidated_weak = message["status"] == 304 and f"W/{etag}" in if_none_match
                    if encoded or revalidated_weak:
                        headers["etag"] = f"W/{etag}"
            await send(message)

        await self.app(scope, receive, sending)
