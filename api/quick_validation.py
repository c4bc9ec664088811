"""A quick proof that a document is valid, to spare graphql-core's full validation.

graphql-core validates with some thirty rules, each a visitor over the whole
document with type information: about 3 ms for the benchmark's article
query, five times what parsing costs and several times what executing it
costs. Most documents clients send are plain: one query, fields and
arguments, fragments, variables. For those, one walk can establish every
condition the rules check.

``proves_valid`` either proves a document valid under the standard rules and
this server's limits, or gives up ("not proven"), and the caller then runs
graphql-core's validation as before. It never reports errors itself, so
error messages always come from graphql-core, and a document it proves valid
is one graphql-core would have passed: tests/api/test_quick_validation.py
checks that on generated and hand-broken documents. Whatever it has no
rule for (directives, introspection, default values, several operations, a
response name used twice in one selection for anything but the same leaf, a depth or alias count near the
limits), it leaves to graphql-core.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (DocumentNode, FieldNode, FragmentDefinitionNode, FragmentSpreadNode,
                     GraphQLInputObjectType, GraphQLInputType, GraphQLNonNull, GraphQLSchema,
                     InlineFragmentNode, ListValueNode, NullValueNode, ObjectValueNode,
                     OperationDefinitionNode, OperationType, SelectionSetNode, Undefined,
                     ValueNode, VariableNode, get_named_type, is_composite_type, is_input_type,
                     is_interface_type, is_leaf_type, is_object_type, print_ast)
from graphql.utilities import (do_types_overlap, is_type_sub_type_of, type_from_ast,
                               validate_input_literal)
from strawberry.types.base import StrawberryMaybe


class NotProven(Exception):
    """The document uses something the quick check does not cover."""


@dataclass(frozen=True)
class Limits:
    """The server's own validation limits (api.schema): a document is proven
    valid only with a margin below each, so that how exactly each limit rule
    counts never matters."""

    max_depth: int
    max_aliases: int
    # Whether the schema has types that Strawberry's two extra rules judge: a
    # strawberry.Maybe argument or input field, a oneOf input type (limits_for).
    has_maybe: bool = False
    has_one_of: bool = False
    # What a field's checks need of its definition, by type name, then field name:
    # the definition, its named type, whether that is a leaf, its required arguments.
    # Worked out at a field's first sight; the schema does not change.
    fields: dict = field(default_factory=dict, compare=False, repr=False)


def limits_for(schema: GraphQLSchema, max_depth: int, max_aliases: int) -> Limits:
    """The Limits of ``schema`` under these depth and alias limits."""
    maybe = one_of = False
    for named in schema.type_map.values():
        places = []
        if isinstance(named, GraphQLInputObjectType):
            one_of = one_of or bool(getattr(named, "is_one_of", False))
            places = list(named.fields.values())
        elif is_object_type(named) or is_interface_type(named):
            places = [a for f in named.fields.values() for a in f.args.values()]
        for place in places:
            definition = (place.extensions or {}).get("strawberry-definition")
            maybe = maybe or isinstance(getattr(definition, "type", None), StrawberryMaybe)
    return Limits(max_depth, max_aliases, maybe, one_of)


def proves_valid(schema: GraphQLSchema, document: DocumentNode, limits: Limits) -> bool:
    """True only if graphql-core's standard rules and the limits pass ``document``."""
    try:
        _Walk(schema, document, limits).check()
    except NotProven:
        return False
    return True


class _Walk:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, limits: Limits) -> None:
        self.schema = schema
        self.limits = limits
        self.operations = []
        self.fragments: dict[str, FragmentDefinitionNode] = {}
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                self.operations.append(definition)
            elif isinstance(definition, FragmentDefinitionNode):
                _require(definition.name.value not in self.fragments)
                _require(not definition.directives and not definition.variable_definitions)
                self.fragments[definition.name.value] = definition
            else:
                raise NotProven  # type system definitions, extensions
        self.variables: dict[str, GraphQLInputType] = {}
        self.used_variables: set[str] = set()
        self.used_fragments: set[str] = set()
        self.aliases = 0
        self.deepest = 0

    def check(self) -> None:
        _require(len(self.operations) == 1)
        operation = self.operations[0]
        _require(operation.operation == OperationType.QUERY and not operation.directives)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            _require(name not in self.variables and definition.default_value is None
                     and not definition.directives)
            variable_type = type_from_ast(self.schema, definition.type)
            _require(variable_type is not None and is_input_type(variable_type))
            self.variables[name] = variable_type
        root = self.schema.query_type
        _require(root is not None)
        self.selections(operation.selection_set, root, {}, (), 1)
        _require(self.used_variables == set(self.variables))
        _require(self.used_fragments == set(self.fragments))
        _require(self.deepest + 1 < self.limits.max_depth)
        _require(self.aliases < self.limits.max_aliases)

    def selections(self, selection_set: SelectionSetNode, parent: Any, keys: dict,
                   spreads: tuple[str, ...], depth: int) -> None:
        """Check one selection set; ``keys``: the response names already used in
        the merged set (fragments share their parent's), each allowed once
        unless it names the same leaf field of the same type with the same
        arguments again."""
        # The hot path (a check per field): conditions are tested in place rather
        # than through _require, a call for each, and a field by its exact class (a
        # subclass of FieldNode would only go unproven, to graphql-core's rules).
        if not selection_set.selections:
            raise NotProven
        for selection in selection_set.selections:
            if selection.directives:
                raise NotProven
            if selection.__class__ is FieldNode:
                key = (selection.alias or selection.name).value
                if key in keys:  # only the very same leaf field twice merges trivially
                    twin = _leaf_identity(selection, parent)
                    _require(twin is not None and _leaf_identity(*keys[key]) == twin)
                keys[key] = (selection, parent)
                if selection.alias is not None:
                    self.aliases += 1
                self.field(selection, parent, spreads, depth)
            elif isinstance(selection, InlineFragmentNode):
                inner = parent if selection.type_condition is None else \
                    self.condition(selection.type_condition.name.value, parent)
                self.selections(selection.selection_set, inner, keys, spreads, depth)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                _require(fragment is not None and name not in spreads)
                self.used_fragments.add(name)
                inner = self.condition(fragment.type_condition.name.value, parent)
                self.selections(fragment.selection_set, inner, keys, spreads + (name,), depth)
            else:
                raise NotProven

    def condition(self, type_name: str, parent: Any) -> Any:
        """The type a fragment narrows to, if it can apply to ``parent`` at all."""
        narrowed = self.schema.get_type(type_name)
        _require(narrowed is not None and is_composite_type(narrowed)
                 and do_types_overlap(self.schema, narrowed, parent))
        return narrowed

    def field(self, node: FieldNode, parent: Any, spreads: tuple[str, ...], depth: int) -> None:
        name = node.name.value
        of_parent = self.limits.fields.get(parent.name)
        if of_parent is None:
            of_parent = self.limits.fields[parent.name] = {}
        facts = of_parent.get(name)
        if facts is None:
            facts = of_parent[name] = _field_facts(parent, name)
        definition, named, leaf, required = facts
        if node.arguments:
            _require(definition is not None)  # __typename takes none
            given: set[str] = set()
            for argument in node.arguments:
                argument_name = argument.name.value
                argument_def = definition.args.get(argument_name)
                _require(argument_def is not None and argument_name not in given)
                given.add(argument_name)
                self.value(argument.value, argument_def.type)
            _require(given.issuperset(required))
        elif required:
            raise NotProven
        if leaf:
            if node.selection_set is not None:
                raise NotProven
            if depth > self.deepest:
                self.deepest = depth
            return
        if node.selection_set is None:
            raise NotProven
        self.selections(node.selection_set, named, {}, spreads, depth + 1)

    def value(self, node: ValueNode, expected: Any) -> None:
        """An argument's value: a variable of a type that always fits, or a
        literal that graphql-core's own literal check (the one
        ValuesOfCorrectTypeRule uses) accepts."""
        if isinstance(node, VariableNode):
            name = node.name.value
            _require(name in self.variables
                     and is_type_sub_type_of(self.schema, self.variables[name], expected))
            self.used_variables.add(name)
            return
        kinds = _kinds_inside(node)
        _require(VariableNode not in kinds)  # variables inside literals: left to the rules
        # Strawberry's MaybeNullValidationRule and OneOfInputValidationRule judge
        # nulls and input objects of their own; a schema that has such types
        # leaves those literals to them.
        _require(not (self.limits.has_maybe and NullValueNode in kinds)
                 and not (self.limits.has_one_of and ObjectValueNode in kinds))
        errors: list = []
        validate_input_literal(node, expected, lambda error, _path: errors.append(error))
        _require(not errors)


def _field_facts(parent: Any, name: str) -> tuple:
    """(definition, named type, whether a leaf, required argument names) of field
    ``name`` of ``parent``. ``__typename`` is a leaf without arguments; other
    introspection fields have rules of their own, and are not proven."""
    if name == "__typename":
        return None, None, True, ()
    _require(not name.startswith("__"))
    _require(is_object_type(parent) or is_interface_type(parent))
    definition = parent.fields.get(name)
    _require(definition is not None)
    named = get_named_type(definition.type)
    required = tuple(argument_name for argument_name, argument_def in definition.args.items()
                     if isinstance(argument_def.type, GraphQLNonNull)
                     and argument_def.default_value is Undefined)
    return definition, named, is_leaf_type(named), required


def _kinds_inside(node: ValueNode) -> set[type]:
    """The node classes in a literal, itself included. An input object that
    names a field twice (UniqueInputFieldNamesRule's case, which the literal
    check does not look for) is not proven."""
    kinds = {type(node)}
    if isinstance(node, ListValueNode):
        for item in node.values:
            kinds |= _kinds_inside(item)
    elif isinstance(node, ObjectValueNode):
        names = [field.name.value for field in node.fields]
        _require(len(names) == len(set(names)))
        for field in node.fields:
            kinds |= _kinds_inside(field.value)
    return kinds


def _leaf_identity(node: FieldNode, parent: Any) -> tuple | None:
    """What makes two selections of a leaf field the same: its type, name and
    arguments as written; None for a field with a selection set."""
    if node.selection_set is not None:
        return None
    arguments = tuple(sorted((a.name.value, print_ast(a.value)) for a in node.arguments or ()))
    return parent.name, node.name.value, arguments


def _require(condition: bool) -> None:
    if not condition:
        raise NotProven
