"""The ``content-api`` command: a thin click shell over library functions."""

from __future__ import annotations

from pathlib import Path

import click

from loader.cli_commands import check_command, load_command


@click.group()
@click.version_option(package_name="content-api")
def main() -> None:
    """Load analysis articles into SQLite and serve them over GraphQL."""


main.add_command(load_command)
main.add_command(check_command)


@main.command("schema-diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--fail-on-dangerous", is_flag=True, help="Also exit 1 on dangerous changes.")
def schema_diff_command(old: str, new: str, fail_on_dangerous: bool) -> None:
    """List breaking and dangerous changes from OLD to NEW (SDL files); exit 1 if breaking."""
    from api import schema_diff

    try:
        diff = schema_diff.diff_files(Path(old), Path(new))
    except schema_diff.SchemaLoadError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(schema_diff.EXIT_INVALID) from None
    click.echo(schema_diff.format_report(diff, old, new))
    raise SystemExit(schema_diff.exit_status(diff, fail_on_dangerous))


@main.command("serve")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default="data/content.db",
              show_default=True, help="The SQLite file built by `content-api load`.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.",
              envvar=["CONTENT_API_HOST", "UVICORN_HOST"])
@click.option("--port", default=8000, show_default=True, type=int, help="Port to bind.",
              envvar=["CONTENT_API_PORT", "UVICORN_PORT"])
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Worker processes, all serving the same database file.",
              envvar=["CONTENT_API_WORKERS", "UVICORN_WORKERS"])
@click.option("--max-in-flight", type=click.IntRange(min=0), default=None,
              help="Requests served at once per worker; beyond it a fast 503 with Retry-After "
                   "(0: no limit). Default 512, or CONTENT_API_MAX_IN_FLIGHT.")
@click.option("--limit-concurrency", type=click.IntRange(min=1), default=None,
              help="Uvicorn's limit on connections plus tasks per worker. Default 4096, or "
                   "CONTENT_API_LIMIT_CONCURRENCY / UVICORN_LIMIT_CONCURRENCY.")
@click.option("--timeout-keep-alive", "keep_alive_seconds", type=float, default=None,
              help="Seconds an idle keep-alive connection stays open. Default 5.")
@click.option("--backlog", type=click.IntRange(min=1), default=None,
              help="Connections waiting to be accepted. Default 2048.")
@click.option("--max-head-bytes", type=click.IntRange(min=1024), default=None,
              help="Largest request line and headers (Uvicorn's h11 incomplete-event size). "
                   "Default 16384.")
@click.option("--head-timeout", "head_timeout_seconds",
              type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds a connection has to send a complete request head. Default 10.")
@click.option("--body-timeout", "body_timeout_seconds",
              type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds a request has to send its whole body (then 408). Default 10.")
@click.option("--production/--development", default=None,
              help="Production mode: no field suggestions in errors, no access log. "
                   "Default: CONTENT_API_PRODUCTION or development.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
@click.option("--watch", "watch_dir", type=click.Path(file_okay=False, exists=True),
              default=None, help="Live reload: load this content folder into --db now and "
              "again on every change, swapping the new content in atomically. An invalid "
              "file keeps its last good version.")
@click.option("--drafts", is_flag=True, default=None,
              help="Preview mode: serve draft articles too (Article.draft is true for them), "
                   "with private, uncached responses. Default: CONTENT_API_DRAFTS or off.")
@click.option("--trusted-documents", "trusted_documents",
              type=click.Path(dir_okay=False, exists=True), default=None,
              help="Run only the operations of this manifest ({id: document}, as GraphQL Code "
                   "Generator's client preset, relay-compiler and Apollo write it); anything "
                   "else is PERSISTED_QUERY_NOT_ALLOWED. Default: CONTENT_API_TRUSTED_DOCUMENTS.")
def serve_command(db_path: str, host: str, port: int, workers: int, production: bool | None,
                  log_level: str, watch_dir: str | None, drafts: bool | None,
                  trusted_documents: str | None, **limits) -> None:
    """Serve the content database over GraphQL (GraphiQL at /graphql).

    Limits and caching are set with CONTENT_API_* environment variables (and
    Uvicorn's own UVICORN_* ones where they apply); see the README.
    """
    import os
    import uvicorn

    from api import config, serving
    from api.store import Snapshot, StoreUnavailable

    if watch_dir is not None:
        if workers > 1:
            click.echo("error: --watch needs a single worker (one process owns the reloads).",
                       err=True)
            raise SystemExit(2)
        from loader.diagnostics import LoadError
        from loader.load import load_content

        try:
            report = load_content(Path(watch_dir), Path(db_path), skip_invalid=True)
            for diagnostic in report.errors:
                click.echo(str(diagnostic), err=True)
            if report.invalid:
                click.echo("error: invalid files are served in their last good version "
                           "(or not at all)", err=True)
        except LoadError as exc:
            for diagnostic in exc.diagnostics:
                click.echo(str(diagnostic), err=True)
            if not Path(db_path).exists():
                raise SystemExit(1) from None
            click.echo("error: content has errors; serving the last good version", err=True)
        os.environ[config.ENV_PREFIX + "WATCH_DIR"] = str(Path(watch_dir).resolve())
    try:
        Snapshot.open(Path(db_path)).close()  # fail here, clearly, rather than in every worker
    except StoreUnavailable as exc:
        click.echo(f"error: {exc}. Run `content-api load` first.", err=True)
        raise SystemExit(1) from None
    # Workers are separate processes: they read their settings from the environment.
    os.environ[config.ENV_PREFIX + "DB_PATH"] = str(Path(db_path).resolve())
    if trusted_documents is not None:
        os.environ[config.ENV_PREFIX + "TRUSTED_DOCUMENTS"] = str(Path(trusted_documents).resolve())
    manifest = _settings().trusted_documents
    if manifest is not None:  # fail here, clearly, rather than in every worker
        from api.schema import build_schema
        from api.trusted import ManifestError, TrustedDocuments

        try:
            settings = _settings()
            schema = build_schema(settings)
            count = len(TrustedDocuments.load(manifest, schema._schema, schema.limit_rules,
                                              settings.max_tokens))
        except ManifestError as exc:
            click.echo(f"error: {exc}", err=True)
            raise SystemExit(2) from None
        click.echo(f"Trusted documents: only the {count} operations of {manifest} run", err=True)
    if production is not None:
        os.environ[config.ENV_PREFIX + "PRODUCTION"] = "1" if production else "0"
    if drafts:
        os.environ[config.ENV_PREFIX + "DRAFTS"] = "1"
    if _settings().drafts:
        # A preview must never land in a shared cache.
        os.environ.setdefault(config.ENV_PREFIX + "CACHE_CONTROL", "private, no-cache")
    for name, value in limits.items():  # workers read their settings from the environment
        if value is not None:
            os.environ[config.ENV_PREFIX + name.upper()] = str(value)
    settings = _settings()
    soft, hard = serving.raise_fd_limit()
    click.echo(f"Serving {db_path} at http://{host}:{port}/graphql "
               f"(open files: {soft} of {hard})", err=True)
    uvicorn.run("api.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, access_log=not settings.production,
                server_header=False, http=serving.HeadTimeoutProtocol,
                limit_concurrency=settings.limit_concurrency,
                timeout_keep_alive=settings.keep_alive_seconds, backlog=settings.backlog,
                h11_max_incomplete_event_size=settings.max_head_bytes)


def _settings():
    """The settings from the environment; a value out of its range, or one that does not
    parse, ends the command with an error that names the variable (status 2)."""
    from api import config

    try:
        return config.from_env()
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None


@main.command("purge")
@click.option("--cache", "caches", required=True, multiple=True, metavar="URL",
              help="The cache to purge (repeat for several), e.g. http://127.0.0.1:6081; "
                   "it must run deploy/varnish/default.vcl or accept its PURGE requests.")
@click.option("--keys-file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The keys to purge, one a line: what `load --changed-keys` wrote.")
@click.option("--hard", is_flag=True,
              help="Drop the objects. By default they are soft-purged: expired, refetched on "
                   "the next request, and still served if no replica answers.")
@click.option("--replica", "replicas", multiple=True, metavar="URL",
              help="First wait (up to --wait seconds) until this replica's /healthz reports "
                   "the content version named in the keys file (repeat for each replica).")
@click.option("--wait", "wait_seconds", type=click.FloatRange(min=0), default=60.0,
              show_default=True, help="How long to wait for the replicas.")
def purge_command(caches: tuple[str, ...], keys_file: Path, hard: bool,
                  replicas: tuple[str, ...], wait_seconds: float) -> None:
    """Purge exactly the responses that read the keys in --keys-file from each --cache.

    With --replica, waits first until every replica serves the new version:
    a purge before that would let the cache fetch the old content again.
    Exits 1 when the keys file is not valid (nothing is sent), 2 when a
    replica does not switch in time or a cache cannot be reached or refuses
    (caches listed before it were purged)."""
    from api import purge

    try:
        found = purge.read_keys(keys_file)
    except purge.PurgeError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    keys, mode = found.keys, "hard" if hard else "soft"
    if not keys:
        click.echo(f"nothing to purge: {keys_file} lists no keys")
        return
    if replicas and not found.content_version:
        click.echo(f"error: {keys_file}:1: no '# content version:' line to wait for",
                   err=True)
        raise SystemExit(1)
    try:
        for replica in replicas:
            purge.wait_for_version(replica, found.content_version, wait_seconds)
            click.echo(f"{replica}: serves {found.content_version[:16]}")
    except purge.PurgeError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    for cache in caches:
        try:
            result = purge.purge(cache, keys, soft=not hard)
        except purge.PurgeError as exc:
            click.echo(f"error: {exc}", err=True)
            raise SystemExit(2) from None
        click.echo(f"{cache}: {mode} purge of {result.keys} key(s): "
                   f"{result.objects} object(s) purged")


@main.command("export-schema")
def export_schema_command() -> None:
    """Print the GraphQL schema (SDL). `make schema` writes it to schema.graphql."""
    from api.schema import export_sdl

    click.echo(export_sdl(), nl=False)
