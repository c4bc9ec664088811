"""Validation results cached by the parsed document's identity.

Strawberry's ValidationCache keys an lru_cache by the document itself, so every
request hashes the whole AST (graphql-core nodes hash recursively, every time):
for the benchmark's article query that was about a tenth of an uncached
request. The parser cache already hands out the same document object for the
same text, so its identity is key enough. Each entry keeps its document alive,
so an id is never reused for another document while the entry exists.

An unseen document is first offered to api.quick_validation, which proves
most client documents valid in a fraction of graphql-core's time. The endpoint
offers it first (``proves_unseen``), so that a proven query goes past
Strawberry's per-request steps (api.prepared); this extension offers it again
only when the endpoint did not.
"""

from __future__ import annotations

from typing import Iterator

from graphql import DocumentNode

from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from api.cache import LRU
from api.documents import document_kept
from api.quick_validation import Limits, proves_valid


class DocumentValidationCache(SchemaExtension):
    """Set ``pre_execution_errors`` from the cache, validating only unseen
    documents: first by api.quick_validation's proof, then, when that does
    not prove them valid, by graphql-core's rules."""

    def __init__(self, cache: LRU, limits: Limits, covered_rules: frozenset) -> None:
        super().__init__()
        self.cache = cache
        self.limits = limits
        self.covered_rules = covered_rules  # the rules the quick proof stands in for

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        # By identity alone: the rules are the same for every request to this
        # schema, and the cache is the schema's own.
        entry = self.cache.get(id(document))
        if entry is None:
            rules = tuple(context.validation_rules)
            schema = context.schema._schema
            request = context.context
            if self.covered_rules.issuperset(rules) and \
                    not getattr(request, "quick_proof_failed", False) and \
                    proves_valid(schema, document, self.limits):
                STATS.quick += 1
                errors = []
            else:
                STATS.full += 1
                errors = validate_document(schema, document, rules)
            entry = (document, errors)  # the document, so that its id is not reused
            if document_kept(request):  # else it is never handed out again
                self.cache.put(id(document), entry)
        context.pre_execution_errors = entry[1]
        yield


def proves_unseen(schema, document: DocumentNode, context) -> bool:
    """Whether api.quick_validation proves ``document`` valid under the rules
    Strawberry's validation step would run (the standard rules and the schema's
    limits, which the proof covers). Counted, and cached when the parser cache keeps
    the document, as that step would; a failed proof is recorded in the request's
    ``context``, so that the step, which then validates fully, does not try again."""
    if not proves_valid(schema._schema, document, schema.quick_limits):
        context.quick_proof_failed = True
        return False
    STATS.quick += 1
    if context.document_kept:
        schema.validated.put(id(document), (document, []))
    return True


class ValidationStats:
    """How unseen documents were validated, for /healthz."""

    def __init__(self) -> None:
        self.quick = 0  # proven valid by api.quick_validation
        self.full = 0  # by graphql-core's rules

    def as_dict(self) -> dict[str, int]:
        return {"provenQuickly": self.quick, "fullValidation": self.full}


STATS = ValidationStats()
