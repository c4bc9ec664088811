"""Batched loading per request: every nested list is one statement per level of the query.

Two mechanisms, both carried by the request's ``Context``:

* Families (``related``): the objects built from one statement load each
  relation for all of them at once, synchronously. Nested lists (an
  article's trends, a trend's routes, a route's pros) and back-references
  (a route's trend) go this way.
* DataLoaders (``Loaders.one``, a BatchLoader): lookups by key from the top
  of a query (``article(slug)``, ``node``, ``nodes``) batch across the
  resolvers of two turns of the event loop. Each batch's objects become one family.

Both go through ``queries.rows_by``: one ``WHERE column IN (...)`` statement
per batch, however many parents there are.
"""

from __future__ import annotations

import sqlite3
import time
import types
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from graphql import DocumentNode, GraphQLError

from api import queries
from api.config import Settings
from api.errors import TIMEOUT, ApiError
from api.store import Snapshot, deadline
from api.surrogates import Reads


# Turns a row into what the loader hands out (None: the row itself).
Wrap = Optional[Callable[[sqlite3.Row], Any]]


class Family:
    """Objects built from the rows of one statement (a page of articles, the trends
    of those articles, ...). A relation asked of one member is loaded for every
    member in one statement, the first time, and kept: so a nested list costs one
    statement per level of the query, as with DataLoaders, but synchronously.

    Resolvers then return plain lists instead of futures, and graphql-core
    completes them without an asyncio task per parent object, which was most of
    the time of a nested ``articles(first: 100)`` (bench/out/profile-b.txt).

    A family holds its members' rows, not the members: each member points at its
    family, and a family pointing back would make every object of a response part
    of a reference cycle, freed only by the garbage collector. Its passes over
    them were 114 µs of a 750 µs request for one article (gc.callbacks, in
    process), where the data floor, which makes no cycle, had none.
    """

    __slots__ = ("rows", "loaded")

    def __init__(self, rows: list) -> None:
        self.rows = rows
        self.loaded: dict[tuple, dict] = {}


def adopt(objects: list) -> list:
    """Make ``objects`` one family. They are of one kind, built by one wrap from
    the rows of one statement: rows and other plain values, which cannot carry
    a family, are left alone. (Asking each object, not the first, was a twentieth
    of a nested ``articles(first: 100)``.)"""
    if objects and hasattr(objects[0], "__dict__"):
        family = Family([obj.row for obj in objects])
        for obj in objects:
            obj._family = family
    return objects


def _family_of(obj) -> Family:
    family = getattr(obj, "_family", None)
    if family is None:
        family = adopt([obj])[0]._family
    return family


# Compared by identity (eq=False): relations key the loaded families once per
# object asked, and a dataclass's own hash and equality, field by field, were a
# Python call on every lookup. Each relation is one constant of this module.
@dataclass(frozen=True, eq=False)
class Relation:
    """Rows of ``table`` whose ``column`` equals the parent row's ``parent_column``."""

    table: str
    column: str
    parent_column: str = "id"
    order: str = ""
    extra: str = ""
    many: bool = True
    columns: str = ""  # what to select; empty: the table's default (queries.COLUMNS)
    sql: str = field(init=False, repr=False)  # its statement (queries.rows_by_sql), written once

    def __post_init__(self) -> None:
        object.__setattr__(self, "sql", queries.rows_by_sql(
            self.table, self.column, self.extra, self.order, self.columns))


TRENDS_OF_ARTICLE = Relation("trends", "article_id", order="article_id, position")
SECTIONS_OF_ARTICLE = Relation("sections", "article_id", order="article_id, position",
                               extra=" AND trend_id IS NULL")
KEY_POINTS_OF_TREND = Relation("key_points", "trend_id", order="trend_id, position")
ROUTES_OF_TREND = Relation("routes", "trend_id", order="trend_id, position")
ADVICE_OF_TREND = Relation("advice", "trend_id", order="trend_id, position")
SECTIONS_OF_TREND = Relation("sections", "trend_id", order="trend_id, position")
# Pros and cons come from one statement: each route's points by kind, then position.
POINTS_OF_ROUTE_BY_KIND = Relation("route_points", "route_id", order="route_id, kind, position")
POINTS_OF_ROUTE = Relation("route_points", "route_id", order="route_id, id")  # source order
ARTICLE_OF = Relation("articles", "id", parent_column="article_id", many=False)
TREND_OF = Relation("trends", "id", parent_column="trend_id", many=False)
BODY_OF_ARTICLE = Relation("articles", "id", many=False, columns=queries.BODY_COLUMNS)
# The node a search hit points at, per node table (made on first use: one
# relation per table, as the rows memo of Loaders compares them by identity).
_NODE_BY_ID: dict[str, Relation] = {}


def _node_relation(table: str) -> Relation:
    found = _NODE_BY_ID.get(table)
    if found is None:
        found = _NODE_BY_ID.setdefault(table, Relation(table, "id", many=False))
    return found


def check_deadline() -> None:
    """Stop a request that has run past its time limit.

    Nested lists resolve synchronously (families), so the asyncio timeout
    around execution cannot interrupt them, and SQLite's progress handler
    only interrupts SQL. Checking here, once per family and relation, bounds
    the pure-Python work between two checks to one level of one page.
    """
    limit = deadline.get()
    if limit is not None and time.monotonic() > limit:
        raise ApiError("The query took longer than the time limit.", TIMEOUT)


def related(loaders: "Loaders", obj, relation: Relation, wrap: Wrap = None):
    """The objects ``relation`` gives for ``obj`` (a list, or one object or None),
    loading them for ``obj``'s whole family on first use."""
    family = _family_of(obj)
    spec = (relation, wrap)
    by_key = family.loaded.get(spec)
    if by_key is None:
        check_deadline()
        keys = tuple(dict.fromkeys(
            k for k in (row[relation.parent_column] for row in family.rows) if k is not None))
        rows = loaders.rows(relation, keys)
        built = adopt([wrap(row) if wrap else row for row in rows])
        by_key = {}
        if relation.many:
            for row, item in zip(rows, built):
                by_key.setdefault(row[relation.column], []).append(item)
        else:
            by_key = {row[relation.column]: item for row, item in zip(rows, built)}
        family.loaded[spec] = by_key
    key = obj.row[relation.parent_column]
    return by_key.get(key, []) if relation.many else by_key.get(key)


def family_lookup(loaders: "Loaders", obj, spec: tuple, fetch: Callable[[list], dict]) -> dict:
    """``fetch(ids)`` for the ids of ``obj``'s whole family, once per family and
    ``spec``: a dict that the caller reads its own entry from."""
    family = _family_of(obj)
    found = family.loaded.get(spec)
    if found is None:
        check_deadline()
        ids = list(dict.fromkeys(row["id"] for row in family.rows))
        found = family.loaded[spec] = fetch(ids)
    return found


def related_node(loaders: "Loaders", obj, wraps: dict[str, Callable]):
    """The node a search hit points at (``node_table``, ``node_id`` of its row),
    loaded for the hit's whole family: one statement per node table."""
    family = _family_of(obj)
    spec = ("node", id(wraps))
    by_key = family.loaded.get(spec)
    if by_key is None:
        check_deadline()
        wanted: dict[str, list] = {}
        for row in family.rows:
            wanted.setdefault(row["node_table"], []).append(row["node_id"])
        by_key = {}
        for table, keys in wanted.items():
            rows = loaders.rows(_node_relation(table), tuple(dict.fromkeys(keys)))
            built = adopt([wraps[table](row) for row in rows])
            by_key.update(((table, row["id"]), item) for row, item in zip(rows, built))
        family.loaded[spec] = by_key
    return by_key.get((obj.row["node_table"], obj.row["node_id"]))


class Loaders:
    """Lazily created DataLoaders over one connection, recording what they read.

    Recording (api.surrogates): every article row loaded, and every lookup by
    slug or key, found or not. Rows of other tables reached through a relation
    belong to the article of the object they were asked from, recorded when
    that object was built; lookups by key record their article directly."""

    def __init__(self, conn: sqlite3.Connection, reads: Reads | None = None) -> None:
        self.conn = conn
        self.reads = reads if reads is not None else Reads()
        self._loaders: dict[tuple, BatchLoader] = {}
        self._rows: dict[tuple, list[sqlite3.Row]] = {}

    def rows(self, relation: Relation, keys: tuple) -> list[sqlite3.Row]:
        """The rows of ``relation`` for ``keys``; asked again (by another family with
        the same parents, e.g. routes' and advice's articles), no new statement."""
        if not keys:
            return []
        memo = (relation, keys)
        found = self._rows.get(memo)
        if found is None:
            found = self._rows[memo] = queries.rows_by_statement(self.conn, relation.sql, keys)
        if relation.table == "articles":
            self.reads.articles(found)
        return found

    def one(self, table: str, column: str, wrap: Wrap = None,
            columns: str = "") -> "BatchLoader":
        """Loads the single row of ``table`` whose unique ``column`` equals the key (or
        None): ``columns``, or the table's default columns."""
        spec = ("one", table, column, wrap, columns)
        loader = self._loaders.get(spec)
        if loader is None:
            # The load function keeps the connection and the record, not this
            # object, which holds the loader: no reference cycle (see release).
            conn, reads = self.conn, self.reads

            def load(keys: list) -> list[Any]:
                rows = queries.rows_by(conn, table, column, keys, columns=columns)
                _record_lookup(reads, table, column, keys, rows)
                # One batch is one family: the objects' relations load together.
                built = adopt([wrap(row) if wrap else row for row in rows])
                by_key = {row[column]: item for row, item in zip(rows, built)}
                return [by_key.get(key) for key in keys]

            loader = self._loaders[spec] = BatchLoader(load)
        return loader

    def release(self) -> None:
        """Let go of what this request loaded, once its response is built.

        graphql-core's execution context is part of a reference cycle (it keeps
        bound methods of its own), and it holds the request's context, so
        without this every row and object of a response waited for the garbage
        collector; let go here, they are freed as soon as the last reference goes.
        """
        self._loaders.clear()
        self._rows.clear()

    def node_by_key(self, table: str, wrap: Wrap = None) -> "BatchLoader":
        return self.one(table, "key", wrap)


@types.coroutine
def _one_turn():
    """Let the event loop run once: every task ready now takes its turn."""
    yield


# Turns a lookup waits before its batch loads. Two, as Strawberry's DataLoader
# (whose batch closed when the task it started ran): a resolver that gathers
# lookups of its own (``nodes``) starts their tasks in the first turn, and they
# ask their keys in the second, so that `node` beside `nodes` is one batch.
_TURNS = 2


class BatchLoader:
    """A DataLoader for lookups by key: the keys asked within _TURNS turns of the event
    loop are loaded together, by one call of a synchronous ``load(keys) -> values``,
    and each key's value is kept for the rest of the request.

    Strawberry's DataLoader does the same through a future per key, a callback
    that starts a task, and the task that loads: five turns of the loop for a
    request with one lookup (``article(slug)``), each with a poll of the
    selector, which was 8% of that request in process (py-spy). Here a load
    waits _TURNS turns, in which every other resolver (sibling root fields, the
    lookups ``nodes`` gathers) adds its key, and the first to resume loads the
    batch for all.
    """

    __slots__ = ("_load", "_waiting", "_found", "_failed")

    def __init__(self, load: Callable[[list], list]) -> None:
        self._load = load
        self._waiting: dict = {}  # keys of the batch not loaded yet, in order asked
        self._found: dict = {}
        self._failed: dict = {}  # key -> the exception its batch raised

    async def load(self, key):
        if key not in self._found and key not in self._failed:
            self._waiting[key] = None
            for _ in range(_TURNS):
                await _one_turn()
            if key in self._waiting:  # no other waiter loaded its batch meanwhile
                keys = list(self._waiting)
                self._waiting.clear()
                try:
                    values = self._load(keys)
                except Exception as exc:
                    self._failed.update(dict.fromkeys(keys, exc))
                else:
                    self._found.update(zip(keys, values))
        if key in self._failed:
            raise self._failed[key]
        return self._found[key]


def _record_lookup(reads: Reads, table: str, column: str, keys: list, rows: list) -> None:
    # A slug, or a node key (which starts with its article's slug and "/"),
    # is recorded found or not: the article's appearing must change the answer.
    if column in ("slug", "key"):
        reads.slugs.update(str(key).split("/", 1)[0] for key in keys)
    reads.articles(rows, "id" if table == "articles" else "article_id")


@dataclass
class Context:
    """What every resolver sees as ``info.context``: one snapshot for the whole request."""

    snapshot: Snapshot
    settings: Settings
    request_id: str
    problems: tuple = ()  # errors of the last failed live reload (loader Diagnostics)
    # The request's document when the endpoint parsed it already (or the error
    # its text gave), and whether the parser cache keeps it (api.documents):
    # caching by its identity is then worth it.
    document: DocumentNode | GraphQLError | None = None
    document_kept: bool = True
    # api.quick_validation could not prove the document valid (api.validation_cache).
    quick_proof_failed: bool = False
    loaders: Loaders = field(init=False)
    reads: Reads = field(init=False)  # what the response read (api.surrogates)
    execution: "ExecutionRecord" = field(init=False)

    # The plans of this request alone, for a document the parser cache does not
    # keep (api.compiled.plans_for): one set for its root fields and for
    # graphql-core, should they hand the request over (api.root_fields).
    execution_plans: Any = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.reads = Reads()
        self.loaders = Loaders(self.snapshot.conn, self.reads)
        self.execution = ExecutionRecord()

    def restart(self) -> None:
        """Forget what was read and loaded, so that executing again starts as the
        first execution did (api.root_fields, before handing over to graphql-core:
        loads already made would change the order in which it meets errors)."""
        self.loaders.release()
        self.reads = Reads()
        self.loaders = Loaders(self.snapshot.conn, self.reads)


@dataclass
class ExecutionRecord:
    """How one request was executed (api.compiled): objects completed from plans, and
    the constructs that sent some to graphql-core."""

    compiled: int = 0
    fallbacks: set = field(default_factory=set)
    by_root_fields: bool = False  # api.root_fields answered, graphql-core never ran
    remembered: bool = False  # answered from api.introspection's memory
