"""The fidelity check: every non-blank source line is stored once, and only once.

*Reachable*: each word of the line (CJK runs and letter/digit runs, as
loader.tokens splits them) appears in a stored field of a row whose source
span covers that line. The article's whole-body field and its table of
contents do not count, since they would make the check trivially true.

*Stored twice*: the end of the line (its last six word runs, where the text
after any lead-in is) appears in two different fields of rows covering the
line: the same text kept in two slots.

Words that only decorate the source are not content: the wrapper fence's
info string, pros/cons lead-ins (stored as route_points.kind), the label
words of route and trend headings ("路线 A", "Option 1") and the ordinals that
open advice paragraphs ("首先", "第二", "First"), whose meaning is the
object's type or position.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3

from loader.body import derive
from loader.config import DEFAULTS
from loader.dates import iso_instant, parse_when
from loader.fold import fold
from loader.frontmatter import ALIASES
from loader.model import Body
from loader.tokens import runs

# Per table, groups of columns: each group is one stored value (a heading's
# forms, label + name, ...), so finding a line in two columns of one group
# is not storing it twice.
GROUPS = {
    "articles": {
        "title": ["title"], "description": ["description"], "tags": ["tags"],
        "intro": ["intro_md"], "summary": ["summary_md"], "summary_heading": ["summary_heading"],
        "intro_heading": ["intro_heading"], "authors": ["authors"], "extra": ["extra"],
        "dates": ["date", "published_at", "updated_date", "updated_at"], "slug": ["slug"],
        "language": ["language"],
    },
    "trends": {
        "heading": ["label", "heading", "title"], "status_intro": ["status_intro_md"],
        "status_heading": ["status_heading"], "routes_heading": ["routes_heading"],
        "advice_heading": ["advice_heading"], "intro": ["intro_md"],
        "status_outro": ["status_outro_md"], "routes_intro": ["routes_intro_md"],
        "advice_intro": ["advice_intro_md"], "advice_outro": ["advice_outro_md"],
    },
    "key_points": {"position": ["position"], "label": ["label"], "text": ["text_md"]},
    "routes": {"name": ["label", "name"], "intro": ["intro_md"]},
    "route_points": {"kind": ["kind"], "label": ["label"], "text": ["text_md"]},
    "advice": {"position": ["position"], "title": ["title"], "text": ["text_md"]},
    "sections": {"heading": ["heading"], "body": ["body_md"]},
}
FRONTMATTER_GROUPS = {"title", "description", "tags", "authors", "extra", "dates", "slug",
                      "language"}
# Frontmatter keys whose value is stored in another form (a flag, a normalised tag).
FLAG_KEYS = {"draft", "published", "lang", "language"}
DECORATION = {"markdown", "md"}
_VOCABULARY = DEFAULTS.vocabulary
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_ORDINAL = re.compile(r"第[一二三四五六七八九十\d]+")


def _rows(conn: sqlite3.Connection, path: str, line: int):
    """(table, row id, {group: text}) for every row whose span covers ``line``."""
    for table, groups in GROUPS.items():
        columns = [c for cols in groups.values() for c in cols]
        selected = ", ".join(f"coalesce(CAST({c} AS TEXT), '')" for c in columns)
        for row in conn.execute(f"SELECT id, {selected} FROM {table} WHERE source_path = ? "
                                "AND ? BETWEEN start_line AND end_line", (path, line)):
            values = dict(zip(columns, row[1:]))
            yield table, row[0], {g: "\n".join(values[c] for c in cols)
                                  for g, cols in groups.items()}


_LABEL_WORDS = sorted({fold(w) for role in ("route_label", "trend_label", "ordinals")
                       for w in _VOCABULARY.words[role]}, key=len, reverse=True)
_NUMERAL = re.compile(r"[一二三四五六七八九十\d]*")


def _decoration(word: str) -> bool:
    if word in DECORATION or _ORDINAL.fullmatch(word) or _VOCABULARY.point_kind(word):
        return True
    folded = fold(word)  # a label word, alone or run together with its label ("方案一")
    return any(folded.startswith(w) and _NUMERAL.fullmatch(folded[len(w):])
               for w in _LABEL_WORDS)


def _lines(source: str) -> list[str]:
    return source.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _content_words(line: str, number: int, frontmatter_end: int) -> list[str]:
    value = line
    if number <= frontmatter_end:  # a 'key: value' line: a known key is not content
        colon, equals = line.find(":"), line.find("=")
        # YAML "key: value", or TOML "key = value" (Hugo's +++ frontmatter).
        split_at = equals if equals >= 0 and (colon < 0 or equals < colon) else colon
        key, sep, rest = (line[:split_at], line[split_at], line[split_at + 1:]) \
            if split_at >= 0 else (line, "", "")
        key = key.strip().strip('"').lower()
        if sep and key in FLAG_KEYS:
            return []
        if sep and ALIASES.get(key) in ("date", "updated"):
            when = parse_when(rest.strip().strip("'\""))  # stored in its ISO forms
            if when is not None:
                rest = f"{when.date.isoformat()} {iso_instant(when.instant) or ''}"
        value = rest if sep and key in ALIASES else line
    # An HTML tag is markup, not words; an entity (&amp;) is the character it
    # stands for, which is what is stored.
    value = html.unescape(_TAG.sub(" ", value))
    return [w.lower() for w, _ in runs(value) if not _decoration(w.lower())]


def unreachable_lines(conn: sqlite3.Connection, path: str, source: str) -> list[tuple[int, str]]:
    """(line number, line) for every non-blank line some word of which is not stored."""
    missing = []
    lines = _lines(source)
    frontmatter_end = _frontmatter_end(lines)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        texts = [t for _, _, groups in _rows(conn, path, number) for t in groups.values()]
        if line.lstrip().startswith("# "):  # an H1 that is not the title: Article.headings
            texts += [h[key] for h in _headings(conn, path) for key in ("text", "markdown")]
        covering = "\n".join(texts)
        covering = (covering + "\n" + json.dumps(covering, ensure_ascii=False)).lower()
        words = _content_words(line, number, frontmatter_end)
        lost = [w for w in words if w not in covering]
        if lost and line.lstrip().startswith("#") and (
                len(lost) < len(words) or _starts_a_node(conn, path, number)):
            # A heading stored as plain text (a trend's or section's title), or
            # one that opens a stored node but whose only word is its numbering
            # ("#### 一、" with a label of control characters): its markup is in
            # Article.headings, with that line.
            markdown = " ".join(h["markdown"] for h in _headings(conn, path, level=None)
                                if h["line"] == number).lower()
            lost = [w for w in lost if w not in markdown]
        if lost:
            missing.append((number, line))
    return missing


def _starts_a_node(conn: sqlite3.Connection, path: str, line: int) -> bool:
    """Whether a trend, key point, route, piece of advice or section starts at ``line``."""
    return any(conn.execute(f"SELECT 1 FROM {table} WHERE source_path = ? AND start_line = ?",
                            (path, line)).fetchone()
               for table in ("trends", "key_points", "routes", "advice", "sections"))


def _headings(conn: sqlite3.Connection, path: str, level: int | None = 1) -> list[dict]:
    """Article.headings of the file: those of ``level``, or all for None."""
    row = conn.execute("SELECT body_md, body_line FROM articles WHERE source_path = ?",
                       (path,)).fetchone()
    if row is None:
        return []
    headings = derive(Body(row[0], row[1])).headings
    return [h.__dict__ for h in headings if level is None or h.level == level]


def _normal(text: str) -> str:
    return " " + " ".join(w.lower() for w, _ in runs(text)) + " "


def stored_twice(conn: sqlite3.Connection, path: str, source: str
                 ) -> list[tuple[int, str, list[str]]]:
    """(line number, line, the fields holding it) for every line found in two fields."""
    twice = []
    lines = _lines(source)
    frontmatter_end = _frontmatter_end(lines)
    for number, line in enumerate(lines, start=1):
        if number <= frontmatter_end:  # each key has its own field
            continue
        words = _content_words(line, number, frontmatter_end)
        tail = " " + " ".join(words[-6:]) + " "
        if len(tail.strip()) < 8:
            continue
        # A heading is compared with headings, names and titles only: prose that
        # mentions "Where things stand" does not store the heading.
        heading = line.lstrip().startswith("#")
        holders = []
        for table, row_id, groups in _rows(conn, path, number):
            for group, text in groups.items():
                if table == "articles" and group in FRONTMATTER_GROUPS and group != "title":
                    continue
                if heading:  # the same heading text, whole
                    if group.endswith(("heading", "title", "name")) and any(
                            _normal(value) == " " + " ".join(words) + " "
                            for value in text.split("\n")):
                        holders.append(f"{table}[{row_id}].{group}")
                    continue
                if tail in _normal(text):
                    holders.append(f"{table}[{row_id}].{group}")
        if len(holders) > 1:
            twice.append((number, line, holders))
    return twice


def _frontmatter_end(lines: list[str]) -> int:
    if not lines or lines[0].strip() not in ("---", "+++"):
        return 0
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == lines[0].strip():
            return number
    return 0


def loaded_store(folder, db):
    """Load ``folder`` into ``db`` and yield a connection to it (a pytest fixture body)."""
    from loader.load import load_content

    load_content(folder, db)
    conn = sqlite3.connect(db)
    try:
        yield conn
    finally:
        conn.close()
