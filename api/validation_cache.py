"""Validation results cached by the parsed document's identity.

Strawberry's ValidationCache keys an lru_cache by the document itself, so every
request hashes the whole AST (graphql-core nodes hash recursively, every time):
for the benchmark's article query that was about a tenth of an uncached
request. The parser cache already hands out the same document object for the
same text, so its identity is key enough. Each entry keeps its document alive,
so an id is never reused for another document while the entry exists.
"""

from __future__ import annotations

from typing import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from api.cache import LRU


class DocumentValidationCache(SchemaExtension):
    """Set ``pre_execution_errors`` from the cache, validating only unseen documents."""

    def __init__(self, cache: LRU) -> None:
        super().__init__()
        self.cache = cache

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document, rules = context.graphql_document, tuple(context.validation_rules)
        key = (id(document), rules)
        entry = self.cache.get(key)
        if entry is None or entry[0] is not document:
            entry = (document, validate_document(context.schema._schema, document, rules))
            self.cache.put(key, entry)
        context.pre_execution_errors = entry[1]
        yield
