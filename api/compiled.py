"""Compiled execution: object subtrees run from a cached plan, past graphql-core's per-field executor.

graphql-core completes every field of every object through the same general
machinery: a resolve-info object, a path entry, argument coercion, awaitable
checks, error handling. For a nested ``articles(first: 100)`` that is most of
the time. Our content types need none of it below the root: their resolvers
are plain synchronous functions (api.fast), reading families already loaded.

So when graphql-core is about to complete an object, this execution context
looks up a plan for that object's selection (compiled once, cached by the
identity of the document's field nodes, which the parser cache keeps alive) and
runs it: resolve each field, coerce leaves, recurse, build the dicts directly.
Strawberry stays the source of truth: it parses, validates and enforces the
limits, runs the root fields, and completes whatever has no plan.

Correctness by construction where it matters most: a plan never reports an
error itself. Anything unexpected while running one (a resolver raising, a
null in a non-null field, a value of the wrong type) abandons the plan's result
and completes the same object through graphql-core, which then produces
exactly its own errors. Resolvers only read, so running one twice is harmless.
The one exception is the time limit: a request past its deadline stops at
once (the endpoint answers TIMEOUT alone, wherever it was raised).
tests/api/test_compiled.py checks byte-identical responses over thousands of
generated operations.
"""

from __future__ import annotations

import weakref
from collections import Counter
from typing import Any

from graphql import (GraphQLBoolean, GraphQLID, GraphQLInt, GraphQLList, GraphQLNonNull,
                     GraphQLObjectType, GraphQLSkipDirective, GraphQLIncludeDirective,
                     GraphQLString, FieldNode, FragmentSpreadNode, InlineFragmentNode,
                     VariableNode, is_abstract_type, is_leaf_type, is_object_type)
from graphql.execution.collect_fields import does_fragment_condition_match
from graphql.execution.values import VariableValues, get_argument_values, get_directive_values
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api import fast
from api.errors import TIMEOUT, ApiError
from api.cache import LRU
from api.documents import document_kept

_INT_MIN, _INT_MAX = -(2 ** 31), 2 ** 31 - 1


class Unsupported(Exception):
    """A selection the compiler does not take; the message names the construct."""


class _Abandon(Exception):
    """Running a plan met something only graphql-core should answer (an error)."""


class _Info:
    """What direct resolvers read from ``info``: the request's context, nothing else."""

    __slots__ = ("context",)

    def __init__(self, context) -> None:
        self.context = context


# -- statistics --------------------------------------------------------------------


class ExecutionStats:
    """How requests were executed, for /healthz: compiled throughout, partly, or not at
    all, and which constructs sent objects back to graphql-core."""

    def __init__(self) -> None:
        self.compiled = self.partial = self.standard = 0
        self.fallbacks: Counter[str] = Counter()

    def record(self, compiled: int, fallbacks: set[str]) -> None:
        if compiled and not fallbacks:
            self.compiled += 1
        elif compiled:
            self.partial += 1
        else:
            self.standard += 1
        self.fallbacks.update(fallbacks)

    def as_dict(self) -> dict:
        return {"compiled": self.compiled, "partial": self.partial, "standard": self.standard,
                "fallbacks": dict(self.fallbacks.most_common(10))}


STATS = ExecutionStats()


# -- plans -------------------------------------------------------------------------


# How a plan produces one field of an object (the first item of its tuple).
TYPENAME, ATTRIBUTE, CALL_WITH_INFO, CALL, VARIABLE_ARGUMENTS = range(5)
# Leaf values passed through as they are, without a call (the second item).
NO_SHORTCUT, STRING, INT, BOOLEAN = range(4)


class ObjectPlan:
    """The fields to produce for one object type and one merged selection.

    Each field is a tuple (how, shortcut, key, function, arguments, complete),
    read in one loop: a plan runs once per object, so every call saved per
    field counts."""

    __slots__ = ("type_name", "fields")

    def __init__(self, type_name: str, fields: list[tuple]) -> None:
        self.type_name = type_name
        self.fields = fields

    def run(self, source, run: "_Run") -> dict:
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
                if value.__class__ is int and _INT_MIN <= value <= _INT_MAX:
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
    if getter is not None:
        return ATTRIBUTE, shortcut, key, getter, None, complete
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


def _leaf(graphql_type):
    """Completion of a leaf value. The common scalars get a closure each, with
    their type check written out, since this runs for every leaf in a list:
    one shared closure calling a check would add a call per value."""
    coerce = graphql_type.coerce_output_value
    if graphql_type is GraphQLString or graphql_type is GraphQLID:
        def complete(value, run):
            if value is None:
                return None
            if value.__class__ is str:
                return value
            return _coerced(coerce, value)
    elif graphql_type is GraphQLInt:
        def complete(value, run):
            if value is None:
                return None
            if value.__class__ is int and _INT_MIN <= value <= _INT_MAX:
                return value
            return _coerced(coerce, value)
    elif graphql_type is GraphQLBoolean:
        def complete(value, run):
            if value is None:
                return None
            if value.__class__ is bool:
                return value
            return _coerced(coerce, value)
    else:
        def complete(value, run):
            return None if value is None else _coerced(coerce, value)
    return complete


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
                self._collect(object_type, node.selection_set, grouped, set())
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
        if isinstance(graphql_type, GraphQLNonNull):
            inner = self.value_plan(graphql_type.of_type, nodes)

            def complete(value, run):
                out = inner(value, run)
                if out is None:
                    raise _Abandon()
                return out
            return complete
        if isinstance(graphql_type, GraphQLList):
            inner = self.value_plan(graphql_type.of_type, nodes)

            def complete(value, run):
                if value is None:
                    return None
                if value.__class__ is not list and value.__class__ is not tuple:
                    raise _Abandon()
                return [inner(item, run) for item in value]
            return complete
        if is_leaf_type(graphql_type):
            return _leaf(graphql_type)
        if is_object_type(graphql_type):
            plan = self.object_plan(graphql_type, nodes)

            def complete(value, run):
                return None if value is None else plan.run(value, run)
            return complete
        if is_abstract_type(graphql_type):
            return self._abstract(graphql_type, nodes)
        raise Unsupported(f"type {graphql_type}")

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

    def _collect(self, object_type, selection_set, grouped: dict, visited: set) -> None:
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if selection.type_condition is None or does_fragment_condition_match(
                        self.schema, selection, object_type):
                    self._collect(object_type, selection.selection_set, grouped, visited)
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
                    self._collect(object_type, fragment.selection_set, grouped, visited)

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


# Plans across requests: (type name, ids of the field nodes) -> [(assumptions, plan or
# the reason it has none), ...]. Each entry keeps its nodes alive, so an id is never
# reused for another node while its plan is cached. A document of the benchmark's
# size has about ten entries, and an entry with the document it keeps alive weighs
# about 80 KB: 512 entries hold the plans of some fifty documents, the operations of
# a typical app. Only documents the parser cache keeps are planned into it (from
# their second sight, api.documents), so a flood of unseen texts adds nothing.
# Measured with 3,000 unseen texts, before that admission, one worker's peak RSS:
# 437 MB with 4,096 entries, 141 MB with 512, 114 MB without compiled execution.
_PLANS: LRU[list] = LRU(512)
_MAX_VARIANTS = 8  # plans per selection that differ by @skip/@include variables


class ExecutionPlans(dict):
    """The plans of a document the parser cache does not keep (api.documents): cached
    for its one execution only, where every item of a list reuses them."""

    def put(self, key, value) -> None:
        self[key] = value


class SelectionPlans:
    """Plans of documents the parser cache does not keep, shared by the text of
    the selections they were compiled from.

    A text the server has not seen often differs from one it has only outside
    the selections below its root fields: another literal argument
    (``article(slug: "...")``, as a client writes when it builds its query
    text), another operation name or alias, a comment. A plan depends only on
    the object type, the selection's text and the document's fragments (its
    variables are read when it runs, and the @skip/@include values it assumed
    are checked), so such a text reuses the plan instead of compiling it
    again. A selection is kept from its second sight, as documents are: a
    flood of texts that share nothing keeps nothing.
    """

    def __init__(self, size: int = 256, remembered: int = 4096) -> None:
        self.kept: LRU[list] = LRU(size)  # key -> [(assumed, plan), ...]
        self.seen: LRU[bool] = LRU(remembered)  # hashes of keys seen once

    @staticmethod
    def key(object_type, nodes: list[FieldNode], fragments: dict) -> tuple | None:
        """(type name, the selections' texts, the fragments' texts), or None for a
        document parsed without locations."""
        texts = []
        for node in nodes:
            loc = node.selection_set.loc if node.selection_set is not None else None
            if loc is None:
                return None
            texts.append(loc.source.body[loc.start:loc.end])
        named = []
        for name, fragment in sorted(fragments.items()):
            if fragment.loc is None:
                return None
            named.append(fragment.loc.source.body[fragment.loc.start:fragment.loc.end])
        return object_type.name, tuple(texts), tuple(named)

    def get(self, key: tuple, coerced: dict) -> ObjectPlan | Unsupported | None:
        for assumed, plan in self.kept.get(key) or ():
            if all(coerced.get(name) == value for name, value in assumed.items()):
                return plan
        return None

    def offer(self, key: tuple, assumed: dict, plan: ObjectPlan | Unsupported) -> None:
        variants = self.kept.get(key)
        if variants is None:
            digest = hash(key)
            if not self.seen.get(digest):
                self.seen.put(digest, True)
                return
            variants = []
            self.kept.put(key, variants)
        if len(variants) < _MAX_VARIANTS:
            variants.append((assumed, plan))


# One SelectionPlans per schema: a process may serve several (tests do), and a
# plan holds its schema's resolvers.
_BY_SELECTION: "weakref.WeakKeyDictionary[Any, SelectionPlans]" = weakref.WeakKeyDictionary()


def selection_plans(schema) -> SelectionPlans:
    found = _BY_SELECTION.get(schema)
    if found is None:
        found = _BY_SELECTION[schema] = SelectionPlans()
    return found


def plan_for(schema, fragments, variable_values, object_type, field_details_list,
             plans: LRU | ExecutionPlans = _PLANS) -> ObjectPlan | Unsupported:
    """The plan for one object's selection, from ``plans`` or compiled into it:
    the cache across requests, or one execution's own (which first looks for
    the same selection among SelectionPlans)."""
    for details in field_details_list:
        if details.defer_usage is not None or details.fragment_variable_values is not None:
            return Unsupported("@defer or fragment variables")
    nodes = [details.node for details in field_details_list]
    key = (object_type.name, tuple(map(id, nodes)))
    variants = plans.get(key)
    coerced = variable_values.coerced if variable_values is not None else {}
    if variants is not None:
        for _nodes, assumed, plan in variants:
            if all(coerced.get(name) == value for name, value in assumed.items()):
                return plan
    shared = selection_plans(schema) if isinstance(plans, ExecutionPlans) else None
    text_key = shared.key(object_type, nodes, fragments) if shared is not None else None
    found = shared.get(text_key, coerced) if text_key is not None else None
    if found is not None:
        plans.put(key, [(nodes, {}, found)])  # its assumptions hold for this execution
        return found
    compiler = Compiler(schema, fragments, variable_values)
    try:
        plan: ObjectPlan | Unsupported = compiler.object_plan(object_type, nodes)
    except Unsupported as exc:
        plan = exc
    except Exception as exc:  # a compiler bug must cost speed, never an answer
        plan = Unsupported(f"compiler error: {type(exc).__name__}")
    if variants is None:
        variants = []
        plans.put(key, variants)
    if len(variants) < _MAX_VARIANTS:
        variants.append((nodes, compiler.assumed, plan))
    if text_key is not None:
        shared.offer(text_key, compiler.assumed, plan)
    return plan


class CompiledExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, completing objects from compiled plans."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._run: _Run | None = None
        self._plans: LRU | ExecutionPlans | None = None

    def complete_object_value(self, return_type, field_details_list, info, path, result,
                              position_context):
        context = self.context_value
        if self._plans is None:
            self._plans = _PLANS if document_kept(context) else ExecutionPlans()
        plan = plan_for(self.schema, self.fragment_definitions, self.variable_values,
                        return_type, field_details_list, self._plans)
        if isinstance(plan, ObjectPlan):
            if self._run is None:
                self._run = _Run(context, self.variable_values)
            try:
                out = plan.run(result, self._run)
            except ApiError as exc:
                if exc.code == TIMEOUT:  # past the deadline: no second attempt, stop here
                    raise
                _note(context, None, "error while running a plan")
            except Exception:  # graphql-core answers it, with its own errors
                _note(context, None, "error while running a plan")
            else:
                _note(context, 1, None)
                return out
        else:
            _note(context, None, str(plan))
        return super().complete_object_value(return_type, field_details_list, info, path,
                                             result, position_context)


def _note(context, compiled: int | None, fallback: str | None) -> None:
    execution = getattr(context, "execution", None)
    if execution is None:
        return
    if compiled:
        execution.compiled += compiled
    if fallback:
        execution.fallbacks.add(fallback)
