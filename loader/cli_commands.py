"""The ``load`` and ``check`` commands: thin click wrappers over loader.load."""

from __future__ import annotations

import os
import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from .diagnostics import Diagnostic, LoadError, StoreError
from .keys import changed_keys, write_keys
from .load import PARALLEL_MIN, check_folder, load_content

# Exit statuses (the README's "Exit codes" lists them).
EXIT_ERRORS = 1  # content has errors: nothing was written
EXIT_FAILED = 2  # the load could not run (a file or the store cannot be used)
EXIT_SKIPPED = 3  # load --skip-invalid: the valid files were loaded, some were not


def _print(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(str(diagnostic), err=True)


@contextmanager
def _progress(enabled: bool):
    """A rich progress bar on a terminal; nothing when output is piped or in CI."""
    if not enabled or not sys.stderr.isatty():
        yield None, None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task("parsing", total=None)
        yield (lambda n: bar.advance(task, n)), (lambda total: bar.update(task, total=total))


@click.command("load")
@click.argument("content_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite file to create or update.")
@click.option("--progress/--no-progress", default=True, show_default=True,
              help="Show a progress bar (only on a terminal).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=os.cpu_count() or 1,
              show_default="number of CPUs", help="Processes that parse in parallel "
              f"(used from {PARALLEL_MIN} changed files on).")
@click.option("--fsync/--no-fsync", "durable", default=True, show_default=True,
              help="Sync the change to disk before the load returns.")
@click.option("--skip-invalid", is_flag=True,
              help="Load the valid files and report the invalid ones (exit 3), instead of "
                   "loading nothing. An invalid file that was loaded before keeps its last "
                   "good version.")
@click.option("--changed-keys", "keys_path", type=click.Path(dir_okay=False, path_type=Path),
              help="After a load, write here the cache keys whose content it changed, one a "
                   "line (article:<slug>, and list, search, facets, diagnostics when anything "
                   "changed; empty when nothing did), for `content-api purge --keys-file`.")
def load_command(content_dir: Path, db_path: Path, progress: bool, jobs: int,
                 durable: bool, skip_invalid: bool, keys_path: Path | None) -> None:
    """Check CONTENT_DIR and load it into the SQLite file --db.

    Strict: on any error every problem is printed as path:line: message, the
    command exits 1 and the existing database is left exactly as it was.
    Unchanged files are not parsed again; deleted files are removed.
    """
    if keys_path is not None and not os.access(keys_path.parent, os.W_OK):
        # Checked first: a load whose keys are lost cannot be purged precisely.
        click.echo(f"error: --changed-keys {keys_path}: its folder does not exist or cannot be "
                   f"written; {db_path} was not changed", err=True)
        sys.exit(EXIT_FAILED)
    with _progress(progress) as (advance, total):
        try:
            report = load_content(content_dir, db_path, progress=advance, on_total=total,
                                  jobs=jobs, durable=durable, skip_invalid=skip_invalid)
        except StoreError as exc:
            _print(exc.diagnostics)
            click.echo(f"error: the store cannot be written; {db_path} was not changed", err=True)
            sys.exit(EXIT_FAILED)
        except LoadError as exc:
            _print(exc.diagnostics)
            errors = sum(1 for d in exc.diagnostics if d.is_error)
            click.echo(f"error: {errors} error(s); {db_path} was not changed", err=True)
            sys.exit(EXIT_ERRORS)
        except (OSError, sqlite3.Error) as exc:
            click.echo(f"error: {exc}; {db_path} was not changed", err=True)
            sys.exit(EXIT_FAILED)
    _print(sorted(report.errors + report.warnings))
    click.echo(report.summary())
    click.echo(f"database: {db_path}")
    if keys_path is not None:
        keys = changed_keys(report.changed_slugs, report.changed)
        try:
            write_keys(keys_path, keys, report.content_version)
        except OSError as exc:
            click.echo(f"error: {db_path} was loaded, but the changed keys could not be written "
                       f"to {keys_path}: {exc.strerror or exc}", err=True)
            sys.exit(EXIT_FAILED)
        click.echo(f"changed keys: {len(keys)} written to {keys_path}")
    if report.invalid:
        click.echo(f"error: {len(report.invalid)} invalid file(s) not loaded: "
                   f"{', '.join(report.invalid)}", err=True)
        sys.exit(EXIT_SKIPPED)


@click.command("check")
@click.argument("content_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--verbose", "-v", is_flag=True,
              help="Also print, per file, its structure coverage: the share of list items "
                   "and paragraphs under trends that landed in typed slots (key points, "
                   "routes, advice, ...) rather than in extra sections.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=os.cpu_count() or 1,
              show_default="number of CPUs", help="Processes that parse in parallel.")
def check_command(content_dir: Path, strict: bool, verbose: bool, jobs: int) -> None:
    """Validate CONTENT_DIR with the same diagnostics as load; write nothing.

    Lists the drafts (never served publicly). Exits 1 on errors (or on
    warnings with --strict).
    """
    try:
        report = check_folder(content_dir, jobs=jobs)
        diagnostics, files = report.diagnostics, report.files
    except LoadError as exc:
        report, diagnostics, files = None, exc.diagnostics, 0
    _print(diagnostics)
    if report is not None:
        for path, slug in report.drafts:
            click.echo(f"draft: {path} ({slug}) is not public; serve --drafts previews it")
        if verbose:
            for path, (typed, total) in sorted(report.coverage.items()):
                click.echo(f"{path}: structure coverage {_percent(typed, total)} "
                           f"({typed} of {total} items and paragraphs in typed slots)")
            typed = sum(t for t, _ in report.coverage.values())
            total = sum(n for _, n in report.coverage.values())
            click.echo(f"structure coverage: {_percent(typed, total)} ({typed} of {total} "
                       f"items and paragraphs in {len(report.coverage)} article(s))")
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    drafts = f", {len(report.drafts)} draft(s)" if report and report.drafts else ""
    click.echo(f"checked {files} file(s): {errors} error(s), {warnings} warning(s){drafts}")
    if errors or (strict and warnings):
        sys.exit(EXIT_ERRORS)


def _percent(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "100.0%"
