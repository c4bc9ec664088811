"""Diagnostics: problems found in content, each tied to a file and a line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        # Errors read as ``path:line: message`` (the format editors jump to);
        # warnings say so, because they do not stop a load.
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class LoadError(Exception):
    """Raised when content has errors; nothing was written."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        errors = [d for d in self.diagnostics if d.is_error]
        super().__init__(f"{len(errors)} error(s) in content")


class StoreError(LoadError):
    """The store cannot be written (its folder, its file, its lock): not a
    problem of the content. ``content-api load`` exits 2 for it, not 1."""
