"""Answers to introspection operations, kept across content reloads.

An operation whose root fields are all introspection (``__schema``, ``__type``,
``__typename``) reads the schema alone, never the content: its answer stays
true for the life of the process. GraphiQL asks one each time it opens, and
client generators ask one per run. graphql-core builds it anew in 40 ms (86 kB
for GraphiQL's, in process); the response cache keeps the finished bytes, but
those carry the content version, so every reload dropped them, and an author
previewing edits in GraphiQL paid the 40 ms at each page load.

An answer is kept only after graphql-core has answered the same text (so it was
parsed and validated, limits included, by this schema), for the same operation
name and variables, without an error. Requests pay one dict lookup of their text.
"""

from __future__ import annotations

from typing import Any

import orjson
from graphql import (DocumentNode, FieldNode, FragmentDefinitionNode, FragmentSpreadNode,
                     InlineFragmentNode, OperationType, SelectionSetNode)
from graphql.utilities import get_operation_ast

from api.cache import LRU

_INTROSPECTION = frozenset(("__schema", "__type", "__typename"))
# Answers per text (operation name and variables apart): a text asked with
# ever-new variables must not push the other texts out.
_PER_TEXT = 8


class IntrospectionAnswers:
    """The data of introspection operations answered before, as JSON: text ->
    {(operation name, variables): JSON bytes}, for at most ``size`` texts and
    ``max_bytes`` of JSON. Kept as JSON, GraphiQL's answer is 87 kB, where its
    objects took 530 kB, and it is written into a response as it is."""

    def __init__(self, size: int, max_bytes: int) -> None:
        self._texts: LRU[dict] = LRU(size, max_bytes, weight=_answers_bytes)

    def get(self, query: str, operation_name: str | None,
            variables: dict | None) -> orjson.Fragment | None:
        """The data of an answer kept for this request (JSON, which orjson writes
        into a response as it is), or None."""
        if query not in self._texts:  # nearly every request: no lock, no key made
            return None
        answers = self._texts.get(query)
        key = _key(operation_name, variables)
        kept = None if answers is None or key is None else answers.get(key)
        return None if kept is None else orjson.Fragment(kept)

    def keep(self, document: DocumentNode, query: str, operation_name: str | None,
             variables: dict | None, data: Any) -> None:
        """Keep ``data``, graphql-core's answer without errors to this request,
        when the operation reads nothing but introspection."""
        if not reads_only_the_schema(document, operation_name):
            return
        key = _key(operation_name, variables)
        if key is None:
            return
        # A new dict each time: the cache weighs a value when it is put.
        answers = dict(self._texts.get(query) or {})
        if len(answers) >= _PER_TEXT:
            answers.clear()
        answers[key] = orjson.dumps(data)
        self._texts.put(query, answers)


def _answers_bytes(answers: dict) -> int:
    return sum(map(len, answers.values()))


def _key(operation_name: str | None, variables: dict | None) -> tuple | None:
    if not variables:
        return operation_name, b""
    try:
        return operation_name, orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None


def reads_only_the_schema(document: DocumentNode, operation_name: str | None) -> bool:
    """Whether the operation is a query whose root fields, through every fragment
    (whatever its directives say), are all introspection fields."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return False
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    return _only_introspection(operation.selection_set, fragments, set())


def _only_introspection(selection_set: SelectionSetNode, fragments: dict, seen: set) -> bool:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value not in _INTROSPECTION:
                return False
        elif isinstance(selection, InlineFragmentNode):
            if not _only_introspection(selection.selection_set, fragments, seen):
                return False
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in seen:
                continue
            fragment = fragments.get(name)
            if fragment is None:
                return False
            seen.add(name)
            if not _only_introspection(fragment.selection_set, fragments, seen):
                return False
        else:
            return False
    return True
