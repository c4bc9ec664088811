"""GraphQL over HTTP: turn a GET or POST into one ``GraphQLRequest``, or reject it with ``HttpError``.

Only what the spec allows gets through: a JSON object body (not a batch
array) of at most ``max_body_bytes`` with content type application/json, or
GET parameters. Persisted queries (Apollo's automatic persisted queries
protocol) and trusted documents (``documentId``, Relay's ``doc_id``) are
resolved here, so the rest of the app always sees query text.
"""

from __future__ import annotations

import asyncio

from dataclasses import dataclass
from urllib.parse import parse_qsl

import orjson
from starlette.requests import ClientDisconnect, Request

from api import errors
from api.cache import LRU, sha256_hex
from api.trusted import TrustedDocuments, document_key


@dataclass
class GraphQLRequest:
    query: str
    variables: dict | None
    operation_name: str | None
    is_get: bool
    # A persisted-query hash sent with its query: registered by the endpoint
    # once the query has run, so that rejected queries are never kept.
    persist_as: str | None = None


class HttpError(Exception):
    """A request rejected before execution: an HTTP status and one error."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class ShowGraphiQL(Exception):
    """GET /graphql from a browser without a query: serve the IDE instead."""


def _bad(message: str) -> HttpError:
    return HttpError(400, errors.BAD_REQUEST, message)


async def read_body(request: Request, limit: int, timeout: float | None = None) -> bytes:
    """The body, refusing anything over ``limit`` bytes without reading it all, or
    arriving slower than ``timeout`` seconds for the whole (a slow-body attack)."""
    if timeout is not None:
        try:
            # A timer, not asyncio.wait_for, which on Python 3.11 runs the read as
            # a task of its own: 22 µs more of an uncached POST's 730 (in process).
            # A body that has arrived already is taken, even with a timeout of 0.
            async with asyncio.timeout(timeout):
                return await read_body(request, limit)
        except TimeoutError:
            raise HttpError(408, errors.REQUEST_TIMEOUT, f"The request body did not arrive "
                            f"within {timeout:g} seconds.", {"Connection": "close"}) from None
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise _bad("Invalid Content-Length header.")
        if int(declared) > limit:
            raise HttpError(413, errors.PAYLOAD_TOO_LARGE,
                            f"Request body is larger than the limit of {limit} bytes.")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise HttpError(413, errors.PAYLOAD_TOO_LARGE,
                                f"Request body is larger than the limit of {limit} bytes.")
            chunks.append(chunk)
    except ClientDisconnect:
        raise _bad("The client disconnected before sending the whole body.") from None
    return b"".join(chunks)


def _json_param(raw: str | None, name: str) -> dict | None:
    if raw is None or raw == "":
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _bad(f"The `{name}` parameter is not valid JSON.") from None
    if value is not None and not isinstance(value, dict):
        raise _bad(f"The `{name}` parameter must be a JSON object.")
    return value


@dataclass
class _Fields:
    query: str | None
    variables: dict | None
    operation: str | None
    extensions: dict | None
    document_id: str | None


def _fields(payload: dict) -> _Fields:
    query = payload.get("query")
    variables = payload.get("variables")
    operation = payload.get("operationName")
    extensions = payload.get("extensions")
    # GraphQL over HTTP's `documentId`; Relay's network layers send `doc_id`.
    document_id = payload.get("documentId")
    if document_id is None:
        document_id = payload.get("doc_id")
    if query is not None and not isinstance(query, str):
        raise _bad("`query` must be a string.")
    if document_id is not None and (not isinstance(document_id, str) or not document_id):
        raise _bad("`documentId` must be a non-empty string.")
    if document_id is not None and query is not None:
        raise _bad("Send either `query` or `documentId`, not both.")
    if variables is not None and not isinstance(variables, dict):
        raise _bad("`variables` must be a JSON object.")
    if operation is not None and not isinstance(operation, str):
        raise _bad("`operationName` must be a string.")
    if extensions is not None and not isinstance(extensions, dict):
        raise _bad("`extensions` must be a JSON object.")
    return _Fields(query, variables, operation, extensions, document_id)


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


async def parse(request: Request, max_body_bytes: int, persisted: LRU[str],
                body_timeout: float | None = None,
                trusted: TrustedDocuments | None = None) -> GraphQLRequest:
    if request.method in ("GET", "HEAD"):
        raw_query = request.url.query
        if len(raw_query) > max_body_bytes:
            raise HttpError(414, errors.PAYLOAD_TOO_LARGE,
                            f"Query string is longer than the limit of {max_body_bytes} bytes.")
        try:  # strictly: the bytes of a POST body are checked too
            params = dict(parse_qsl(request.scope["query_string"].decode("latin-1"),
                                    keep_blank_values=True, encoding="utf-8", errors="strict"))
        except UnicodeDecodeError:
            raise _bad("The query string is not valid UTF-8.") from None
        if not params.keys() & {"query", "extensions", "documentId", "doc_id"} and \
                _wants_html(request):
            raise ShowGraphiQL()
        fields = _fields({
            "query": params.get("query"),
            "variables": _json_param(params.get("variables"), "variables"),
            "operationName": params.get("operationName") or None,
            "extensions": _json_param(params.get("extensions"), "extensions"),
            **{name: params[name] for name in ("documentId", "doc_id") if name in params},
        })
        is_get = True
    elif request.method == "POST":
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            raise HttpError(415, errors.UNSUPPORTED_MEDIA_TYPE,
                            "Send the request body as application/json.")
        body = await read_body(request, max_body_bytes, body_timeout)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            raise _bad("The request body is not valid UTF-8.") from None
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise _bad("The request body is not valid JSON.") from None
        if isinstance(payload, list):
            raise _bad("Batched requests are not supported: send one operation per request "
                       "(a JSON object, not an array).")
        if not isinstance(payload, dict):
            raise _bad("The request body must be a JSON object with a `query`.")
        fields = _fields(payload)
        is_get = False
    else:
        raise HttpError(405, errors.METHOD_NOT_ALLOWED,
                        f"{request.method} is not allowed: use GET or POST.",
                        {"Allow": "GET, POST"})
    if trusted is not None:
        query, persist_as = _resolve_trusted(fields, trusted), None
    elif fields.document_id is not None:
        query, persist_as = _registered(document_key(fields.document_id), persisted), None
    else:
        query, persist_as = _resolve_persisted(fields.query, fields.extensions, persisted)
    return GraphQLRequest(query, fields.variables, fields.operation, is_get, persist_as)


class PersistedQueryNotFound(Exception):
    """The client sent only a hash we do not know; it should retry with the query."""


def _resolve_persisted(query: str | None, extensions: dict | None,
                       persisted: LRU[str]) -> tuple[str, str | None]:
    """(query text, hash to register it under once it has run, if any)."""
    pq = (extensions or {}).get("persistedQuery")
    if pq is None:
        if query is None or not query.strip():
            raise _bad("Missing `query`.")
        return query, None
    if not isinstance(pq, dict) or not isinstance(pq.get("sha256Hash"), str):
        raise _bad("`extensions.persistedQuery` must be an object with a `sha256Hash` string.")
    if pq.get("version", 1) != 1:
        raise _bad("Only version 1 of persisted queries is supported.")
    digest = pq["sha256Hash"].lower()
    if query is None:
        return _registered(digest, persisted), None
    if sha256_hex(query) != digest:
        raise _bad("`extensions.persistedQuery.sha256Hash` does not match the sha256 of `query`.")
    return query, digest


def _registered(digest: str, persisted: LRU[str]) -> str:
    """The query registered under ``digest`` by an earlier request (APQ)."""
    known = persisted.get(digest.lower())
    if known is None:
        raise PersistedQueryNotFound()
    return known


def _persisted_hash(extensions: dict | None) -> str | None:
    pq = (extensions or {}).get("persistedQuery")
    if pq is None:
        return None
    if not isinstance(pq, dict) or not isinstance(pq.get("sha256Hash"), str):
        raise _bad("`extensions.persistedQuery` must be an object with a `sha256Hash` string.")
    return pq["sha256Hash"]


def _not_allowed(message: str) -> HttpError:
    return HttpError(400, errors.PERSISTED_QUERY_NOT_ALLOWED, message)


def _resolve_trusted(fields: _Fields, trusted: TrustedDocuments) -> str:
    """The listed document a request names, by id, by Apollo hash or by its exact text."""
    document_id = fields.document_id or _persisted_hash(fields.extensions)
    if document_id is not None:
        text = trusted.get(document_id)
        if text is None:
            raise _not_allowed(f"No trusted document has the id `{document_id}`: this server "
                               "runs only the operations its app was built with.")
        return text
    if fields.query is None or not fields.query.strip():
        raise _bad("Missing `documentId` (or `query`).")
    if not trusted.lists(fields.query):
        raise _not_allowed("This server runs only trusted documents: send the `documentId` "
                           "of an operation in its manifest.")
    return fields.query
