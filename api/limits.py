"""Depth rules: one that also counts introspection fields, and Strawberry's own
made safe for documents that spread undefined fragments.

Strawberry's QueryDepthLimiter skips every field whose name starts with
``__``, and graphql-core's MaxIntrospectionDepthRule only counts
fields/interfaces/possibleTypes nesting, so ``__type { ofType { ofType ... } } }``
would pass both at any depth. This rule bounds the nesting of every
selection, introspection included, with an allowance that fits GraphiQL's own
introspection query (15 levels).
"""

from __future__ import annotations

from graphql import (FieldNode, FragmentDefinitionNode, FragmentSpreadNode, GraphQLError,
                     InlineFragmentNode, NameNode, OperationDefinitionNode, SelectionSetNode,
                     ValidationContext, ValidationRule, Visitor, visit)
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

INTROSPECTION_MAX_DEPTH = 16
MESSAGE = "Query is nested deeper than {limit} levels (introspection included)."


def selection_depth(selection_set: SelectionSetNode | None, context: ValidationContext,
                    limit: int, seen: frozenset[str] = frozenset()) -> int:
    """Depth of the deepest field under ``selection_set``; stops counting past ``limit``."""
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.selection_set is None:
                depth = 1
            elif limit <= 0:
                return 1
            else:
                depth = 1 + selection_depth(selection.selection_set, context, limit - 1, seen)
        elif isinstance(selection, InlineFragmentNode):
            depth = selection_depth(selection.selection_set, context, limit, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = context.get_fragment(name)
            if fragment is None or name in seen:
                continue  # unknown or cyclic fragments are reported by the standard rules
            depth = selection_depth(fragment.selection_set, context, limit, seen | {name})
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            break
    return deepest


def create_total_depth_rule(limit: int = INTROSPECTION_MAX_DEPTH) -> type[ValidationRule]:
    class TotalDepthRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args) -> None:
            if selection_depth(node.selection_set, self.context, limit) > limit:
                self.report_error(GraphQLError(MESSAGE.format(limit=limit), node))

    return TotalDepthRule


class _SpreadNames(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_args) -> None:
        self.names.add(node.name.value)


def _spreads_unknown_fragments(context: ValidationContext) -> bool:
    document = context.document
    defined = {d.name.value for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    spreads = _SpreadNames()
    visit(document, spreads)
    return not spreads.names <= defined


class _Filled:
    """What Strawberry's depth rule reads of a validation context: a document in
    which every empty selection set holds ``__typename`` (so that its walk never
    takes the maximum of nothing), and where to report errors."""

    def __init__(self, context: ValidationContext, document) -> None:
        self.document, self.report_error = document, context.report_error


class _FillEmpty(Visitor):
    def leave_selection_set(self, node: SelectionSetNode, *_args):
        if node.selections:
            return None
        return SelectionSetNode(selections=(_TYPENAME,), loc=node.loc)


_TYPENAME = FieldNode(name=NameNode(value="__typename"), arguments=(), directives=())


def _has_empty_selection_set(selection_set: SelectionSetNode | None) -> bool:
    if selection_set is None:
        return False
    if not selection_set.selections:
        return True
    return any(_has_empty_selection_set(getattr(selection, "selection_set", None))
               for selection in selection_set.selections)


def create_depth_rule(max_depth: int) -> type[ValidationRule]:
    """Strawberry's depth limit, made safe for two kinds of documents its depth
    walk fails on (a 500):

    - documents that spread a fragment they do not define (it looks the fragment
      up: a KeyError). Those are invalid anyway, and graphql-core's
      KnownFragmentNamesRule names the missing fragment;
    - documents with an empty selection set (``{ }``), which graphql-core 3.3
      parses (the grammar it is moving to) and executes: the walk takes the
      deepest of no selections. It reads a copy where each such set holds
      ``__typename``, which the rule counts as nothing, as an empty set is."""
    strawberry_rule = depth_rule(max_depth, None)

    class DepthLimitRule(strawberry_rule):
        def __init__(self, context: ValidationContext) -> None:
            document = context.document
            if _spreads_unknown_fragments(context):
                ValidationRule.__init__(self, context)
            elif any(_has_empty_selection_set(getattr(d, "selection_set", None))
                     for d in document.definitions):
                super().__init__(_Filled(context, visit(document, _FillEmpty())))
                ValidationRule.__init__(self, context)
            else:
                super().__init__(context)

    return DepthLimitRule
