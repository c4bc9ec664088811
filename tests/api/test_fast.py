"""Direct resolvers give exactly what Strawberry's own resolvers give."""

from __future__ import annotations

import asyncio
from unittest import mock

from api import fast
from api.config import Settings
from api.loaders import Context
from api.schema import FAST_TYPES, build_schema
from api.store import Snapshot
from tests.api.test_schema import EVERYTHING

EXTRA = """{
  search(query: "芯片", first: 5) { nodes { field score snippet plain: snippet(format: PLAIN)
    node { ... on Node { id } ... on Route { pros(format: HTML) cons(format: PLAIN) trend { title } } } } }
  routes(first: 3) { nodes { intro(format: HTML) article { excerpt(length: 12) } } }
}"""


def run(schema, db, query, variables=None):
    snapshot = Snapshot.open(db)
    context = Context(snapshot=snapshot, settings=Settings(), request_id="test")
    result = asyncio.run(schema.execute(query, variable_values=variables, context_value=context))
    assert not result.errors, result.errors
    return result.data


def test_direct_resolvers_match_strawberry(content_db):
    fast_schema = build_schema()
    with mock.patch.object(fast, "install", return_value=0):
        plain_schema = build_schema()
    for query, variables in ((EVERYTHING, {"first": 100}), (EXTRA, None)):
        assert run(fast_schema, content_db, query, variables) == run(plain_schema, content_db, query,
                                                                    variables)


def test_install_covers_the_content_types():
    schema = build_schema()
    assert fast.install(schema, FAST_TYPES) > 60
    article = schema._schema.type_map["Article"]
    # A field with an argument of an input type would be left alone; ours are all direct.
    assert all(f.resolve is not None for f in article.fields.values())
