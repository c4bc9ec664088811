"""A content folder's own settings: content-api.toml, or [tool.content-api].

The loader looks, in order, for ``content-api.toml`` in the content folder,
then for a ``[tool.content-api]`` table in ``pyproject.toml`` in the content
folder or its parent. Nothing found means the defaults. Example::

    # content/content-api.toml
    timezone = "Asia/Shanghai"     # for date-times written without an offset
    max_file_bytes = 4194304       # larger files are refused
    max_warnings_per_file = 100    # later warnings are summed up in one

    [vocabulary]                   # words added to loader/vocabulary.toml
    status = ["行业扫描"]
    pros = ["加分项"]

A change of settings changes how every file reads, so the next load parses
every file again (``ContentConfig.fingerprint`` is stored with the content).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .diagnostics import Diagnostic, LoadError
from .fold import fold
from .vocabulary import MAX_WORD_CHARS, ROLES, Vocabulary

CONFIG_FILE = "content-api.toml"
# Bumped whenever the reading of articles changes, so stores re-read every file.
PARSER_VERSION = 4


@dataclass(frozen=True)
class ContentConfig:
    timezone: str = "UTC"
    max_file_bytes: int = 4 * 1024 * 1024
    max_warnings_per_file: int = 100
    vocabulary: Vocabulary = field(default_factory=Vocabulary.load)
    source: str | None = None  # the file the settings came from

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything that decides how files read changes."""
        data = {"parser": PARSER_VERSION, "timezone": self.timezone,
                "max_file_bytes": self.max_file_bytes,
                "max_warnings_per_file": self.max_warnings_per_file,
                "vocabulary": self.vocabulary.as_data()}
        encoded = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(encoded).hexdigest()[:16]


DEFAULTS = ContentConfig()
_SETTINGS = {"timezone": str, "max_file_bytes": int, "max_warnings_per_file": int,
             "vocabulary": dict}


def find_config(content_dir: Path) -> tuple[Path, dict] | None:
    """The settings file that applies to ``content_dir`` and its table, if any."""
    own = content_dir / CONFIG_FILE
    if own.is_file():
        return own, _read_toml(own)
    for folder in (content_dir, content_dir.parent):
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _read_toml(pyproject).get("tool", {}).get("content-api")
            if table is not None:
                return pyproject, table
    return None


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        # tomllib says "... (at line 3, column 7)": take the line from there.
        found = re.search(r"line (\d+)", str(exc))
        raise LoadError([Diagnostic(str(path), int(found.group(1)) if found else 1,
                                    f"not valid TOML: {exc}")]) from None
    except OSError as exc:
        raise LoadError([Diagnostic(str(path), 1, f"cannot read: {exc.strerror or exc}")]) from None


def load_config(content_dir: Path) -> ContentConfig:
    """The settings for ``content_dir``; raises LoadError naming the file when they are wrong."""
    found = find_config(Path(content_dir))
    if found is None:
        return DEFAULTS
    path, table = found
    return config_from_table(table, str(path))


def config_from_table(table: dict, source: str = CONFIG_FILE) -> ContentConfig:
    problems: list[str] = []
    for key, value in table.items():
        if key not in _SETTINGS:
            near = difflib.get_close_matches(key, _SETTINGS, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            problems.append(f"unknown setting '{key}'{hint}; known: {', '.join(_SETTINGS)}")
        elif not isinstance(value, _SETTINGS[key]) or isinstance(value, bool):
            problems.append(f"'{key}' must be {_SETTINGS[key].__name__}, not {value!r}")
    timezone = table.get("timezone", DEFAULTS.timezone)
    if isinstance(timezone, str):
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"unknown timezone {timezone!r} (use an IANA name like "
                            "'Asia/Shanghai' or 'UTC')")
    for key in ("max_file_bytes", "max_warnings_per_file"):
        value = table.get(key)
        if isinstance(value, int) and value < 1:
            problems.append(f"'{key}' must be at least 1")
    extra = table.get("vocabulary", {})
    if isinstance(extra, dict):
        for role, words in extra.items():
            if role not in ROLES:
                near = difflib.get_close_matches(role, ROLES, n=1)
                hint = f" (did you mean '{near[0]}'?)" if near else ""
                problems.append(f"unknown vocabulary role '{role}'{hint}; known: {', '.join(ROLES)}")
            elif not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                problems.append(f"vocabulary '{role}' must be a list of words")
            else:
                # Counted folded, as the words are matched: NFKC can make one
                # character many (ﷺ is 18).
                problems.extend(
                    f"vocabulary '{role}': the word '{word[:24]}…' has {len(fold(word))} "
                    f"characters once folded; a role word has at most {MAX_WORD_CHARS}"
                    for word in words if len(fold(word)) > MAX_WORD_CHARS)
    if problems:
        raise LoadError([Diagnostic(source, 1, f"settings: {p}") for p in problems])
    return ContentConfig(
        timezone=timezone,
        max_file_bytes=table.get("max_file_bytes", DEFAULTS.max_file_bytes),
        max_warnings_per_file=table.get("max_warnings_per_file", DEFAULTS.max_warnings_per_file),
        vocabulary=Vocabulary.load(extra) if extra else DEFAULTS.vocabulary,
        source=source,
    )
