"""Bounded in-memory caches: finished responses, and registered persisted queries.

Both are plain LRU maps. The response cache is keyed by content state, so
a new snapshot makes old entries unreachable; ``clear()`` on swap frees them.
(ETags are not made here: they depend on what a response read, api.surrogates.)
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Callable, Generic, Hashable, TypeVar

import orjson

V = TypeVar("V")


class LRU(Generic[V]):
    """A thread-safe least-recently-used map of at most ``size`` entries and ``max_bytes``.

    ``max_bytes`` bounds the total ``weight()`` of the values (``len()`` unless
    given; 0: no byte bound); a single value heavier than a quarter of it is not
    cached at all.
    """

    def __init__(self, size: int, max_bytes: int = 0,
                 weight: Callable[[V], int] | None = None) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self._measure = weight or len  # type: ignore[assignment]
        self.bytes = 0
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def _weight(self, value: V) -> int:
        return self._measure(value) if self.max_bytes else 0

    def get(self, key: Hashable) -> V | None:
        if self.size <= 0:
            return None
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> None:
        if self.size <= 0:
            return
        weight = self._weight(value)
        if self.max_bytes and weight > self.max_bytes // 4:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= self._weight(old)
            self._items[key] = value
            self.bytes += weight
            while len(self._items) > self.size or (self.max_bytes and self.bytes > self.max_bytes):
                _, evicted = self._items.popitem(last=False)
                self.bytes -= self._weight(evicted)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        # No lock, nor a move to the end: one dict lookup, for a caller that
        # checks before get() (a dict's membership test is atomic in CPython).
        return key in self._items


class SecondSight:
    """A doorkeeper: says whether a key was seen before, remembering at most
    ``size`` keys seen once, by their hash (plain ints, which the garbage
    collector does not walk). Caches that keep an entry only from its second
    sight (api.documents, api.compiled.SelectionPlans) let a flood of keys that
    never come back leave nothing behind."""

    def __init__(self, size: int) -> None:
        self._seen: LRU[bool] = LRU(size)

    def again(self, key: Hashable) -> bool:
        """True from the second time ``key`` is offered (while remembered)."""
        digest = hash(key)
        if self._seen.get(digest):
            return True
        self._seen.put(digest, True)
        return False

    def __len__(self) -> int:
        return len(self._seen)


def variables_key(variables: dict | None) -> bytes:
    """Variables in a canonical form: the same values give the same bytes."""
    if not variables:
        return b""
    return orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)


def request_key(version: str, query: str, variables: dict | None, operation: str | None) -> str:
    """The identity of a GraphQL request (with ``version``: any context it is
    asked in, e.g. the media type it wants)."""
    digest = hashlib.sha256()
    for part in (version.encode(), query.strip().encode(), variables_key(variables),
                 (operation or "").encode()):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    candidates = [c.strip() for c in if_none_match.split(",")]
    # Weak comparison, as RFC 9110 asks for If-None-Match: W/ is ignored on both sides.
    opaque = etag.removeprefix("W/")
    return any(c.removeprefix("W/") == opaque for c in candidates)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
