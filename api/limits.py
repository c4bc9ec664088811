"""A depth rule that also counts introspection fields.

Strawberry's QueryDepthLimiter skips every field whose name starts with
``__``, and graphql-core's MaxIntrospectionDepthRule only counts
fields/interfaces/possibleTypes nesting, so ``__type { ofType { ofType ... } } }``
would pass both at any depth. This rule bounds the nesting of every
selection, introspection included, with an allowance that fits GraphiQL's own
introspection query (15 levels).
"""

from __future__ import annotations

from graphql import (FieldNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode,
                     OperationDefinitionNode, SelectionSetNode, ValidationContext, ValidationRule)

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
