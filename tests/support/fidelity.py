"""The fidelity check: every non-blank source line is reachable from stored fields.

A line is reachable when each of its words (CJK runs and letter/digit runs,
as loader.tokens splits them) appears in a stored field of a row whose source
span covers that line. The article's whole-body field does not count, since
it would make the check trivially true.
"""

from __future__ import annotations

import json
import sqlite3

from loader.article import KNOWN_KEYS
from loader.tokens import runs

# Per table, the columns whose text a line's words may be found in.
FIELDS = {
    "articles": ["title", "date", "description", "tags", "intro_md", "summary_md",
                 "summary_heading", "headings", "slug"],
    "trends": ["label", "heading", "title", "status_intro_md", "status_heading",
               "routes_heading", "advice_heading"],
    "key_points": ["label", "text_md"],
    "routes": ["label", "name", "intro_md"],
    "route_points": ["kind", "text_md"],
    "advice": ["position", "title", "text_md"],
    "sections": ["heading", "body_md"],
}
# Words that only decorate the source: the wrapper fence's info string and
# the pros/cons lead-ins (stored as route_points.kind).
DECORATION = {"markdown", "md"}


def _covering_text(conn: sqlite3.Connection, path: str, line: int) -> str:
    texts: list[str] = []
    for table, columns in FIELDS.items():
        cols = ", ".join(f"coalesce(CAST({c} AS TEXT), '')" for c in columns)
        for row in conn.execute(
            f"SELECT {cols} FROM {table} WHERE source_path = ? AND ? BETWEEN start_line AND end_line",
            (path, line),
        ):
            texts.extend(row)
    text = "\n".join(texts)
    # JSON columns store CJK as-is (ensure_ascii=False); decode escapes anyway.
    return text + "\n" + json.dumps(text, ensure_ascii=False)


def unreachable_lines(conn: sqlite3.Connection, path: str, source: str) -> list[tuple[int, str]]:
    """(line number, line) for every non-blank line some word of which is not stored."""
    missing = []
    lines = source.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    frontmatter_end = _frontmatter_end(lines)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        covering = _covering_text(conn, path, number).lower()
        value = line
        if number <= frontmatter_end:  # a 'key: value' line: the key is not content
            key, sep, rest = line.partition(":")
            value = rest if sep and key.strip() in KNOWN_KEYS else line
        words = [w.lower() for w, _ in runs(value)]
        lost = [w for w in words if w not in covering and w not in DECORATION]
        # Lead-ins like **优点** / **Pros** are stored as the point's kind.
        lost = [w for w in lost if not _is_point_word(w, covering)]
        if lost:
            missing.append((number, line))
    return missing


def _frontmatter_end(lines: list[str]) -> int:
    if not lines or lines[0].strip() != "---":
        return 0
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            return number
    return 0


def _is_point_word(word: str, covering: str) -> bool:
    from loader.outline import CON_WORDS, PRO_WORDS

    return (word in PRO_WORDS and "pro" in covering) or (word in CON_WORDS and "con" in covering)
