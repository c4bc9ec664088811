"""A query's root fields run past graphql-core's executor, their objects from plans.

api.compiled runs every object below the root from a plan, but the root fields
themselves still went through graphql-core's ``execute``: an executor and an
incremental-delivery context built for each request, the root fields collected,
each one's resolver wrapped, awaited and completed through the general
machinery before the plan of its object took over. For the benchmark's
``article(slug)`` that was about 7 % of its time in process: 2.01, 1.97 and 1.99×
the data floor before, 1.86, 1.86 and 1.82× after (bench.inprocess, three runs
alternated).

Here a proven query document (api.prepared) has its root fields collected as
the spec says (api.plans), the plans of the object types they return found
first (api.compiled.plan_for, the same plans and caches; those of an interface
or union once a value shows its type), then each field's arguments coerced by
graphql-core, its resolver (Strawberry's, with its argument conversion and
extensions) called with the info graphql-core would give it, and its value
completed from those plans.

What it does not take is known before any resolver runs, and graphql-core
executes the operation as before: introspection, a type that is not an object,
an interface or union, or a list of them, an object type without a plan,
variables that do not coerce. What goes wrong while running (an argument a
resolver refuses, a resolver raising, a null where the schema says non-null, a
value of an interface whose type has no plan, a plan running into an error)
also hands the operation to graphql-core, with a fresh
start (api.loaders.Context.restart), so that its answer and errors are exactly
those it gives alone: resolvers only read, and running them again costs only
time, on a request that has an error to report. A request past its deadline
stops at once instead (the endpoint answers TIMEOUT alone).
tests/api/test_compiled.py compares the answers with graphql-core's, byte for
byte, over written and generated operations; tests/api/test_root_fields.py
checks which requests are taken.
"""

from __future__ import annotations

import asyncio
from typing import Any

from graphql import (DocumentNode, ExecutionResult, FragmentDefinitionNode, GraphQLError,
                     GraphQLList, GraphQLNonNull, GraphQLResolveInfo, is_abstract_type,
                     is_object_type)
from graphql.execution.collect_fields import FieldDetails
from graphql.execution.values import get_argument_values, get_variable_values
from graphql.pyutils import Path
from graphql.utilities import get_operation_ast
from strawberry.execution import optimized_is_awaitable

from api import compiled, errors
from api.plans import Compiler, ObjectPlan, Unsupported, _Run


class _NotTaken(Exception):
    """Something only graphql-core's executor should answer."""


async def execute(schema, document: DocumentNode, variables: dict | None,
                  operation_name: str | None, context: Any) -> ExecutionResult | None:
    """The result of a proven query run from its root fields' plans, or None when
    graphql-core should execute it."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.directives:
        return None
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    if any(fragment.variable_definitions for fragment in fragments.values()):
        return None  # fragment arguments: graphql-core's experimental syntax
    variable_values = get_variable_values(schema, operation.variable_definitions or (),
                                          variables or {})
    if isinstance(variable_values, list):  # errors: graphql-core reports them
        return None
    root = _Root(schema, fragments, variable_values, operation, context)
    try:
        fields = root.fields(operation.selection_set)
    except (_NotTaken, Unsupported, GraphQLError):  # a bad @skip/@include: graphql-core's
        return None
    try:
        data = await root.run_fields(fields)
    except Exception as exc:  # noqa: BLE001 - graphql-core answers it
        cause = exc.__cause__ if isinstance(exc, _NotTaken) else exc
        if errors.is_timeout(cause):
            return ExecutionResult(None, [GraphQLError(str(cause), original_error=cause)])
        context.restart()  # graphql-core runs it again (a field error is named there)
        return None
    compiled.note_compiled(context, root.objects)
    context.execution.by_root_fields = True
    return ExecutionResult(data, None)


class _Field:
    """A root field to run: its response key, nodes (and their details for
    plan_for), definition and the plans of the object types of its values (by
    name; those of an interface or union as its values show them)."""

    __slots__ = ("key", "nodes", "definition", "plans", "details")

    def __init__(self, key: str, nodes: list, definition, plans: dict, details: list) -> None:
        self.key, self.nodes, self.definition = key, nodes, definition
        self.plans, self.details = plans, details


class _Root:
    """One execution's root: what each root field's resolver and plans need."""

    def __init__(self, schema, fragments: dict, variable_values, operation, context) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variable_values = variable_values
        self.operation = operation
        self.context = context
        self.run = _Run(context, variable_values)
        self.plans = compiled.plans_for(context)  # where plan_for finds and keeps plans
        self.objects = 0  # produced by plans; counted once every root field is done

    def fields(self, selection_set) -> list[_Field]:
        """The root fields in response order, each with its plans; _NotTaken when
        one of them is not for this module."""
        query_type = self.schema.query_type
        grouped: dict[str, list] = {}
        Compiler(self.schema, self.fragments, self.variable_values).collect(
            query_type, selection_set, grouped, set())
        out = []
        for key, nodes in grouped.items():
            name = nodes[0].name.value
            if name == "__typename":
                out.append(_Field(key, nodes, None, {}, []))
                continue
            definition = query_type.fields.get(name)
            if definition is None or definition.resolve is None:  # introspection, a default
                raise _NotTaken
            named = definition.type
            while isinstance(named, (GraphQLNonNull, GraphQLList)):
                named = named.of_type
            details = [FieldDetails(node, None) for node in nodes]
            if is_object_type(named):
                plan = compiled.plan_for(self.schema, self.fragments, self.variable_values,
                                         named, details, self.plans)
                if not isinstance(plan, ObjectPlan):
                    raise _NotTaken
                out.append(_Field(key, nodes, definition, {named.name: plan}, details))
            elif is_abstract_type(named):
                # Found for the object types the values turn out to be, as graphql-core
                # does: every type of an interface would be compiled and kept (five
                # for `node`) where a request needs one.
                out.append(_Field(key, nodes, definition, {}, details))
            else:
                raise _NotTaken  # a leaf at the root: none in this schema
        return out

    async def run_fields(self, fields: list[_Field]) -> dict:
        """The root fields' values, by response key. Every resolver is called
        before any is awaited, and those that wait are awaited together, as
        graphql-core runs a query's root fields: loads of several fields then
        share one batch (``a: node(id: ...) b: nodes(ids: ...)``, one SELECT)."""
        data: dict[str, Any] = {}
        waiting = []
        try:
            for field in fields:
                value = self.resolve(field)
                if optimized_is_awaitable(value):
                    data[field.key] = None  # its place in the response's order
                    waiting.append((field, value))
                else:
                    data[field.key] = self.complete(field, field.definition.type, value) \
                        if field.definition is not None else value
        except Exception:
            for _, value in waiting:  # resolvers called, never to be awaited
                close = getattr(value, "close", None)
                if close is not None:
                    close()
            raise
        values: list = []
        if len(waiting) == 1:
            values = [await waiting[0][1]]
        elif waiting:
            # Every one awaited to its end, failed or not: none is left running
            # while graphql-core executes the operation again.
            values = await asyncio.gather(*(value for _, value in waiting),
                                          return_exceptions=True)
        failed = [value for value in values if isinstance(value, BaseException)]
        if failed:  # a timeout among them first: it stops the request at once
            raise _NotTaken from next((f for f in failed if errors.is_timeout(f)), failed[0])
        for (field, _), value in zip(waiting, values):
            data[field.key] = self.complete(field, field.definition.type, value)
        return data

    def resolve(self, field: _Field) -> Any:
        """What the field's resolver returns, perhaps to be awaited."""
        query_type = self.schema.query_type
        if field.definition is None:
            return query_type.name  # __typename
        node = field.nodes[0]
        arguments = get_argument_values(field.definition, node, self.variable_values)
        info = GraphQLResolveInfo(
            node.name.value, field.nodes, field.definition.type, query_type,
            Path(None, field.key, query_type.name), self.schema, self.fragments, None,
            self.operation, self.variable_values, self.context, optimized_is_awaitable,
            None, None)
        return field.definition.resolve(None, info, **arguments)

    def complete(self, field: _Field, graphql_type, value) -> Any:
        if isinstance(graphql_type, GraphQLNonNull):
            if value is None:
                raise _NotTaken
            return self.complete(field, graphql_type.of_type, value)
        if value is None:
            return None
        if isinstance(graphql_type, GraphQLList):
            if value.__class__ is not list and value.__class__ is not tuple:
                raise _NotTaken
            return [self.complete(field, graphql_type.of_type, item) for item in value]
        if is_abstract_type(graphql_type):
            plan = self.runtime_plan(field, graphql_type, value)
        else:
            plan = field.plans.get(graphql_type.name)
        if plan is None:
            raise _NotTaken
        out = plan.run(value, self.run)
        self.objects += 1
        return out

    def runtime_plan(self, field: _Field, abstract_type, value) -> ObjectPlan | None:
        """The plan for a value of an interface or union, by its object type."""
        definition = getattr(value.__class__, "__strawberry_definition__", None)
        if definition is None:
            return None
        plan = field.plans.get(definition.name)
        if plan is None:
            object_type = self.schema.get_type(definition.name)
            if object_type is None or not self.schema.is_sub_type(abstract_type, object_type):
                return None
            plan = compiled.plan_for(self.schema, self.fragments, self.variable_values,
                                     object_type, field.details, self.plans)
            if not isinstance(plan, ObjectPlan):
                return None
            field.plans[definition.name] = plan
        return plan
