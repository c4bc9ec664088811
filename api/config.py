"""Server settings: one frozen dataclass, filled from defaults, CONTENT_API_* variables and CLI flags.

Every limit has a documented default (see the README's "Limits" table). The
defaults let every query in the README through with room to spare, and no more.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

ENV_PREFIX = "CONTENT_API_"


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know, and nothing it has to discover at runtime."""

    db_path: Path = Path("data/content.db")

    # Query cost limits.
    max_depth: int = 10  # the deepest README query (every nested list) has depth 6
    max_introspection_depth: int = 16  # GraphiQL's introspection query nests 15 levels
    max_aliases: int = 20
    max_tokens: int = 1000  # the every-field query is 141 tokens, introspection 183
    max_body_bytes: int = 64 * 1024  # also the limit for a GET query string
    max_execution_seconds: float = 5.0
    max_search_query_chars: int = 200
    max_nodes_ids: int = 100

    # Connections (see api/serving.py). Uvicorn's limits, and the ones it lacks.
    max_in_flight: int = 512  # requests being served; beyond it a fast 503 (OVERLOADED)
    limit_concurrency: int = 4096  # Uvicorn: connections plus tasks, beyond it a 503
    keep_alive_seconds: float = 5.0  # Uvicorn: an idle keep-alive connection is closed
    backlog: int = 2048  # Uvicorn: connections waiting to be accepted
    max_head_bytes: int = 16 * 1024  # Uvicorn (h11): an incomplete request head beyond it: 400
    head_timeout_seconds: float = 10.0  # the request head must arrive within this
    body_timeout_seconds: float = 10.0  # the request body must arrive within this (408)

    # Pagination.
    default_page_size: int = 20
    max_page_size: int = 100

    # HTTP caching.
    cache_control: str = "public, max-age=60"
    response_cache_size: int = 1024  # entries; 0 disables the response cache
    response_cache_bytes: int = 32 * 1024 * 1024  # total body bytes kept per worker
    persisted_queries_size: int = 4096  # registered APQ hashes kept (LRU)
    persisted_queries_bytes: int = 8 * 1024 * 1024  # total query text kept for them

    # CORS: a read-only public API without cookies, so any origin may read it.
    cors_origins: tuple[str, ...] = ("*",)
    # Origins matching this regular expression are allowed too (preview deploys:
    # r"https://.*\.pages\.example\.com"); empty: none.
    cors_origin_regex: str = ""
    # Request headers a browser may send. The default covers what Apollo Client,
    # urql, Relay, OpenTelemetry, Sentry and Zipkin (B3) send; "*" allows any.
    cors_allow_headers: tuple[str, ...] = (
        "Accept", "Accept-Language", "Authorization", "Cache-Control", "Content-Type",
        "If-None-Match", "If-Modified-Since", "X-Request-Id",
        "apollographql-client-name", "apollographql-client-version",
        "apollo-require-preflight", "x-apollo-operation-name", "x-apollo-operation-type",
        "graphql-client-name", "graphql-client-version",
        "traceparent", "tracestate", "baggage", "sentry-trace",
        "b3", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled")
    # Credentialed requests (cookies, HTTP auth) are refused unless this is on;
    # with it, "*" origins are echoed one by one, as browsers require.
    cors_credentials: bool = False

    # Trusted documents: a manifest ({id: document}) of the only operations this
    # server runs (serve --trusted-documents); None runs any query.
    trusted_documents: Path | None = None

    # Compiled execution (api.compiled): objects completed from cached plans. Off:
    # graphql-core completes everything (the same responses, slower).
    compiled_execution: bool = True

    # Production mode turns off "Did you mean ...?" suggestions in errors.
    production: bool = False

    # Preview mode: serve draft articles too (serve --drafts). Never on a public server.
    drafts: bool = False

    # Live reload: the content folder to watch (serve --watch); None serves the DB as it is.
    watch_dir: Path | None = None
    # A changed file is loaded once nothing in the folder changed for this long,
    # so a file saved in steps is never served half-written.
    watch_settle_seconds: float = 1.0

    # How often (seconds) a request may stat the DB file to notice a new load.
    reload_check_seconds: float = 1.0

    # Test-only: sleep this long inside the execution time limit (never set in production).
    test_execution_delay: float = 0.0

    # Internal: how many ParserCache / ValidationCache entries to keep.
    document_cache_size: int = 512

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes)


def _parse(value: str, kind: type, default):
    if kind is bool or isinstance(default, bool):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, tuple):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(default, Path) or default is None:  # optional paths (watch_dir)
        return Path(value)
    if isinstance(default, float):
        return float(value)
    if isinstance(default, int):
        return int(value)
    return value


# Uvicorn's own variables, honoured where a setting is Uvicorn's (CONTENT_API_* wins).
UVICORN_VARIABLES = {
    "limit_concurrency": "UVICORN_LIMIT_CONCURRENCY",
    "keep_alive_seconds": "UVICORN_TIMEOUT_KEEP_ALIVE",
    "backlog": "UVICORN_BACKLOG",
    "max_head_bytes": "UVICORN_H11_MAX_INCOMPLETE_EVENT_SIZE",
}


def from_env(environ: dict[str, str] | None = None, **overrides) -> Settings:
    """Defaults, then UVICORN_* and CONTENT_API_<FIELD> variables, then explicit
    overrides (CLI flags)."""
    environ = os.environ if environ is None else environ
    base = Settings()
    values = {}
    for f in dataclasses.fields(Settings):
        raw = environ.get(ENV_PREFIX + f.name.upper())
        if raw is None and f.name in UVICORN_VARIABLES:
            raw = environ.get(UVICORN_VARIABLES[f.name])
        if raw is not None:
            values[f.name] = _parse(raw, type(getattr(base, f.name)), getattr(base, f.name))
    values.update({k: v for k, v in overrides.items() if v is not None})
    return base.replace(**values)


def documented_defaults() -> list[tuple[str, object]]:
    """(environment variable, default) pairs, for the README and `serve --help`."""
    base = Settings()
    return [
        (ENV_PREFIX + f.name.upper(), getattr(base, f.name))
        for f in dataclasses.fields(Settings)
        if f.name not in {"test_execution_delay", "document_cache_size"}
    ]
