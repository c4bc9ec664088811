"""The Starlette application: /graphql, /healthz, /schema.graphql and GraphiQL's assets."""

from __future__ import annotations

import asyncio
import contextlib
import gc

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from api import compiled, config, graphiql, validation_cache
from api.encoding import WeakETagWhenEncoded
from api.serving import InFlight, LoadShedding
from api.config import Settings
from api.endpoint import GraphQLEndpoint
from api.not_modified import NotModifiedMiddleware
from api.repeated import RepeatedAnswerMiddleware
from api.schema import build_schema
from api.store import SnapshotHolder
from api.trusted import TrustedDocuments
from api.watch import ContentWatcher
from loader.storefile import load_status

GRAPHQL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def create_app(settings: Settings | None = None, holder: SnapshotHolder | None = None) -> Starlette:
    """The app serving the database at ``settings.db_path`` (or the given holder's)."""
    settings = settings or Settings()
    holder = holder or SnapshotHolder(settings.db_path, settings.reload_check_seconds,
                                      grace_seconds=settings.max_execution_seconds + 10,
                                      drafts=settings.drafts)
    schema = build_schema(settings)
    trusted = TrustedDocuments.load(settings.trusted_documents, schema._schema,
                                    schema.limit_rules, settings.max_tokens) \
        if settings.trusted_documents else None
    endpoint = GraphQLEndpoint(schema, holder, settings, trusted)
    sdl = schema.as_str() + "\n"

    async def healthz(request: Request) -> Response:
        snapshot = holder.current()
        # "stale": a live reload failed; the last good content is served meanwhile.
        # "load": the last load of the store, "interrupted" if one died midway (the
        # version it did not commit was never visible).
        body = {"status": "stale" if holder.problems else "ok",
                "contentVersion": snapshot.content_version,
                "articleCount": snapshot.article_count, "loadedAt": snapshot.loaded_at,
                "drafts": "served" if settings.drafts else "hidden",
                "trustedDocuments": len(trusted) if trusted else None,
                "load": load_status(settings.db_path),
                "versions": {"swaps": holder.swaps, "retiredOpen": holder.retired},
                "requests": {"inFlight": in_flight.count, "limit": in_flight.limit,
                             "shed": in_flight.shed},
                # Executed requests: objects all from compiled plans, some, or none;
                # and what sent objects back to graphql-core (api.compiled).
                "execution": compiled.STATS.as_dict(),
                # Unseen documents: proven valid quickly, or by graphql-core's rules.
                "validation": validation_cache.STATS.as_dict(),
                "diagnostics": [str(d) for d in holder.problems]}
        return Response(orjson.dumps(body), media_type="application/json",
                        headers={"Cache-Control": "no-store"})

    async def schema_sdl(request: Request) -> Response:
        return PlainTextResponse(sdl, headers={"Cache-Control": settings.cache_control})

    in_flight = InFlight(settings.max_in_flight)
    # Outermost first. A request answered before is answered again from memory
    # (api.repeated). Compression (api.encoding), so that what it encodes gets a
    # weak ETag. CORS, so that every response a browser gets carries its headers,
    # the 503s of shedding and the 304s included. Shedding: an overloaded server
    # refuses before any work. Then a revalidated GET is answered before routing
    # (api.not_modified).
    middleware = [Middleware(RepeatedAnswerMiddleware, holder=holder, answers=endpoint.repeated,
                             max_body_bytes=settings.max_body_bytes,
                             body_timeout=settings.body_timeout_seconds),
                  Middleware(WeakETagWhenEncoded)]
    if settings.cors_origins or settings.cors_origin_regex:
        middleware.append(Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_origin_regex=settings.cors_origin_regex or None,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=list(settings.cors_allow_headers),
            allow_credentials=settings.cors_credentials,
            expose_headers=["ETag", "X-Request-Id", "Retry-After"],
            max_age=600,
        ))
    middleware += [Middleware(LoadShedding, in_flight=in_flight),
                   Middleware(NotModifiedMiddleware, holder=holder, known=endpoint.known_etags,
                              cache_control=settings.cache_control)]
    watcher = ContentWatcher(settings.watch_dir, settings.db_path, holder,
                             settings.watch_settle_seconds) if settings.watch_dir else None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        if watcher is None:
            yield
            return
        stop = asyncio.Event()
        await asyncio.to_thread(watcher.reload)  # catch edits made before we started
        task = asyncio.create_task(watcher.run(stop))
        try:
            yield
        finally:
            stop.set()
            await task

    app = Starlette(
        lifespan=lifespan,
        routes=[
            Route("/graphql", endpoint.__call__, methods=GRAPHQL_METHODS),
            Route("/healthz", healthz, methods=["GET", "HEAD"]),
            Route("/schema.graphql", schema_sdl, methods=["GET", "HEAD"]),
            *graphiql.routes(),
        ],
        middleware=middleware,
    )
    app.state.in_flight = in_flight
    app.state.settings = settings
    app.state.holder = holder
    app.state.endpoint = endpoint
    app.state.watcher = watcher
    return app


def app_from_env() -> Starlette:
    """App factory for ``uvicorn --factory`` and worker processes: settings from CONTENT_API_*."""
    settings = config.from_env()
    app = create_app(settings)
    tune_collector(settings)
    return app


def tune_collector(settings: Settings) -> None:
    """Python's cyclic garbage collector, set for a process that serves requests
    (called once its app is built)."""
    if settings.gc_young_threshold:
        # The request path makes no reference cycles (tests/api/test_prepared.py
        # checks it), so the collector's passes there only walk what requests hold
        # at the time. A request for a text not seen before allocates more than
        # 700 objects before it frees them, and a pass ran in nearly every one:
        # 150 µs of 1.7 ms in process (bench.inprocess's unseen (a)); with 10,000,
        # none in 2,000 such requests.
        gc.set_threshold(settings.gc_young_threshold, *gc.get_threshold()[1:])
    if settings.gc_freeze:
        # Everything built so far (modules, the schema, its types) lives as long as
        # the process: moved out of the cyclic collector's generations, it is not
        # walked again by every full pass. In a flood of unseen texts this cut the
        # p99 latency from 30 ms to 8 ms (python -m bench.unseen_flood).
        gc.collect()
        gc.freeze()
