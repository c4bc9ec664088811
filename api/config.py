"""Server settings: one frozen dataclass, filled from defaults, CONTENT_API_* variables and CLI flags.

Every setting carries its own documentation (``setting(default, doc, ...)``): the
docs' settings reference is generated from these fields, never written by hand.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

ENV_PREFIX = "CONTENT_API_"


def setting(default, doc: str, *, exceeded: str = "", internal: bool = False,
            least: float | None = None, above: float | None = None):
    """A settings field with its documentation, so that the code is the one source of the
    settings reference (docs_hooks/settings_reference.py renders it at docs build time).

    ``doc`` says what the setting bounds or does, ``exceeded`` what a client gets beyond
    it; ``internal`` settings are left out of the reference and of ``serve --help``.
    ``least`` and ``above`` bound a number: a value below ``least``, or not above
    ``above``, is refused when the settings are made (a timeout of 0 closed every
    connection, a page size of 0 answered nothing).
    """
    return dataclasses.field(default=default, metadata={
        "doc": doc, "exceeded": exceeded, "internal": internal, "least": least,
        "above": above})


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know, and nothing it has to discover at runtime."""

    db_path: Path = setting(Path("data/content.db"), "The database `serve --db` serves.")

    # Query cost limits. The defaults let every query in the docs through with room to
    # spare (the deepest has depth 6; the every-field query is 141 tokens, GraphiQL's
    # introspection 183 tokens and 15 levels), and no more.
    max_depth: int = setting(
        10, "Nesting of fields (the deepest query in the docs has depth 6).",
        exceeded="`QUERY_TOO_COMPLEX`, 400", least=1)
    max_introspection_depth: int = setting(
        16, "Nesting including `__schema`/`__type … ofType …` (GraphiQL needs 15).",
        exceeded="`QUERY_TOO_COMPLEX`, 400", least=1)
    max_aliases: int = setting(20, "Aliases in one document.", exceeded="`QUERY_TOO_COMPLEX`, 400",
                               least=0)
    max_tokens: int = setting(
        1000, "Lexical tokens; parsing stops at the limit (every-field query: 141, "
        "introspection: 183).", exceeded="`QUERY_TOO_COMPLEX`, 400", least=1)
    max_body_bytes: int = setting(
        64 * 1024, "POST body, checked on `Content-Length` and while streaming; also the GET "
        "query string.", exceeded="`PAYLOAD_TOO_LARGE`, 413 (body) / 414 (query string)",
        least=1)
    max_execution_seconds: float = setting(
        5.0, "Wall time of one execution; SQLite statements are interrupted, and nested lists "
        "stop loading.", exceeded="`TIMEOUT`, 200", above=0)
    max_search_query_chars: int = setting(
        200, "Characters of any search text (`search`, filters' `query`, `pros`, `cons`).",
        exceeded="`BAD_USER_INPUT`, 200", least=1)
    max_nodes_ids: int = setting(100, "IDs in one `nodes(ids:)` call.",
                                 exceeded="`BAD_USER_INPUT`, 200", least=1)

    # Connections (see api/serving.py). Uvicorn's limits, and the ones it lacks.
    max_in_flight: int = setting(
        512, "`serve --max-in-flight`: requests served at once per worker (`0`: no limit).",
        exceeded="`OVERLOADED`, 503 at once, `Retry-After: 1`", least=0)
    limit_concurrency: int = setting(
        4096, "`--limit-concurrency`: Uvicorn's limit on connections plus tasks per worker "
        "(`UVICORN_LIMIT_CONCURRENCY` too).", exceeded="Uvicorn's plain 503", least=1)
    keep_alive_seconds: float = setting(
        5.0, "`--timeout-keep-alive`: an idle keep-alive connection is closed after this long "
        "(`UVICORN_TIMEOUT_KEEP_ALIVE` too).", exceeded="closed", least=0)
    backlog: int = setting(
        2048, "`--backlog`: connections waiting to be accepted (`UVICORN_BACKLOG` too).",
        exceeded="refused by the kernel", least=1)
    max_head_bytes: int = setting(
        16 * 1024, "`--max-head-bytes`: request line and headers "
        "(`UVICORN_H11_MAX_INCOMPLETE_EVENT_SIZE` too).", exceeded="400 from Uvicorn", least=1)
    head_timeout_seconds: float = setting(
        10.0, "`--head-timeout`: a connection must send a complete request head this soon after "
        "connecting or after its last response (slowloris, idle sockets).",
        exceeded="connection closed", above=0)
    body_timeout_seconds: float = setting(
        10.0, "`--body-timeout`: the whole request body must arrive this soon.",
        exceeded="`REQUEST_TIMEOUT`, 408", above=0)

    # Pagination.
    default_page_size: int = setting(
        20, "Page size when neither `first` nor `last` is given.", least=1)
    max_page_size: int = setting(
        100, "`first`/`last` of every connection, never clipped.",
        exceeded="`PAGE_SIZE_EXCEEDED`, 200", least=1)

    # HTTP caching.
    cache_control: str = setting(
        "public, max-age=60", "`Cache-Control` of successful GET responses (POST and errors: "
        "`no-store`).")
    response_cache_size: int = setting(
        1024, "Cached responses per worker (`0`: off).", exceeded="least recently used is dropped",
        least=0)
    response_cache_bytes: int = setting(
        32 * 1024 * 1024, "Cached body bytes per worker; a body above a quarter of it is not "
        "cached.", exceeded="least recently used is dropped", least=0)
    persisted_queries_size: int = setting(
        4096, "Registered persisted-query hashes per worker.",
        exceeded="least recently used is dropped", least=0)
    persisted_queries_bytes: int = setting(
        8 * 1024 * 1024, "Query text kept for them per worker; only queries that ran are "
        "registered.", exceeded="least recently used is dropped", least=0)

    # CORS: a read-only public API without cookies, so any origin may read it.
    cors_origins: tuple[str, ...] = setting(
        ("*",), "Comma-separated allowed origins; empty: same origin only (unless "
        "`CONTENT_API_CORS_ORIGIN_REGEX` allows some).")
    cors_origin_regex: str = setting(
        "", "Origins matching this regular expression are allowed too, for preview deploys "
        r"(`https://[a-z0-9-]+\.preview\.example\.com`); empty: none.")
    # The default covers what Apollo Client, urql, Relay, OpenTelemetry, Sentry and
    # Zipkin (B3) send.
    cors_allow_headers: tuple[str, ...] = setting(
        ("Accept", "Accept-Language", "Authorization", "Cache-Control", "Content-Type",
         "If-None-Match", "If-Modified-Since", "X-Request-Id",
         "apollographql-client-name", "apollographql-client-version",
         "apollo-require-preflight", "x-apollo-operation-name", "x-apollo-operation-type",
         "graphql-client-name", "graphql-client-version",
         "traceparent", "tracestate", "baggage", "sentry-trace",
         "b3", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled"),
        "Comma-separated request headers a browser may send; `*` allows any. The default "
        "covers what Apollo Client, urql, Relay, OpenTelemetry, Sentry and B3 send.",
        exceeded="preflight refused (400)")
    cors_credentials: bool = setting(
        False, "`1`: allow credentialed requests (cookies, HTTP auth); allowed origins are then "
        "echoed one by one, as browsers require.", exceeded="credentials not allowed")

    trusted_documents: Path | None = setting(
        None, "A manifest `{id: document}` (or `serve --trusted-documents FILE`): only its "
        "operations run. Unset: any query runs.", exceeded="`PERSISTED_QUERY_NOT_ALLOWED`")

    compiled_execution: bool = setting(
        True, "`0`: every object is completed by graphql-core's executor instead of compiled "
        "plans (`api/compiled.py`); answers are byte-identical either way, so this is only for "
        "comparing and for ruling the compiler out.")

    gc_freeze: bool = setting(
        True, "When a served process has built its app, move everything built so far out of "
        "Python's cyclic garbage collector (`gc.freeze()`), so that its full passes walk only "
        "what requests create. `0`: leave it to the collector.")

    gc_young_threshold: int = setting(
        10_000, "In a served process, the allocations that start a pass of Python's cyclic "
        "garbage collector over its youngest objects (Python's own is 700). A request leaves "
        "no reference cycle behind, so such a pass finds nothing; at 700 one ran in nearly "
        "every request for a query text not seen before, over everything the request held. "
        "`0`: Python's own.", least=0)

    production: bool = setting(
        False, "`1` or `serve --production`: no \"Did you mean …?\" suggestions in errors, "
        "no access log.")

    drafts: bool = setting(
        False, "`1` or `serve --drafts`: a preview server that serves draft articles too "
        "(`Article.draft`), with `Cache-Control: private, no-cache` unless "
        "`CONTENT_API_CACHE_CONTROL` is set. Never on a public server.")

    watch_dir: Path | None = setting(
        None, "`serve --watch DIR`: load this content folder and reload it on every change. "
        "Unset: the database is served as it is.")
    watch_settle_seconds: float = setting(
        1.0, "`--watch` loads once the folder has been quiet this long, so a file saved in "
        "steps is never served half-written.", least=0)

    reload_check_seconds: float = setting(
        1.0, "How often a request may `stat` the database path to notice a file put in its "
        "place (a commit into the file is noticed on every request).")

    test_execution_delay: float = setting(
        0.0, "Test-only: sleep this long inside the execution time limit.", internal=True,
        least=0)

    document_cache_size: int = setting(
        512, "How many parsed documents (api.documents) and validations to keep.", internal=True,
        least=1)

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            least, above = f.metadata.get("least"), f.metadata.get("above")
            if least is not None and value < least or above is not None and value <= above:
                also = f" (or {UVICORN_VARIABLES[f.name]})" if f.name in UVICORN_VARIABLES else ""
                raise ValueError(f"{ENV_PREFIX}{f.name.upper()}{also} must be "
                                 f"{_allowed(f.metadata)} (got {value})")
        if self.default_page_size > self.max_page_size:
            raise ValueError(f"{ENV_PREFIX}DEFAULT_PAGE_SIZE ({self.default_page_size}) must not "
                             f"be above {ENV_PREFIX}MAX_PAGE_SIZE ({self.max_page_size})")

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


def _allowed(metadata) -> str:
    """A setting's range in words ("at least 1", "above 0"), or "" when it has none."""
    if metadata.get("least") is not None:
        return f"at least {metadata['least']}"
    if metadata.get("above") is not None:
        return f"above {metadata['above']}"
    return ""


def from_env(environ: dict[str, str] | None = None, **overrides) -> Settings:
    """Defaults, then UVICORN_* and CONTENT_API_<FIELD> variables, then explicit
    overrides (CLI flags). ValueError, naming the variable, for a value that does not
    parse or is out of its range."""
    environ = os.environ if environ is None else environ
    base = Settings()
    values = {}
    for f in dataclasses.fields(Settings):
        raw = environ.get(ENV_PREFIX + f.name.upper())
        if raw is None and f.name in UVICORN_VARIABLES:
            raw = environ.get(UVICORN_VARIABLES[f.name])
        if raw is not None:
            try:
                values[f.name] = _parse(raw, type(getattr(base, f.name)), getattr(base, f.name))
            except ValueError:
                kind = "a whole number" if isinstance(getattr(base, f.name), int) else "a number"
                raise ValueError(f"{ENV_PREFIX}{f.name.upper()}: {raw!r} is not {kind}") from None
    values.update({k: v for k, v in overrides.items() if v is not None})
    return base.replace(**values)


# The sections of the settings reference: each starts at the named field and runs to the
# next one, following the order of the fields above.
SETTING_SECTIONS = {
    "db_path": "Serving",
    "max_depth": "Query cost limits",
    "max_in_flight": "Connections",
    "default_page_size": "Pagination",
    "cache_control": "HTTP caching",
    "cors_origins": "CORS",
    "trusted_documents": "Modes",
    "watch_dir": "Live reload and new content",
}


@dataclass(frozen=True)
class DocumentedSetting:
    """One public setting as the settings reference shows it."""

    variable: str
    default: object
    doc: str
    exceeded: str
    section: str
    allowed: str = ""  # the range of a number, as the server checks it


def documented_settings() -> list[DocumentedSetting]:
    """Every public setting, in definition order, with its documentation."""
    base = Settings()
    found, section = [], ""
    for f in dataclasses.fields(Settings):
        if "doc" not in f.metadata:
            # The settings reference is generated from these fields: none may go undocumented.
            raise TypeError(f"Settings.{f.name} has no documentation: declare it with "
                            "setting(default, doc, ...)")
        section = SETTING_SECTIONS.get(f.name, section)
        if not f.metadata["internal"]:
            found.append(DocumentedSetting(ENV_PREFIX + f.name.upper(), getattr(base, f.name),
                                           f.metadata["doc"], f.metadata["exceeded"], section,
                                           _allowed(f.metadata)))
    return found


def documented_defaults() -> list[tuple[str, object]]:
    """(environment variable, default) pairs, for the docs and `serve --help`."""
    return [(s.variable, s.default) for s in documented_settings()]
