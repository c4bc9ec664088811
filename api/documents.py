"""Parsed documents: one parse per request, and kept from their second sight.

Two things this module settles:

* **One parse.** The endpoint counts a document's operations before executing
  it (api.endpoint); it parses the text once, and Strawberry's parse step
  (DocumentCache) takes that document from the request's context instead of
  parsing again.
* **What is kept.** A document is kept (with its validation and its compiled
  plans, which are cached by its identity) from the second time its text is
  seen. A text seen once leaves nothing behind: in a flood of unseen texts,
  keeping each one made every worker carry up to 512 documents and their plans,
  about 600,000 objects that each full pass of Python's cyclic garbage
  collector walked, 450 ms a pass, once every 140 requests or so (measured
  in process with 1,000 unseen copies of the benchmark's (a); over HTTP,
  ``python -m bench.unseen_flood``). The texts of an app's own operations
  come back, and are kept from their second request. (Texts that differ only
  outside their selections, such as another literal slug, share those
  selections' plans, kept by their own doorkeeper: api.compiled.SelectionPlans.)
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from api.cache import LRU, SecondSight
from api.document_parser import parse


class Documents:
    """A bounded cache of parsed documents with a doorkeeper: a text is parsed
    and handed out the first time, and kept from the second."""

    def __init__(self, size: int, remembered: int | None = None) -> None:
        self.kept: LRU[DocumentNode] = LRU(size)  # (text, parse options) -> document
        self.seen = SecondSight(remembered if remembered is not None else 8 * size)

    def parse(self, query: str, **options) -> DocumentNode:
        """The document of ``query`` (GraphQLError when it does not parse)."""
        key = _key(query, options)
        document = self.kept.get(key)
        if document is not None:
            return document
        document = parse(query, **options)  # its tokens linked forward only
        # Unless another request kept it meanwhile.
        if self.seen.again(key) and self.kept.get(key) is None:
            self.kept.put(key, document)
        return document

    def keeps(self, document: DocumentNode, query: str, **options) -> bool:
        """Whether ``document`` is the one kept for ``query`` (and so handed out again)."""
        return self.kept.get(_key(query, options)) is document


def _key(query: str, options: dict) -> tuple:
    return (query, *sorted(options.items()))


class DocumentCache(SchemaExtension):
    """Strawberry's parse step: the document the endpoint parsed for this request
    (or the error that parse raised), or the Documents cache's. Records in the request's context whether the
    document is kept, which tells the validation and plan caches whether
    caching anything by its identity is worth it."""

    def __init__(self, documents: Documents) -> None:
        super().__init__()
        self.documents = documents

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        request = context.context
        document = getattr(request, "document", None)
        if isinstance(document, GraphQLError):  # the endpoint's parse failed: once is enough
            raise document
        if document is None:
            document = self.documents.parse(context.query, **context.parse_options)
        context.graphql_document = document
        if request is not None and hasattr(request, "document_kept"):
            request.document_kept = self.documents.keeps(document, context.query,
                                                         **context.parse_options)
        yield


def document_kept(context) -> bool:
    """Whether the request's document is kept (true outside a request context)."""
    return getattr(context, "document_kept", True)


def operation_count(document: DocumentNode) -> int:
    return sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
