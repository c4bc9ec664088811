"""A query's root fields run past graphql-core's executor, their objects from plans.

api.compiled runs every object below the root from a plan, but the root fields
themselves still went through graphql-core's ``execute``: an executor and an
incremental-delivery context built for each request, the root fields collected,
each one's resolver wrapped, awaited and completed through the general
machinery before the plan of its object took over. For the benchmark's
``article(slug)`` that was about 60 µs of a 0.52 ms execution (in process).

Here a proven query document (api.prepared) has its root fields collected as
the spec says (api.plans), each one's arguments coerced by graphql-core, its
resolver (Strawberry's, with its argument conversion and extensions) called with
the info graphql-core would give it, and its value completed from the plan of
its object (api.compiled.plan_for, the same plans and caches). Only what this
module fully takes is run here: objects, objects of an interface or union, and
lists of them. Anything else, and anything unexpected while running (variables
that do not coerce, an argument refused, a resolver raising, a null where the
schema says non-null, an object without a plan), gives ``None``, and
graphql-core executes the whole operation as before: resolvers only read, so
running them again is harmless, and every error is graphql-core's own.
tests/api/test_compiled.py compares the answers with graphql-core's, byte for
byte, over written and generated operations.
"""

from __future__ import annotations

import asyncio
from typing import Any

from graphql import (DocumentNode, ExecutionResult, FragmentDefinitionNode, GraphQLList,
                     GraphQLNonNull, GraphQLResolveInfo, is_abstract_type, is_object_type)
from graphql.execution.collect_fields import FieldDetails
from graphql.execution.values import get_argument_values, get_variable_values
from graphql.pyutils import Path
from graphql.utilities import get_operation_ast
from strawberry.execution import optimized_is_awaitable

from api import compiled
from api.plans import Compiler, ObjectPlan, Unsupported, _Run


_TYPENAME = object()  # the "type" of __typename: its value is complete


class _NotTaken(Exception):
    """Something only graphql-core's executor should answer."""


async def execute(schema, document: DocumentNode, variables: dict | None,
                  operation_name: str | None, context: Any) -> ExecutionResult | None:
    """The result of a proven query run from its root fields' plans, or None when
    graphql-core should execute it."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.directives:
        return None
    definitions = document.definitions
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    if any(fragment.variable_definitions for fragment in fragments.values()):
        return None  # fragment arguments: graphql-core's experimental syntax
    variable_values = get_variable_values(schema, operation.variable_definitions or (),
                                          variables or {})
    if isinstance(variable_values, list):  # errors: graphql-core reports them
        return None
    query_type = schema.query_type
    grouped: dict[str, list] = {}
    try:
        Compiler(schema, fragments, variable_values).collect(
            query_type, operation.selection_set, grouped, set())
    except Unsupported:
        return None
    root = _Root(schema, fragments, variable_values, operation, context)
    try:
        data = await root.fields(grouped)
    except Exception:  # noqa: BLE001 - _NotTaken, or an error graphql-core reports
        return None
    compiled.note_compiled(context, root.objects)
    return ExecutionResult(data, None)


class _Root:
    """One execution's root: what each root field's resolver and plan need."""

    def __init__(self, schema, fragments: dict, variable_values, operation, context) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variable_values = variable_values
        self.operation = operation
        self.context = context
        self.plans = compiled.plans_for(context)
        self.run = _Run(context, variable_values)
        self.objects = 0  # produced by plans; counted once every root field is done

    async def fields(self, grouped: dict[str, list]) -> dict:
        """The root fields' values, by response key. Every resolver is called
        before any is awaited, and those that wait are awaited together, as
        graphql-core runs a query's root fields: loads of several fields then
        share one batch (``a: node(id: ...) b: nodes(ids: ...)``, one SELECT)."""
        data: dict[str, Any] = {}
        waiting = []
        try:
            for key, nodes in grouped.items():
                field_type, value = self.resolve(key, nodes)
                if optimized_is_awaitable(value):
                    data[key] = None  # its place in the response's order
                    waiting.append((key, nodes, field_type, value))
                else:
                    data[key] = self.complete(field_type, nodes, value)
        except Exception:
            for entry in waiting:  # resolvers called, never to be awaited
                close = getattr(entry[3], "close", None)
                if close is not None:
                    close()
            raise
        values: list = []
        if len(waiting) == 1:
            values = [await waiting[0][3]]
        elif waiting:
            # Every one awaited to its end, failed or not: none is left running
            # while graphql-core executes the operation again.
            values = await asyncio.gather(*(entry[3] for entry in waiting),
                                          return_exceptions=True)
        for (key, nodes, field_type, _), value in zip(waiting, values):
            if isinstance(value, BaseException):
                raise _NotTaken from value
            data[key] = self.complete(field_type, nodes, value)
        return data

    def resolve(self, key: str, nodes: list) -> tuple[Any, Any]:
        """(the field's type, what its resolver returned, perhaps to be awaited)."""
        name = nodes[0].name.value
        query_type = self.schema.query_type
        if name == "__typename":
            return _TYPENAME, query_type.name
        field_def = query_type.fields.get(name)
        if field_def is None or field_def.resolve is None:  # introspection, or a default
            raise _NotTaken
        arguments = get_argument_values(field_def, nodes[0], self.variable_values)
        info = GraphQLResolveInfo(
            name, nodes, field_def.type, query_type, Path(None, key, query_type.name),
            self.schema, self.fragments, None, self.operation, self.variable_values,
            self.context, optimized_is_awaitable, None, None)
        return field_def.type, field_def.resolve(None, info, **arguments)

    def complete(self, graphql_type, nodes: list, value) -> Any:
        if graphql_type is _TYPENAME:
            return value
        if isinstance(graphql_type, GraphQLNonNull):
            if value is None:
                raise _NotTaken
            return self.complete(graphql_type.of_type, nodes, value)
        if value is None:
            return None
        if isinstance(graphql_type, GraphQLList):
            if value.__class__ is not list and value.__class__ is not tuple:
                raise _NotTaken
            return [self.complete(graphql_type.of_type, nodes, item) for item in value]
        if is_abstract_type(graphql_type):
            definition = getattr(value.__class__, "__strawberry_definition__", None)
            runtime = self.schema.get_type(definition.name) if definition is not None else None
            if runtime is None or not self.schema.is_sub_type(graphql_type, runtime):
                raise _NotTaken
            return self.object(runtime, nodes, value)
        if is_object_type(graphql_type):
            return self.object(graphql_type, nodes, value)
        raise _NotTaken  # a leaf at the root: none in this schema

    def object(self, object_type, nodes: list, value) -> dict:
        plan = compiled.plan_for(self.schema, self.fragments, self.variable_values, object_type,
                                 [FieldDetails(node, None) for node in nodes], self.plans)
        if not isinstance(plan, ObjectPlan):
            raise _NotTaken
        out = plan.run(value, self.run)
        self.objects += 1
        return out

