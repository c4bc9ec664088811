"""The ``load`` and ``check`` commands: thin click wrappers over loader.load."""

from __future__ import annotations

import os
import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from .diagnostics import Diagnostic, LoadError
from .load import PARALLEL_MIN, check_content, list_files, load_content


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
def load_command(content_dir: Path, db_path: Path, progress: bool, jobs: int,
                 durable: bool) -> None:
    """Check CONTENT_DIR and load it into the SQLite file --db.

    Strict: on any error every problem is printed as path:line: message, the
    command exits 1 and the existing database is left exactly as it was.
    Unchanged files are not parsed again; deleted files are removed.
    """
    with _progress(progress) as (advance, total):
        try:
            report = load_content(content_dir, db_path, progress=advance, on_total=total,
                                  jobs=jobs, durable=durable)
        except LoadError as exc:
            _print(exc.diagnostics)
            errors = sum(1 for d in exc.diagnostics if d.is_error)
            click.echo(f"error: {errors} error(s); {db_path} was not changed", err=True)
            sys.exit(1)
        except (OSError, sqlite3.Error) as exc:
            click.echo(f"error: {exc}; {db_path} was not changed", err=True)
            sys.exit(2)
    _print(report.warnings)
    click.echo(report.summary())
    click.echo(f"database: {db_path}")


@click.command("check")
@click.argument("content_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=os.cpu_count() or 1,
              show_default="number of CPUs", help="Processes that parse in parallel.")
def check_command(content_dir: Path, strict: bool, jobs: int) -> None:
    """Validate CONTENT_DIR with the same diagnostics as load; write nothing.

    Exits 1 on errors (or on warnings with --strict).
    """
    try:
        diagnostics = check_content(content_dir, jobs=jobs)
    except LoadError as exc:
        diagnostics = exc.diagnostics
    _print(diagnostics)
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    files = len(list_files(content_dir)) if content_dir.is_dir() else 0
    click.echo(f"checked {files} file(s): {errors} error(s), {warnings} warning(s)")
    if errors or (strict and warnings):
        sys.exit(1)
