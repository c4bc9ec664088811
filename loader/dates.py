"""Frontmatter dates: a calendar date, and the instant when a time is given.

Authors write dates the way their site generator taught them: a YAML date
(``2025-05-20``), a quoted one, an ISO 8601 date-time with or without a
timezone (Hugo's ``2025-05-20T14:30:00+08:00``, ``…Z``, ``2025-05-20 14:30``),
``2025/05/20``, ``2025年5月20日`` or an RFC 2822 date (feeds). The calendar
date is the one written, in the article's own timezone; the instant is kept
only when a time was written. A time without an offset is read in the
content folder's timezone (``timezone`` in content-api.toml, UTC by default).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

# Calendar dates written with other separators than ISO's hyphens.
_SLASHED = re.compile(r"(\d{4})\s*[/.]\s*(\d{1,2})\s*[/.]\s*(\d{1,2})")
_CJK_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")

EXPECTED = ("a calendar date like 2025-05-20, or a date-time like 2025-05-20T14:30:00+08:00 "
            "or 2025-05-20 14:30")


@dataclass(frozen=True)
class When:
    """A frontmatter date: the calendar date, and the instant if a time was given."""

    date: dt.date
    instant: dt.datetime | None = None  # always timezone-aware


def _calendar(text: str) -> dt.date | None:
    for pattern in (_SLASHED, _CJK_DATE):
        match = pattern.fullmatch(text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _has_time(text: str) -> bool:
    return ":" in text or "T" in text[8:]


def parse_when(value: Any, timezone: str = "UTC") -> When | None:
    """A When from a frontmatter value; None when it is not a date."""
    if isinstance(value, dt.datetime):
        return _from_datetime(value, timezone)
    if isinstance(value, dt.date):
        return When(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    if not _has_time(text):
        day = _calendar(text)
        return When(day) if day else None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return _from_datetime(moment, timezone)


def _from_datetime(moment: dt.datetime, timezone: str) -> When:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    # The date as written: in the offset the author gave, not converted to UTC.
    return When(moment.date(), moment)


def iso_instant(moment: dt.datetime | None) -> str | None:
    """An instant as stored: ISO 8601 with its offset (``+00:00`` for UTC)."""
    if moment is None:
        return None
    offset = moment.utcoffset()
    fixed = moment.replace(tzinfo=dt.timezone(offset)) if offset is not None else moment
    return fixed.isoformat()
