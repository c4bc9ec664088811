"""Live reload for authors: watch the content folder, reload, swap atomically.

Each change runs the ordinary incremental ``load_content`` (only changed
files are parsed, committed in one transaction into the served file), and
then asks the SnapshotHolder to swap. Requests already running keep their snapshot; new
ones get the new version. A broken edit of one file leaves that file's last
good version in service (the valid edits to other files go live), and its
diagnostics are kept here for /healthz, the ``contentDiagnostics`` field and
the log, until an edit fixes them.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import watchfiles

from api.store import SnapshotHolder
from loader.diagnostics import Diagnostic, LoadError
from loader.load import SUFFIXES, LoadReport, load_content

log = logging.getLogger("content_api.watch")


def _is_content(change: watchfiles.Change, path: str) -> bool:
    name = Path(path).name
    return name.endswith(SUFFIXES) and not name.startswith(".")


class ContentWatcher:
    """Keeps ``db_path`` in step with ``content_dir`` and the holder in step with both."""

    def __init__(self, content_dir: Path, db_path: Path, holder: SnapshotHolder,
                 settle_seconds: float = 1.0) -> None:
        self.content_dir = Path(content_dir)
        self.db_path = Path(db_path)
        self.holder = holder
        self.settle_seconds = settle_seconds
        self.problems: list[Diagnostic] = []  # errors of the last reload; [] when it worked
        self.reloads = 0  # successful reloads that changed the content
        self._lock = threading.Lock()  # one load at a time

    def reload(self) -> LoadReport | None:
        """Load the folder now. Returns the report, or None when the content has errors."""
        with self._lock:
            try:
                # Not synced to disk: a dev loop wants speed, and the store
                # is rebuilt from the folder if a crash ever loses it.
                # An invalid file keeps its last good version; the valid edits
                # around it go live.
                report = load_content(self.content_dir, self.db_path, durable=False,
                                      skip_invalid=True)
            except LoadError as exc:
                self.problems = [d for d in exc.diagnostics if d.is_error]
                self.holder.set_problems(self.problems)
                for diagnostic in self.problems:
                    log.warning("content error, still serving the last good version: %s",
                                diagnostic)
                return None
            except Exception as exc:  # a loader bug must not end live reload
                log.exception("reload failed; still serving the last good version")
                self.problems = [Diagnostic(str(self.content_dir), 0,
                                            f"reload failed: {type(exc).__name__}: {exc}")]
                self.holder.set_problems(self.problems)
                return None
            self.problems = list(report.errors)
            self.holder.set_problems(self.problems)
            for diagnostic in self.problems:
                log.warning("content error, serving the file's last good version: %s", diagnostic)
            if report.changed:
                self.holder.reload()
                self.reloads += 1
            log.info("%s", report.summary())
            return report

    async def run(self, stop: asyncio.Event) -> None:
        """Reload on every change until ``stop`` is set.

        Changes are loaded once the folder has been quiet for ``settle_seconds``
        (watchfiles' ``step``): an editor or a script that writes a file in
        several steps, each valid markdown, is never served halfway. A folder
        that never settles is loaded at least every ten settle periods."""
        settle_ms = max(int(self.settle_seconds * 1000), 50)
        async for _changes in watchfiles.awatch(
            self.content_dir, watch_filter=_is_content, step=settle_ms,
            debounce=settle_ms * 10, stop_event=stop, recursive=True,
        ):
            await asyncio.to_thread(self.reload)
