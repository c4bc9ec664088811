"""Compiled execution against operations shaped as client libraries write them.

hypothesis-graphql writes each field once, in place. Apollo, Relay and hand-written
apps do not: they add ``__typename`` everywhere, move selections into named
fragments (spread in several places, under ``@include``/``@skip`` with variables),
wrap them in inline fragments, and ask for one field in several places, whose
selections graphql-core then merges. Each generated operation here is rewritten in
those ways, at random but only in ways that keep it valid, and the two apps of
tests/api/test_compiled.py (plans and graphql-core's executor) must answer it with
the same bytes. The rewrite is checked valid by graphql-core first, so that the
plans' merging is what gets compared, not two copies of a validation error.

``make test`` runs CLIENT_SHAPED_EXAMPLES (default 100) with plans read from their lists
and as many with every plan written out as a function (api.plan_code); ``make fuzz``
1,000 each.
"""

from __future__ import annotations

import os
from collections import Counter

import graphql
from graphql import (ArgumentNode, DirectiveNode, DocumentNode, FieldNode, FragmentDefinitionNode,
                     FragmentSpreadNode, GraphQLSchema, InlineFragmentNode, NamedTypeNode,
                     NameNode, NonNullTypeNode, OperationDefinitionNode, SelectionSetNode,
                     VariableDefinitionNode, VariableNode)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import compiled
from tests.api.test_compiled import (LONG, SDL, apps, compare, generated, plans_run,  # noqa: F401
                                     store, values)

# For each way of running plans (read from their lists, or written out as functions).
EXAMPLES = int(os.environ.get("CLIENT_SHAPED_EXAMPLES", 1000 if LONG else 100))
SCHEMA: GraphQLSchema = graphql.build_schema(SDL)
# The variables of the directives a rewrite adds: one true and one false, so that a
# directive keeps or drops a selection whichever of @include and @skip it uses
# (sent with every request; an operation declares those it uses).
VARIABLES = {"yes": True, "no": False}
UNPAIRED = {"last", "before", "after"}


def _name(value: str) -> NameNode:
    return NameNode(value=value)


def _directive(keep: bool, draw, used: set[str]) -> DirectiveNode:
    """@include or @skip whose variable keeps the selection (``keep``) or drops it."""
    include = draw(st.booleans())
    variable = "yes" if include == keep else "no"
    used.add(variable)
    return DirectiveNode(name=_name("include" if include else "skip"), arguments=(
        ArgumentNode(name=_name("if"), value=VariableNode(name=_name(variable))),))


class Rewriter:
    """Rewrites a document's selections; ``fragments`` collects the named ones made."""

    def __init__(self, draw, values: dict[str, list]) -> None:
        self.draw = draw
        # Most operations are made clean: without the paging arguments a client sends
        # one at a time, and with IDs that exist. A generated field often has first
        # and last, a garbage cursor or ID, and one error sends the whole operation to
        # graphql-core, so that little of the plans is compared.
        self.clean = draw(st.integers(0, 3)) > 0
        self.an_id = graphql.language.StringValueNode(value=values["ids"][0])
        self.made = 0  # response keys and fragment names made, for unique ones
        self.used: set[str] = set()  # the variables the directives made use
        self.fragments: list[FragmentDefinitionNode] = []
        self.moves: Counter = Counter()

    def selection_set(self, node: SelectionSetNode | None, parent: graphql.GraphQLNamedType
                      ) -> SelectionSetNode | None:
        if node is None:
            return None
        out: list = []
        for selection in node.selections:
            out.extend(self.selection(selection, parent))
        return SelectionSetNode(selections=tuple(out))

    def selection(self, node, parent) -> list:
        draw = self.draw
        if isinstance(node, InlineFragmentNode):
            inner = SCHEMA.get_type(node.type_condition.name.value) if node.type_condition \
                else parent
            return [InlineFragmentNode(type_condition=node.type_condition,
                                       directives=node.directives,
                                       selection_set=self.selection_set(node.selection_set, inner))]
        if isinstance(node, FragmentSpreadNode):
            return [node]
        field = self.field(node, parent)
        out = [field]
        self.made += 1
        move = draw(st.sampled_from(["keep", "keep", "inline", "directive", "fragment",
                                     "split", "typename", "dropped", "alias"]))
        parts = field.selection_set.selections if field.selection_set else ()
        if move == "split" and len(parts) < 2 or move == "alias" and field.name.value == "__typename":
            move = "keep"  # nothing to share out, or nothing to ask again
        self.moves[move] += 1
        if move == "inline":  # ... { field }
            out = [InlineFragmentNode(selection_set=SelectionSetNode(selections=(field,)))]
        elif move == "directive":  # field @include(if: $yes), or a copy that is dropped
            out = [FieldNode(alias=field.alias, name=field.name, arguments=field.arguments,
                             directives=(_directive(True, draw, self.used),),
                             selection_set=field.selection_set)]
        elif move == "fragment":  # ...F, the field in a named fragment on the parent type
            name = f"F{self.made}"
            self.fragments.append(FragmentDefinitionNode(
                name=_name(name), type_condition=NamedTypeNode(name=_name(parent.name)),
                selection_set=SelectionSetNode(selections=(field,))))
            directives = (_directive(True, draw, self.used),) if draw(st.booleans()) else ()
            out = [FragmentSpreadNode(name=_name(name), directives=directives)]
        elif move == "split":
            # The same field twice, its selections shared out: graphql-core merges them.
            cut = draw(st.integers(1, len(parts) - 1))
            out = [FieldNode(alias=field.alias, name=field.name, arguments=field.arguments,
                             directives=field.directives,
                             selection_set=SelectionSetNode(selections=part))
                   for part in (parts[:cut], parts[cut:])]
        elif move == "typename":
            out.append(FieldNode(name=_name("__typename")))
        elif move == "dropped":  # a copy of the field under a directive that drops it
            out.append(FieldNode(alias=_name(f"gone{self.made}"), name=field.name,
                                 arguments=field.arguments,
                                 directives=(_directive(False, draw, self.used),),
                                 selection_set=field.selection_set))
        elif move == "alias":
            # The same field again under another response key.
            out.append(FieldNode(alias=_name(f"again{self.made}"),
                                 name=field.name, arguments=field.arguments,
                                 selection_set=field.selection_set))
        return out

    def cleaned(self, argument: ArgumentNode) -> ArgumentNode:
        """An ID argument whose value is no ID of the store (garbage, "") given one that is."""
        value = argument.value
        if argument.name.value == "id" and isinstance(value, graphql.language.StringValueNode) \
                and value.value in ("", "garbage"):
            return ArgumentNode(name=argument.name, value=self.an_id)
        if argument.name.value == "ids" and isinstance(value, graphql.language.ListValueNode):
            return ArgumentNode(name=argument.name, value=graphql.language.ListValueNode(
                values=tuple(self.an_id if getattr(v, "value", None) in ("", "garbage") else v
                             for v in value.values)))
        return argument

    def field(self, node: FieldNode, parent) -> FieldNode:
        if node.name.value.startswith("__"):
            return node
        definition = parent.fields[node.name.value]
        arguments = node.arguments or ()
        if self.clean:
            arguments = tuple(self.cleaned(a) for a in arguments if a.name.value not in UNPAIRED)
        inner = graphql.get_named_type(definition.type)
        return FieldNode(alias=node.alias, name=node.name, arguments=arguments,
                         directives=node.directives,
                         selection_set=self.selection_set(node.selection_set, inner))


@st.composite
def client_shaped(draw, operations: st.SearchStrategy[str], values) -> tuple[str, Counter]:
    document = graphql.parse(draw(operations))
    rewriter = Rewriter(draw, values)
    definitions: list = []
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            definitions.append(definition)
            continue
        root = SCHEMA.get_root_type(definition.operation)
        selection_set = rewriter.selection_set(definition.selection_set, root)
        declared = tuple(definition.variable_definitions or ()) + tuple(
            VariableDefinitionNode(variable=VariableNode(name=_name(name)),
                                   type=NonNullTypeNode(type=NamedTypeNode(name=_name("Boolean"))))
            for name in sorted(rewriter.used))  # (one operation: generated() writes one)
        definitions.append(OperationDefinitionNode(
            operation=definition.operation, name=definition.name or _name("Shaped"),
            variable_definitions=declared, directives=definition.directives,
            selection_set=selection_set))
    text = graphql.print_ast(DocumentNode(definitions=tuple(definitions + rewriter.fragments)))
    return text, rewriter.moves


def test_client_shaped_operations_give_the_same_bytes(apps, values, plans_run):
    outcome: Counter = Counter()
    moves: Counter = Counter()

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not LONG,
              suppress_health_check=list(HealthCheck))
    @given(shaped=client_shaped(generated(values), values))
    def differential(shaped: tuple[str, Counter]) -> None:
        text, made = shaped
        if graphql.validate(SCHEMA, graphql.parse(text)):
            outcome["invalid"] += 1  # a rewrite that broke a rule: none is expected
            return
        moves.update(made)
        body = compare(apps, text, VARIABLES)
        # Over a limit (aliases, tokens): refused before anything ran, nothing compared.
        outcome["refused" if b"QUERY_TOO_COMPLEX" in body else
                "errors" if b'"errors"' in body else "data"] += 1

    before = compiled.STATS.compiled + compiled.STATS.partial
    differential()
    print(f"\nclient-shaped ({plans_run}): {dict(outcome)}; moves {dict(moves)}")
    assert outcome["invalid"] + outcome["refused"] <= EXAMPLES // 10, outcome
    assert outcome["data"] > outcome["errors"], outcome
    # Every kind of rewrite was compared, and most answers came from plans.
    assert all(moves[m] > 0 for m in ("inline", "directive", "fragment", "split", "typename",
                                      "dropped", "alias")), moves
    assert compiled.STATS.compiled + compiled.STATS.partial - before > outcome["data"] // 2
