"""Reading one article file: bytes -> text -> frontmatter + markdown body.

Everything here is a pure function of the file's bytes. Line numbers always
refer to the original file (CRLF and a BOM do not change the line count).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

import frontmatter
import yaml

from .diagnostics import Diagnostic

_YAML = frontmatter.YAMLHandler()


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when available
    """Safe YAML that leaves timestamps as text: PyYAML raises a bare
    ValueError on dates like 2025-02-30, and we want a diagnostic instead."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)


@dataclass
class SourceFile:
    """A decoded file, split into frontmatter and body."""

    path: str  # relative to the content folder, with forward slashes
    text: str  # the whole file, BOM removed, newlines normalised to \n
    meta: dict[str, Any]
    meta_lines: dict[str, int]  # frontmatter key -> line it is on
    frontmatter_end_line: int  # last line of the frontmatter block (0 if none)
    body: str  # the markdown after the frontmatter
    body_line: int  # 1-based line in the file where ``body`` starts
    problems: list[Diagnostic] = field(default_factory=list)


def decode(path: str, data: bytes) -> tuple[str | None, list[Diagnostic]]:
    """UTF-8 bytes -> text with \\n newlines, or a diagnostic at the bad byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [Diagnostic(path, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} "
                                              f"at offset {exc.start})")]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return None, [Diagnostic(path, 1, "file is empty")]
    return text, []


def _load_yaml(fm_text: str, first_line: int) -> tuple[Any, dict[str, int]]:
    """The frontmatter's value, and the line of each top-level key, from one
    YAML parse (the node tree carries the marks, then becomes the value)."""
    loader = _Loader(fm_text)
    try:
        node = loader.get_single_node()
        lines: dict[str, int] = {}
        if isinstance(node, yaml.MappingNode):
            lines = {str(key.value): first_line + key.start_mark.line
                     for key, _ in node.value if isinstance(key, yaml.ScalarNode)}
        value = loader.construct_document(node) if node is not None else None
        return value, lines
    finally:
        loader.dispose()


def parse_source(path: str, data: bytes) -> tuple[SourceFile | None, list[Diagnostic]]:
    """Decode ``data`` and split it into frontmatter and body.

    Returns (None, errors) when the file is unusable: not UTF-8, empty, or
    frontmatter that is not a YAML mapping.
    """
    text, problems = decode(path, data)
    if text is None:
        return None, problems

    if text.startswith("+++\n"):
        return _toml_source(path, text)
    if not _YAML.detect(text):
        return SourceFile(path, text, {}, {}, 0, text, 1), []

    fm_text, body = _YAML.split(text)
    offset = len(text) - len(body)
    body_line = text.count("\n", 0, offset) + 1
    # fm_text starts right after the opening '---', so YAML's line 0 is file line 1.
    fm_first_line = 1
    try:
        meta, meta_lines = _load_yaml(fm_text, fm_first_line)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = fm_first_line + mark.line if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Diagnostic(path, line, f"frontmatter is not valid YAML: {reason}")]
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return None, [Diagnostic(path, 2, "frontmatter must be a mapping of keys to values")]
    fm_end = 1 + fm_text.count("\n")  # the closing '---' line
    return SourceFile(path, text, meta, meta_lines, fm_end, body, body_line), []


# Hugo's TOML frontmatter, between +++ lines. tomllib reads it; the lines of
# its top-level keys are found by their "key =" lines, before the first table.
_TOML_KEY = re.compile(r'\s*("[^"]+"|[A-Za-z0-9_-]+)\s*=')


def _toml_source(path: str, text: str) -> tuple[SourceFile | None, list[Diagnostic]]:
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "+++"), None)
    if end is None:
        return None, [Diagnostic(path, 1, "frontmatter opened with +++ is never closed")]
    try:
        meta = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = 1 + int(found.group(1)) if found else 1
        return None, [Diagnostic(path, line, f"frontmatter is not valid TOML: {exc}")]
    meta_lines: dict[str, int] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if line.lstrip().startswith("["):
            break
        key = _TOML_KEY.match(line)
        if key:
            meta_lines.setdefault(key.group(1).strip('"'), number)
    body = "\n".join(lines[end + 1:])
    return SourceFile(path, text, meta, meta_lines, end + 1, body, end + 2), []


# -- the ```markdown wrapper --------------------------------------------------------
#
# Authors (and tools that export articles) often wrap the whole body in one
# ```markdown fence. CommonMark would close that fence at the first ``` line
# inside it, so the wrapper cannot be read from the parser's blocks when the
# article holds code blocks of its own: it is read from its lines instead,
# by CommonMark's own rules for fence lines, and the wrapper ends at the last
# closing fence of the file rather than the first.

_WRAPPER_INFO = {"markdown", "md"}


def _fence(line: str) -> tuple[str, int, str] | None:
    """(fence character, length, info string) if ``line`` is a fence line:
    up to three spaces, three or more ` or ~, then the info string."""
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3 or stripped[:1] not in ("`", "~"):
        return None
    char = stripped[0]
    length = len(stripped) - len(stripped.lstrip(char))
    if length < 3:
        return None
    info = stripped[length:].strip()
    if char == "`" and "`" in info:  # not a fence: an inline code span
        return None
    return char, length, info


def unwrap(body: str) -> tuple[str, bool]:
    """The body with its wrapper's fence lines blanked (so line numbers stay
    those of the file), and whether it was wrapped.

    The body is wrapped when its first non-blank line opens a fence whose
    info string is markdown or md, in any letter case. The wrapper ends at the
    last line of the body that can close that fence (the same character, at
    least as long, nothing after it), or at the end of the body."""
    lines = body.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return body, False
    opening = _fence(lines[first])
    if opening is None or opening[2].split()[:1] == [] or \
            opening[2].split()[0].lower() not in _WRAPPER_INFO:
        return body, False
    char, length, _ = opening
    lines[first] = ""
    for index in range(len(lines) - 1, first, -1):
        closing = _fence(lines[index])
        if closing and closing[0] == char and closing[1] >= length and not closing[2]:
            lines[index] = ""
            break
    return "\n".join(lines), True
