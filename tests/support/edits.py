"""Edits that tests make to content files, the way an author would."""

from __future__ import annotations

from pathlib import Path


def retitle(path: Path, title: str) -> Path:
    """Replace the frontmatter title of the article at ``path``; returns ``path``."""
    text = path.read_text("utf-8")
    start = text.index("title:")
    end = text.index("\n", start)
    path.write_text(text[:start] + f'title: "{title}"' + text[end:], "utf-8")
    return path
