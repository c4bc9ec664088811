"""Direct resolvers for the content types: the same functions, without per-field wrapping.

Strawberry wraps every field in a generic resolver that builds an ``Info``,
converts arguments and runs field extensions. For the content types none of
that is needed: plain fields read an attribute, and the methods take only
``info`` (used for ``info.context``) and simple scalar/enum arguments. On a
nested ``articles(first: 100)`` that wrapping was most of the CPU time, so
after the schema is built this module points those fields straight at the
same Python functions. The schema (SDL, validation, defaults) is unchanged;
graphql-core still coerces arguments and fills in their defaults.
"""

from __future__ import annotations

import inspect
from enum import Enum
from operator import attrgetter
from typing import Any, Callable

from graphql import GraphQLObjectType

BACKREF = "strawberry-definition"
# Arguments a direct resolver takes as graphql-core hands them over (coerced,
# defaults filled): an enum (``format``) or an Int the function checks itself
# (``length``, and ``related``'s ``first``, whose error then abandons the plan
# and graphql-core reports it). Before ``first`` was here, an article page
# asking for ``related`` had its article completed by graphql-core: 832 µs
# against 701 µs from a plan (in process, best of 7 × 300).
SIMPLE_ARGUMENTS = {"format", "length", "first"}


def _enum_arguments(definition) -> dict[str, type[Enum]]:
    """Arguments whose Python type is an Enum: graphql-core hands us their raw values."""
    out = {}
    for argument in definition.arguments:
        annotation = argument.type
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            out[argument.python_name] = annotation
    return out


def _direct(definition) -> Callable[..., Any] | None:
    """A graphql-core resolver calling the field's own function, or None when unsafe."""
    if definition.extensions or getattr(definition, "permission_classes", None):
        return None
    if definition.base_resolver is None:
        getter = attrgetter(definition.python_name)
        resolve = _mark(lambda source, info: getter(source))
        resolve.getter, resolve.attribute = getter, definition.python_name
        return resolve
    resolver = definition.base_resolver
    names = {a.python_name for a in definition.arguments}
    if not names <= SIMPLE_ARGUMENTS:
        return None
    func = resolver.wrapped_func
    wants_info = "info" in inspect.signature(func).parameters
    enums = _enum_arguments(definition)

    def resolve(source, info, **kwargs):
        kwargs = python_arguments(enums, kwargs)
        if wants_info:
            return func(source, info, **kwargs)
        return func(source, **kwargs)

    resolve.func, resolve.wants_info, resolve.enums = func, wants_info, enums
    return _mark(resolve)


def python_arguments(enums: dict[str, type[Enum]], kwargs: dict) -> dict:
    """Arguments as the field's function takes them: enum arguments as members."""
    for name, enum in enums.items():
        value = kwargs.get(name)
        if value is not None and not isinstance(value, enum):
            kwargs[name] = enum(value)
    return kwargs


def _mark(resolve: Callable[..., Any]) -> Callable[..., Any]:
    """Direct resolvers need only ``info.context`` and run synchronously, so compiled
    plans (api.compiled) may call them."""
    resolve.direct = True
    return resolve


def install(schema, type_names: set[str]) -> int:
    """Replace the resolvers of the fields of ``type_names``; returns how many were replaced."""
    replaced = 0
    for name, graphql_type in schema._schema.type_map.items():
        if name not in type_names or not isinstance(graphql_type, GraphQLObjectType):
            continue
        for field in graphql_type.fields.values():
            definition = (field.extensions or {}).get(BACKREF)
            if definition is None:
                continue
            resolver = _direct(definition)
            if resolver is not None:
                field.resolve = resolver
                replaced += 1
    return replaced
