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
  come back, and are kept from their second request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, parse
from strawberry.extensions import SchemaExtension


class Documents:
    """A bounded cache of parsed documents with a doorkeeper: a text is parsed
    and handed out the first time, and kept from the second."""

    def __init__(self, size: int, remembered: int | None = None) -> None:
        self.size = size
        self._kept: OrderedDict[tuple, DocumentNode] = OrderedDict()
        self._kept_ids: set[int] = set()  # ids of the kept documents (alive while kept)
        # Hashes of texts seen once: plain ints, which the collector does not walk.
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._remembered = remembered if remembered is not None else 8 * size
        self._lock = threading.Lock()

    def parse(self, query: str, **options) -> DocumentNode:
        """The document of ``query`` (GraphQLError when it does not parse)."""
        key = (query, *sorted(options.items()))
        with self._lock:
            document = self._kept.get(key)
            if document is not None:
                self._kept.move_to_end(key)
                return document
        document = parse(query, **options)
        if self.size > 0:
            self._sighted(key, document)
        return document

    def _sighted(self, key: tuple, document: DocumentNode) -> None:
        digest = hash(key)
        with self._lock:
            if digest not in self._seen:
                self._seen[digest] = None
                if len(self._seen) > self._remembered:
                    self._seen.popitem(last=False)
                return
            del self._seen[digest]
            if key in self._kept:  # another request kept it meanwhile
                return
            self._kept[key] = document
            self._kept_ids.add(id(document))
            if len(self._kept) > self.size:
                _, evicted = self._kept.popitem(last=False)
                self._kept_ids.discard(id(evicted))

    def keeps(self, document: DocumentNode) -> bool:
        """Whether ``document`` is one this cache keeps (and so will hand out again)."""
        return id(document) in self._kept_ids


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
            request.document_kept = self.documents.keeps(document)
        yield


def document_kept(context) -> bool:
    """Whether the request's document is kept (true outside a request context)."""
    return getattr(context, "document_kept", True)


def operation_count(document: DocumentNode) -> int:
    return sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
