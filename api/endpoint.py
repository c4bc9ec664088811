"""The /graphql endpoint: parse, check caches, execute within limits, serialise with orjson.

Order of work for one request:
1. parse the HTTP request (``transport``), rejecting what is malformed;
2. take the current snapshot and hold it to the end: every later step reads
   the one version it is pinned to, whatever loads commit meanwhile;
3. serve from the response cache (by content state and request), or, for a
   GET revalidated with If-None-Match, answer 304 without executing when
   nothing this request read last time has changed (api.surrogates);
4. otherwise execute under the time limit, recording what the query reads;
5. cache and send successful results, a GET with its ``xkey`` surrogate keys
   and an ETag made of the versions of those keys (304 if it matches); send
   errors with codes and the request id, never cached.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time

import orjson
from graphql import DocumentNode, GraphQLError
from strawberry.types.graphql import OperationType
from starlette.requests import Request
from starlette.responses import Response
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

from api import compiled, errors, graphiql, prepared, store
from api.negotiation import JSON as JSON_MEDIA, content_type, response_media
from api.cache import LRU, etag_matches, request_key
from api.config import Settings
from api.documents import operation_count
from api.loaders import Context
from api.not_modified import KnownETags
from api.repeated import REPEATABLE, Answer
from api.request_ids import new_request_id
from api.schema import ContentSchema
from api.store import SnapshotHolder
from api.surrogates import Reads, etag_of, versions_of, xkey_header
from api.trusted import TrustedDocuments
from api.transport import (GraphQLRequest, HttpError, PersistedQueryNotFound, ShowGraphiQL,
                           parse)

log = logging.getLogger("content_api")


def _body_size(entry: tuple) -> int:
    return len(entry[0])


class GraphQLEndpoint:
    """Callable Starlette endpoint bound to one schema, one snapshot holder and its caches."""

    def __init__(self, schema: ContentSchema, holder: SnapshotHolder, settings: Settings,
                 trusted: TrustedDocuments | None = None) -> None:
        self.schema = schema
        self.trusted = trusted
        self.holder = holder
        self.settings = settings
        # (state, identity) -> (body, keys, ETag) of a finished response.
        self.responses: LRU[tuple] = LRU(settings.response_cache_size,
                                         settings.response_cache_bytes, weight=_body_size)
        # identity -> the keys it read when last executed, under whatever version:
        # kept across swaps, so that a revalidation of what a publish left alone
        # is answered 304 without running the query again.
        self.read_keys: LRU[tuple] = LRU(settings.response_cache_size or 1024)
        self.persisted: LRU[str] = LRU(settings.persisted_queries_size,
                                       settings.persisted_queries_bytes)
        self.known_etags = KnownETags(settings.response_cache_size or 1024)
        self.repeated: LRU[Answer] = LRU(settings.response_cache_size,
                                         settings.response_cache_bytes)
        holder.on_swap(self._swapped)
        versions_of(holder.current(), holder.state)

    def _swapped(self, snapshot: store.Snapshot) -> None:
        self.responses.clear()
        self.known_etags.clear()
        self.repeated.clear()
        # The new version's key versions, read now rather than by its first request
        # (which reads them itself if this fails).
        try:
            versions_of(snapshot, self.holder.state_of(snapshot))
        except sqlite3.Error:
            log.warning("surrogate key versions of the new content could not be read now",
                        exc_info=True)

    async def __call__(self, request: Request) -> Response:
        request_id = new_request_id()
        media = response_media(request.headers.get("accept"))
        try:
            return await self._handle(request, request_id, media or JSON_MEDIA, media is None)
        except HttpError as exc:
            status = exc.status
            if exc.code in errors.REQUEST_ERROR_CODES and media == JSON_MEDIA:
                status = 200  # a GraphQL request error, for a client that reads only 200s
            return self._error_response(status, exc.code, exc.message, request_id, exc.headers,
                                        media or JSON_MEDIA)
        except Exception:  # a bug: mask it, log it under the request id
            log.exception("request %s: unhandled error", request_id)
            return self._error_response(500, errors.INTERNAL_SERVER_ERROR, errors.MASKED_MESSAGE,
                                        request_id, media=media or JSON_MEDIA)

    async def _handle(self, request: Request, request_id: str, media: str,
                      unacceptable: bool) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": "GET, POST, OPTIONS"})
        try:
            gql = await parse(request, self.settings.max_body_bytes, self.persisted,
                              self.settings.body_timeout_seconds, self.trusted)
        except ShowGraphiQL:
            return graphiql.graphiql_response(request)
        except PersistedQueryNotFound:
            return self._error_response(200, errors.PERSISTED_QUERY_NOT_FOUND,
                                        "PersistedQueryNotFound", request_id, media=media)
        if unacceptable:
            raise HttpError(406, errors.NOT_ACCEPTABLE, "The Accept header allows neither "
                            "application/graphql-response+json nor application/json.")
        with self.holder.use() as snapshot:
            # The state is the snapshot's content version, changed also by
            # live-reload diagnostics, which `contentDiagnostics` reports.
            state = self.holder.state_of(snapshot)
            # The media type is part of the representation: its own identity and ETag.
            identity = request_key(media, gql.query, gql.variables, gql.operation_name)
            key = (state, identity)
            if_none_match = request.headers.get("if-none-match") if gql.is_get else None
            cached = self.responses.get(key)
            if cached is None and if_none_match:
                # What this request read last time (under any version): if none of
                # it changed since, neither did the answer (api.surrogates).
                keys = self.read_keys.get(identity)
                if keys is not None:
                    etag = etag_of(identity, keys, versions_of(snapshot, state))
                    if etag_matches(if_none_match, etag):
                        return self._not_modified(request, state, etag, keys, request_id)
            if cached is None:
                document = self._parse(gql.query)
                if gql.operation_name is None and isinstance(document, DocumentNode) and \
                        operation_count(document) > 1:
                    raise HttpError(400, errors.BAD_USER_INPUT, "The document has several "
                                    "operations: name the one to run in `operationName`.")
                body, reads, status = await self._execute(gql, snapshot, request_id, document)
                if reads is None and status == 200 and gql.persist_as:
                    self.persisted.put(gql.persist_as, gql.query)  # it ran: worth remembering
                if status == 400 and media == JSON_MEDIA:
                    status = 200  # a request error, for a client that reads only 200s
                if reads is None:  # not cacheable
                    return Response(body, status_code=status, media_type=content_type(media),
                                    headers={"X-Request-Id": request_id,
                                             "Cache-Control": "no-store", "Vary": "Accept"})
                versions = versions_of(snapshot, state)
                keys = tuple(reads.keys(versions))
                cached = (body, keys, etag_of(identity, keys, versions))
                self.responses.put(key, cached)
                self.read_keys.put(identity, keys)
        body, keys, etag = cached
        if gql.persist_as:
            self.persisted.put(gql.persist_as, gql.query)
        if not gql.persist_as:  # the same request may be answered before routing next time
            request.scope[REPEATABLE] = state
        if not gql.is_get:
            return Response(body, media_type=content_type(media),
                            headers=self._ok_headers(None, request_id))
        if etag_matches(if_none_match, etag):
            return self._not_modified(request, state, etag, keys, request_id)
        self.known_etags.remember(request.scope["query_string"], state, etag)
        return Response(body, media_type=content_type(media),
                        headers=self._ok_headers(etag, request_id, keys))

    def _not_modified(self, request: Request, state: str, etag: str, keys: tuple,
                      request_id: str) -> Response:
        self.known_etags.remember(request.scope["query_string"], state, etag)
        request.scope[REPEATABLE] = state
        return Response(status_code=304, headers=self._ok_headers(etag, request_id, keys))

    def _ok_headers(self, etag: str | None, request_id: str, keys: tuple = ()) -> dict:
        headers = {"X-Request-Id": request_id, "Vary": "Accept"}
        if etag:
            headers["ETag"] = etag
            headers["Cache-Control"] = self.settings.cache_control
            # What the response read, for a cache's precise purges (Varnish xkey).
            headers["xkey"] = xkey_header(keys)
        else:
            headers["Cache-Control"] = "no-store"
        return headers

    def _parse(self, query: str) -> DocumentNode | GraphQLError:
        """The request's document, parsed once for the whole request (api.documents),
        or why it does not parse, which execution then reports."""
        try:
            return self.schema.documents.parse(query, max_tokens=self.settings.max_tokens)
        except GraphQLError as error:
            return error

    async def _execute(self, gql: GraphQLRequest, snapshot: store.Snapshot,
                       request_id: str, document: DocumentNode | GraphQLError | None = None
                       ) -> tuple[bytes, Reads | None, int]:
        """(body, what it read or None when it is not cacheable, status) of executing
        the request against ``snapshot``."""
        settings = self.settings
        context = Context(snapshot=snapshot, settings=settings, request_id=request_id,
                          problems=self.holder.problems, document=document)
        allowed = (OperationType.QUERY,) if gql.is_get else (
            OperationType.QUERY, OperationType.MUTATION, OperationType.SUBSCRIPTION)
        extensions = {"contentVersion": snapshot.content_version}
        token = store.deadline.set(time.monotonic() + settings.max_execution_seconds)
        try:
            async with asyncio.timeout(settings.max_execution_seconds):
                if settings.test_execution_delay:
                    await asyncio.sleep(settings.test_execution_delay)
                result = await prepared.execute_request(
                    self.schema, settings, gql.query, gql.variables, gql.operation_name,
                    context, allowed)
                compiled.STATS.record(result, context.execution)
        except TimeoutError:
            compiled.STATS.note_timeout()
            error = errors.simple_error(
                f"The query took longer than the limit of {settings.max_execution_seconds} s.",
                errors.TIMEOUT, request_id)
            return self._body(None, [error], extensions, request_id, True), None, 200
        except InvalidOperationTypeError as exc:
            raise HttpError(405, errors.METHOD_NOT_ALLOWED,
                            f"{exc.operation_type.value} operations are not allowed over GET: "
                            "use POST.", {"Allow": "POST"}) from None
        except CannotGetOperationTypeError:
            raise HttpError(400, errors.BAD_USER_INPUT,
                            "No operation matches `operationName`.") from None
        except MissingQueryError:
            raise HttpError(400, errors.BAD_REQUEST, "Missing `query`.") from None
        finally:
            store.deadline.reset(token)

        if not result.errors:
            return orjson.dumps({"data": result.data, "extensions": extensions}), context.reads, 200
        formatted = [errors.format_error(e, request_id) for e in result.errors]
        codes = {e["extensions"]["code"] for e in formatted}
        if errors.TIMEOUT in codes:  # stopped mid-way: one error, not one per field
            error = errors.simple_error(
                f"The query took longer than the limit of {settings.max_execution_seconds} s.",
                errors.TIMEOUT, request_id)
            return self._body(None, [error], extensions, request_id, True), None, 200
        # Rejected before execution (parse, validation, limits, variables): a request
        # error, HTTP 400 and no `data` key, as the GraphQL-over-HTTP spec says.
        rejected = result.data is None and codes <= errors.REQUEST_ERROR_CODES and not any(
            "path" in e for e in formatted)
        body = self._body(result.data, formatted, extensions, request_id, not rejected)
        return body, None, 400 if rejected else 200

    @staticmethod
    def _body(data, errs: list, extensions: dict, request_id: str, with_data: bool) -> bytes:
        payload: dict = {}
        if with_data:
            payload["data"] = data
        payload["errors"] = errs
        payload["extensions"] = {**extensions, "requestId": request_id}
        return orjson.dumps(payload)

    def _error_response(self, status: int, code: str, message: str, request_id: str,
                        headers: dict | None = None, media: str = JSON_MEDIA) -> Response:
        payload = {"errors": [errors.simple_error(message, code, request_id)],
                   "extensions": {"requestId": request_id}}
        try:
            payload["extensions"]["contentVersion"] = self.holder.current().content_version
        except Exception:  # the version is a courtesy here; never fail an error response on it
            pass
        return Response(orjson.dumps(payload), status_code=status, media_type=content_type(media),
                        headers={"X-Request-Id": request_id, "Cache-Control": "no-store",
                                 "Vary": "Accept", **(headers or {})})
