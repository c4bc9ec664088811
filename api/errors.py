"""Error codes and the mapping from any exception to a client-safe GraphQL error.

Every error a client sees carries ``extensions.code``. Errors we raise on
purpose (``ApiError``) keep their message. Anything unexpected is masked: the
client gets "Internal server error" and the request id, and the log gets the
traceback under the same id.
"""

from __future__ import annotations

import logging
import sqlite3

from graphql import GraphQLError

log = logging.getLogger("content_api")

BAD_REQUEST = "BAD_REQUEST"  # the HTTP request itself is malformed (JSON, UTF-8, batch, missing query)
BAD_USER_INPUT = "BAD_USER_INPUT"
PAGE_SIZE_EXCEEDED = "PAGE_SIZE_EXCEEDED"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
TIMEOUT = "TIMEOUT"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
# Trusted-documents mode: the request names no operation of the manifest.
PERSISTED_QUERY_NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
BAD_CURSOR = "BAD_CURSOR"  # a cursor that is malformed or of another list, ordering or filter
NOT_ACCEPTABLE = "NOT_ACCEPTABLE"  # the Accept header allows no JSON media type (HTTP 406)
OVERLOADED = "OVERLOADED"  # too many requests in flight: shed at once (HTTP 503, Retry-After)
REQUEST_TIMEOUT = "REQUEST_TIMEOUT"  # the request body did not arrive in time (HTTP 408)

# Codes of errors that reject the whole request before execution (HTTP 400).
REQUEST_ERROR_CODES = {GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, QUERY_TOO_COMPLEX,
                       BAD_USER_INPUT, PERSISTED_QUERY_NOT_ALLOWED}

MASKED_MESSAGE = "Internal server error"

# Messages of the limit rules (strawberry's depth/alias limiters, graphql-core's
# token limit and introspection depth rule) all mean "query too complex".
_COMPLEXITY_MARKERS = (
    "exceeds maximum operation depth",
    "aliases found",
    "more than",  # "Document contains more than N tokens. Parsing aborted."
    "Maximum introspection depth exceeded",
    "(introspection included)",
)


class ApiError(Exception):
    """An error meant for the client: its message is safe to show."""

    def __init__(self, message: str, code: str = BAD_USER_INPUT, **extensions) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.extensions = extensions


def bad_input(message: str, **extensions) -> ApiError:
    return ApiError(message, BAD_USER_INPUT, **extensions)


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "interrupt" in str(exc)


def is_timeout(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the request ran past its time limit: the deadline's
    error, or SQLite interrupting a statement for it."""
    return (isinstance(exc, ApiError) and exc.code == TIMEOUT) or _is_timeout(exc)


def classify(error: GraphQLError) -> tuple[str, bool]:
    """(code, masked) for an error out of ``schema.execute``."""
    original = error.original_error
    if isinstance(original, GraphQLError):
        original = None  # graphql-core's own errors (e.g. variable coercion) are client-safe
    if isinstance(original, ApiError):
        return original.code, False
    if original is not None and _is_timeout(original):
        return TIMEOUT, False
    if original is not None:
        return INTERNAL_SERVER_ERROR, True
    message = error.message
    if any(marker in message for marker in _COMPLEXITY_MARKERS):
        return QUERY_TOO_COMPLEX, False
    if message.startswith("Syntax Error"):
        return GRAPHQL_PARSE_FAILED, False
    if error.path is not None:
        # An error during execution without a cause is a server bug (e.g. a null
        # in a non-null field): never show its message.
        return INTERNAL_SERVER_ERROR, True
    if message.startswith("Variable '$") or "operation named" in message or (
        "Must provide operation name" in message
    ):
        return BAD_USER_INPUT, False
    return GRAPHQL_VALIDATION_FAILED, False


def format_error(error: GraphQLError, request_id: str) -> dict:
    """The JSON shape of one error, masked when it is unexpected."""
    code, masked = classify(error)
    if masked:
        # Log the innermost cause, with its traceback, under the request id.
        cause = error.original_error or error
        log.error("request %s: unexpected error at %s", request_id, error.path,
                  exc_info=(type(cause), cause, cause.__traceback__))
        out: dict = {"message": MASKED_MESSAGE}
    else:
        out = {"message": error.message}
    if error.locations and not masked:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path is not None:
        out["path"] = list(error.path)
    extensions: dict = {"code": code}
    if isinstance(error.original_error, ApiError):
        extensions.update(error.original_error.extensions)
    if masked or code == TIMEOUT:
        extensions["requestId"] = request_id
    out["extensions"] = extensions
    return out


def simple_error(message: str, code: str, request_id: str | None = None, **extensions) -> dict:
    """An error that did not come from execution (HTTP-level rejections)."""
    ext = {"code": code, **extensions}
    if request_id:
        ext["requestId"] = request_id
    return {"message": message, "extensions": ext}
