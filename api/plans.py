"""Plans: one object type's merged selection compiled into the fields to produce.

A plan says, for each field of the selection, how to produce it (an
attribute, a direct resolver with its arguments coerced once, ``__typename``)
and how to complete its value (leaves checked and coerced as graphql-core
would, lists, non-null, nested objects, abstract types by their runtime
type), so that api.compiled can run it for every object of that selection
without graphql-core's per-field executor. ``Compiler`` builds plans the way
the spec's CollectFields groups fields (fragments, type conditions,
``@skip``/``@include``), and raises ``Unsupported`` with the construct's name
for anything it does not take. A plan never reports an error itself: running
into one raises, and graphql-core completes the object instead.
"""

from __future__ import annotations

from typing import Any

from graphql import (GraphQLBoolean, GraphQLID, GraphQLInt, GraphQLList, GraphQLNonNull,
                     GraphQLObjectType, GraphQLSkipDirective, GraphQLIncludeDirective,
                     GraphQLString, FieldNode, FragmentSpreadNode, InlineFragmentNode,
                     VariableNode, is_abstract_type, is_leaf_type, is_object_type)
from graphql.execution.collect_fields import does_fragment_condition_match
from graphql.execution.values import VariableValues, get_argument_values, get_directive_values
from graphql.pyutils import Undefined

from api import fast
from api.plan_code import (ATTRIBUTE, BOOLEAN, CALL, CALL_WITH_INFO, INT, INT_MAX, INT_MIN,
                           NO_SHORTCUT, STRING, TYPENAME, VARIABLE_ARGUMENTS, object_function)


class Unsupported(Exception):
    """A selection the compiler does not take; the message names the construct."""


class _Abandon(Exception):
    """Running a plan met something only graphql-core should answer (an error)."""


class _Info:
    """What direct resolvers read from ``info``: the request's context, nothing else."""

    __slots__ = ("context",)

    def __init__(self, context) -> None:
        self.context = context


# Objects a plan produces by reading its list before it is written out as a
# function (api.plan_code). Writing one out takes about 160 µs, which an object
# read from the function saves back only after several hundred: a plan that
# serves many requests, or a long list of one, is written out; the fifteen
# plans of a text seen once are not.
WRITE_OUT_AFTER = 128


class ObjectPlan:
    """The fields to produce for one object type and one merged selection.

    Each field is a tuple (how, shortcut, key, function, arguments, complete);
    ``run(source, run)`` produces them all for one object: by reading the list,
    then, from its WRITE_OUT_AFTER-th object on, from a function written out
    for this plan. A plan runs once per object, so every step saved per field
    counts."""

    __slots__ = ("type_name", "fields", "run", "_runs")

    def __init__(self, type_name: str, fields: list[tuple]) -> None:
        self.type_name = type_name
        self.fields = fields
        self._runs = 0
        self.run = self._read

    def _write_out(self) -> None:
        try:
            self.run = object_function(self.type_name, self.fields)
        except Exception:  # a plan_code bug must cost speed, never an answer
            pass

    def _read(self, source, run: "_Run") -> dict:
        self._runs += 1
        if self._runs == WRITE_OUT_AFTER:
            self._write_out()
        out = {}
        info = run.info
        for how, shortcut, key, function, arguments, complete in self.fields:
            if how is ATTRIBUTE:
                value = function(source)
            elif how is CALL_WITH_INFO:
                value = function(source, info, **arguments)
            elif how is CALL:
                value = function(source, **arguments)
            elif how is TYPENAME:
                out[key] = self.type_name
                continue
            else:  # arguments with variables: coerced once per execution
                value = function(source, info, **run.arguments(arguments))
            if shortcut is STRING:
                if value.__class__ is str:
                    out[key] = value
                    continue
            elif shortcut is INT:
                if value.__class__ is int and INT_MIN <= value <= INT_MAX:
                    out[key] = value
                    continue
            elif shortcut is BOOLEAN:
                if value.__class__ is bool:
                    out[key] = value
                    continue
            out[key] = complete(value, run)
        return out


class _Run:
    """One execution's bindings: the resolvers' info, and arguments that depend on
    the variables (the same for every object, so coerced once)."""

    __slots__ = ("info", "variable_values", "coerced")

    def __init__(self, context, variable_values) -> None:
        self.info = _Info(context)
        self.variable_values = variable_values
        self.coerced: dict = {}

    def arguments(self, field_arguments: tuple) -> dict:
        # By identity: the plan holds the tuple, and its field definition and
        # enum map are not hashable.
        found = self.coerced.get(id(field_arguments))
        if found is None:
            field_def, node, enums = field_arguments
            found = self.coerced[id(field_arguments)] = fast.python_arguments(
                enums, get_argument_values(field_def, node, self.variable_values))
        return found


_NO_VARIABLES = VariableValues(sources={}, coerced={})
_SHORTCUTS = {"String": STRING, "ID": STRING, "Int": INT, "Boolean": BOOLEAN}


def _field(key: str, field_def, node: FieldNode, complete) -> tuple:
    """The plan's tuple for one field (see ObjectPlan)."""
    resolve = field_def.resolve
    leaf = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
    shortcut = _SHORTCUTS.get(getattr(leaf, "name", ""), NO_SHORTCUT) \
        if leaf in (GraphQLString, GraphQLID, GraphQLInt, GraphQLBoolean) else NO_SHORTCUT
    getter = getattr(resolve, "getter", None)
    if getter is not None:  # the attribute's name takes the place of arguments
        return ATTRIBUTE, shortcut, key, getter, resolve.attribute, complete
    enums = resolve.enums
    if any(_has_variable(argument.value) for argument in node.arguments or ()):
        func = resolve.func if resolve.wants_info else _without_info(resolve.func)
        return VARIABLE_ARGUMENTS, shortcut, key, func, (field_def, node, enums), complete
    arguments = fast.python_arguments(enums, get_argument_values(field_def, node, _NO_VARIABLES))
    how = CALL_WITH_INFO if resolve.wants_info else CALL
    return how, shortcut, key, resolve.func, arguments, complete


def _without_info(func):
    """``func``, called the way a plan calls a resolver that takes info."""
    def call(source, _info, **arguments):
        return func(source, **arguments)
    return call


def _has_variable(value) -> bool:
    if isinstance(value, VariableNode):
        return True
    return any(_has_variable(v) for v in getattr(value, "values", None) or ()) or any(
        _has_variable(f.value) for f in getattr(value, "fields", None) or ())


def _leaf(graphql_type, non_null: bool = False):
    """Completion of a leaf value (of a non-null leaf: a null abandons). The common
    scalars get a closure each, with their type check written out, since this
    runs for every leaf in a list: one shared closure calling a check would add
    a call per value."""
    coerce = graphql_type.coerce_output_value
    null = _abandon if non_null else _none
    if graphql_type is GraphQLString or graphql_type is GraphQLID:
        def complete(value, run):
            if value.__class__ is str:
                return value
            if value is None:
                return null()
            return _coerced(coerce, value)
    elif graphql_type is GraphQLInt:
        def complete(value, run):
            if value.__class__ is int and INT_MIN <= value <= INT_MAX:
                return value
            if value is None:
                return null()
            return _coerced(coerce, value)
    elif graphql_type is GraphQLBoolean:
        def complete(value, run):
            if value.__class__ is bool:
                return value
            if value is None:
                return null()
            return _coerced(coerce, value)
    else:
        def complete(value, run):
            return null() if value is None else _coerced(coerce, value)
    return complete


def _object(plan: ObjectPlan, non_null: bool = False):
    """Completion of an object by its plan (of a non-null object: a null abandons).
    A plan's result is never null."""
    null = _abandon if non_null else _none

    def complete(value, run):
        return null() if value is None else plan.run(value, run)
    return complete


def _none():
    return None


def _abandon():
    raise _Abandon()


def _coerced(coerce, value):
    try:
        out = coerce(value)
    except Exception as exc:
        raise _Abandon() from exc
    if out is None or out is Undefined:
        raise _Abandon()
    return out


class Compiler:
    """Builds plans for one schema and one document (its fragments)."""

    def __init__(self, schema, fragments: dict, variable_values) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variable_values = variable_values
        # (variable name, value) pairs the selection depended on (@skip/@include).
        self.assumed: dict[str, Any] = {}

    def object_plan(self, object_type: GraphQLObjectType, nodes: list[FieldNode]) -> ObjectPlan:
        if object_type.name.startswith("__"):
            raise Unsupported("introspection")
        grouped: dict[str, list[FieldNode]] = {}
        for node in nodes:
            if node.selection_set is not None:
                self.collect(object_type, node.selection_set, grouped, set())
        fields = []
        for key, field_nodes in grouped.items():
            first = field_nodes[0]
            name = first.name.value
            if name == "__typename":
                fields.append((TYPENAME, NO_SHORTCUT, key, None, None, None))
                continue
            if name.startswith("__"):
                raise Unsupported("introspection")
            field_def = object_type.fields.get(name)
            if field_def is None:
                raise Unsupported(f"unknown field {object_type.name}.{name}")
            if not getattr(field_def.resolve, "direct", False):
                raise Unsupported(f"{object_type.name}.{name}")
            fields.append(_field(key, field_def, first,
                                 self.value_plan(field_def.type, field_nodes)))
        return ObjectPlan(object_type.name, fields)

    def value_plan(self, graphql_type, nodes: list[FieldNode]):
        """Completion of a field's value. The common shapes (a non-null object or
        leaf, a list of them) get one closure each rather than one per wrapping
        type: this runs for every object and list item of a response, and each
        closure call costs as much as the check it makes."""
        if isinstance(graphql_type, GraphQLNonNull):
            inner_type = graphql_type.of_type
            if is_leaf_type(inner_type):
                return _leaf(inner_type, non_null=True)
            if is_object_type(inner_type):
                return _object(self.object_plan(inner_type, nodes), non_null=True)
            inner = self.value_plan(inner_type, nodes)

            def complete(value, run):
                out = inner(value, run)
                if out is None:
                    raise _Abandon()
                return out
            return complete
        if isinstance(graphql_type, GraphQLList):
            return self._list(graphql_type.of_type, nodes)
        if is_leaf_type(graphql_type):
            return _leaf(graphql_type)
        if is_object_type(graphql_type):
            return _object(self.object_plan(graphql_type, nodes))
        if is_abstract_type(graphql_type):
            return self._abstract(graphql_type, nodes)
        raise Unsupported(f"type {graphql_type}")

    def _list(self, item_type, nodes: list[FieldNode]):
        """Completion of a list: non-null objects and strings, the lists of our
        types, are checked in the comprehension itself."""
        if isinstance(item_type, GraphQLNonNull) and is_object_type(item_type.of_type):
            plan = self.object_plan(item_type.of_type, nodes)

            def complete(value, run):
                if value is None:
                    return None
                if value.__class__ is not list and value.__class__ is not tuple:
                    raise _Abandon()
                produce = plan.run  # read once a list: it is swapped when written out
                return [produce(item, run) if item is not None else _abandon()
                        for item in value]
            return complete
        inner = self.value_plan(item_type, nodes)
        if isinstance(item_type, GraphQLNonNull) and item_type.of_type in (GraphQLString,
                                                                             GraphQLID):
            def complete(value, run):
                if value is None:
                    return None
                if value.__class__ is not list and value.__class__ is not tuple:
                    raise _Abandon()
                return [item if item.__class__ is str else inner(item, run) for item in value]
            return complete

        def complete(value, run):
            if value is None:
                return None
            if value.__class__ is not list and value.__class__ is not tuple:
                raise _Abandon()
            return [inner(item, run) for item in value]
        return complete

    def _abstract(self, abstract_type, nodes: list[FieldNode]):
        plans: dict[str, ObjectPlan] = {}
        for possible in self.schema.get_possible_types(abstract_type):
            plans[possible.name] = self.object_plan(possible, nodes)

        def complete(value, run):
            if value is None:
                return None
            definition = getattr(value.__class__, "__strawberry_definition__", None)
            plan = plans.get(definition.name) if definition is not None else None
            if plan is None:
                raise _Abandon()
            return plan.run(value, run)
        return complete

    # -- CollectFields, as the spec defines it -------------------------------------

    def collect(self, object_type, selection_set, grouped: dict, visited: set) -> None:
        """Add the fields of ``selection_set`` that apply to ``object_type`` to
        ``grouped`` (response key -> field nodes), as the spec's CollectFields."""
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if selection.type_condition is None or does_fragment_condition_match(
                        self.schema, selection, object_type):
                    self.collect(object_type, selection.selection_set, grouped, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in visited:
                    continue
                visited.add(name)
                fragment = self.fragments.get(name)
                if fragment is None:
                    raise Unsupported(f"unknown fragment {name}")
                if selection.arguments:
                    raise Unsupported("fragment arguments")
                if does_fragment_condition_match(self.schema, fragment, object_type):
                    self.collect(object_type, fragment.selection_set, grouped, visited)

    def _included(self, node) -> bool:
        if not node.directives:
            return True
        for directive in node.directives:
            name = directive.name.value
            if name in ("defer", "stream"):
                raise Unsupported(f"@{name}")
            if name in ("skip", "include"):
                for argument in directive.arguments:
                    if isinstance(argument.value, VariableNode):
                        variable = argument.value.name.value
                        self.assumed[variable] = self.variable_values.coerced.get(variable)
        skip = get_directive_values(GraphQLSkipDirective, node, self.variable_values)
        if skip is not None and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variable_values)
        return not (include is not None and include.get("if") is False)
