"""Per-request DataLoaders: every nested list is one batched statement per nesting level.

A request's ``Context`` carries its snapshot and a ``Loaders``. Each loader
is keyed by (table, column, ...) and created on first use, so a request only
pays for what it asks for. Batches go through ``queries.rows_by``: one
``WHERE column IN (...)`` statement per batch, however many parents there are.

A loader can ``wrap`` each row (e.g. ``Trend.from_row``) inside the batch, so
resolvers return the loader's future as is: no coroutine per parent object.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from typing import Any, Callable, Optional

from strawberry.dataloader import DataLoader

from api import queries
from api.config import Settings
from api.store import Snapshot


@cache
def _column(name: str) -> Callable[[sqlite3.Row], Any]:
    # One getter per column, so that loader specs using it compare equal.
    return itemgetter(name)


# Turns a row into what the loader hands out (None: the row itself).
Wrap = Optional[Callable[[sqlite3.Row], Any]]


class Loaders:
    """Lazily created DataLoaders over one connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._loaders: dict[tuple, DataLoader] = {}

    def one(self, table: str, column: str, wrap: Wrap = None) -> DataLoader[Any, Any]:
        """Loads the single row of ``table`` whose unique ``column`` equals the key (or None)."""
        spec = ("one", table, column, wrap)
        loader = self._loaders.get(spec)
        if loader is None:
            async def load(keys: list) -> list[Any]:
                rows = queries.rows_by(self.conn, table, column, keys)
                by_key = {row[column]: (wrap(row) if wrap else row) for row in rows}
                return [by_key.get(key) for key in keys]

            loader = self._loaders[spec] = DataLoader(load_fn=load)
        return loader

    def many(self, table: str, column: str, order: str, extra: str = "",
             wrap: Wrap = None) -> DataLoader[Any, list]:
        """Loads every row of ``table`` whose ``column`` equals the key, in ``order``."""
        spec = ("many", table, column, order, extra, wrap)
        loader = self._loaders.get(spec)
        if loader is None:
            async def load(keys: list) -> list[list[Any]]:
                rows = queries.rows_by(self.conn, table, column, keys, extra=extra, order=order)
                grouped: dict[Any, list[Any]] = defaultdict(list)
                for row in rows:
                    grouped[row[column]].append(wrap(row) if wrap else row)
                return [grouped.get(key, []) for key in keys]

            loader = self._loaders[spec] = DataLoader(load_fn=load)
        return loader

    # The relations of the schema, named for what they load.

    def article(self, wrap: Wrap = None) -> DataLoader:
        return self.one("articles", "id", wrap)

    def trend(self, wrap: Wrap = None) -> DataLoader:
        return self.one("trends", "id", wrap)

    def trends_of_article(self, wrap: Wrap = None) -> DataLoader:
        return self.many("trends", "article_id", "article_id, position", wrap=wrap)

    def key_points_of_trend(self, wrap: Wrap = None) -> DataLoader:
        return self.many("key_points", "trend_id", "trend_id, position", wrap=wrap)

    def routes_of_trend(self, wrap: Wrap = None) -> DataLoader:
        return self.many("routes", "trend_id", "trend_id, position", wrap=wrap)

    def route_texts(self, kind: str, column: str) -> DataLoader:
        """The texts (``column``) of a route's pros (kind 'pro') or cons ('con'), in order."""
        if kind not in ("pro", "con"):
            raise ValueError(kind)
        return self.many("route_points", "route_id", "route_id, position",
                         extra=f" AND kind = '{kind}'", wrap=_column(column))

    def advice_of_trend(self, wrap: Wrap = None) -> DataLoader:
        return self.many("advice", "trend_id", "trend_id, position", wrap=wrap)

    def sections_of_article(self, wrap: Wrap = None) -> DataLoader:
        # Only the article's own sections: a trend's sections belong to the trend.
        return self.many("sections", "article_id", "article_id, position",
                         extra=" AND trend_id IS NULL", wrap=wrap)

    def sections_of_trend(self, wrap: Wrap = None) -> DataLoader:
        return self.many("sections", "trend_id", "trend_id, position", wrap=wrap)

    def node_by_id(self, table: str, wrap: Wrap = None) -> DataLoader:
        return self.one(table, "id", wrap)

    def node_by_key(self, table: str, wrap: Wrap = None) -> DataLoader:
        return self.one(table, "key", wrap)


@dataclass
class Context:
    """What every resolver sees as ``info.context``: one snapshot for the whole request."""

    snapshot: Snapshot
    settings: Settings
    request_id: str
    problems: tuple = ()  # errors of the last failed live reload (loader Diagnostics)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.snapshot.conn)
