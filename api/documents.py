"""Parsed documents, one parse per query text.

Strawberry's ParserCache keeps its cache in a private module function, so
the endpoint, which counts a document's operations before executing it
(api.endpoint), used to parse every unseen text a second time. This module
owns the cache instead: the schema's parse step (DocumentCache) and the
operation count read the same parsed document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, parse
from strawberry.extensions import SchemaExtension

Parse = Callable[..., DocumentNode]


def cached_parse(size: int) -> Parse:
    """graphql-core's parse behind an LRU of ``size`` texts (failures are not kept)."""
    return lru_cache(maxsize=size)(parse)


class DocumentCache(SchemaExtension):
    """Strawberry's parse step, through a cached_parse shared with the endpoint.

    Called exactly as Strawberry calls parse (the text, then its parse options,
    such as MaxTokensLimiter's max_tokens), so a text counted first is found."""

    def __init__(self, parse_document: Parse) -> None:
        super().__init__()
        self.parse_document = parse_document

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.graphql_document = self.parse_document(context.query, **context.parse_options)
        yield


def operation_count(parse_document: Parse, query: str, max_tokens: int) -> int:
    """How many operations a document defines; 0 when it does not parse
    (execution then reports the syntax error)."""
    try:
        document = parse_document(query, max_tokens=max_tokens)
    except GraphQLError:
        return 0
    return sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
