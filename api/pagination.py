"""Relay connection arithmetic over offsets, with opaque cursors.

A cursor encodes the position of an item in the ordered, filtered result
("cursor:v1:<offset>", base64url). Page sizes are checked, never clipped:
above the maximum is PAGE_SIZE_EXCEEDED, negative or first+last together is
BAD_USER_INPUT.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from api.errors import PAGE_SIZE_EXCEEDED, ApiError, bad_input

_PREFIX = "cursor:v1:"


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str, argument: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
        if not raw.startswith(_PREFIX):
            raise ValueError
        digits = raw[len(_PREFIX):]
        if not digits.isdigit() or len(digits) > 12:
            raise ValueError
        return int(digits)
    except (binascii.Error, UnicodeError, ValueError):
        raise bad_input(f"Invalid cursor in `{argument}`: use a cursor returned by this API.",
                        argument=argument) from None


@dataclass(frozen=True)
class PageRequest:
    """The validated pagination arguments of one connection field."""

    first: int | None
    after: int | None  # offset of the `after` cursor
    last: int | None
    before: int | None  # offset of the `before` cursor


def _check_size(value: int | None, argument: str, maximum: int) -> None:
    if value is None:
        return
    if value < 0:
        raise bad_input(f"`{argument}` must not be negative (got {value}).", argument=argument)
    if value > maximum:
        raise ApiError(f"`{argument}` is {value}, above the maximum page size of {maximum}. "
                       "Page through the results with cursors instead.",
                       PAGE_SIZE_EXCEEDED, argument=argument, maximum=maximum)


def page_request(first, after, last, before, default_size: int, max_size: int) -> PageRequest:
    if first is not None and last is not None:
        raise bad_input("Pass either `first` or `last`, not both.", argument="first")
    _check_size(first, "first", max_size)
    _check_size(last, "last", max_size)
    after_offset = decode_cursor(after, "after") if after is not None else None
    before_offset = decode_cursor(before, "before") if before is not None else None
    if first is None and last is None:
        first = default_size
    return PageRequest(first, after_offset, last, before_offset)


@dataclass(frozen=True)
class Window:
    """Which slice [start, end) of a total-sized result a page covers."""

    start: int
    end: int
    total: int

    @property
    def limit(self) -> int:
        return max(0, self.end - self.start)

    @property
    def has_previous_page(self) -> bool:
        return self.start > 0

    @property
    def has_next_page(self) -> bool:
        return self.end < self.total


def window(page: PageRequest, total: int) -> Window:
    """Relay's algorithm applied to offsets: after/before narrow, then first/last slice."""
    start = 0 if page.after is None else min(page.after + 1, total)
    end = total if page.before is None else min(page.before, total)
    end = max(start, end)
    if page.first is not None:
        end = min(end, start + page.first)
    if page.last is not None:
        start = max(start, end - page.last)
    return Window(start, end, total)
