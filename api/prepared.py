"""Executing a valid query document past Strawberry's per-request steps.

For every request, Strawberry's ``execute`` builds an execution context and the
schema's four extensions (the token limit, the parse cache of api.documents,
the validation rules, the validation cache of api.validation_cache), and runs
its parse and validation steps through their hooks, before graphql-core
executes. For a document the endpoint has parsed (with the token limit) and
the validation cache holds as valid, each of those steps only looks up what it
found the first time; for one api.quick_validation proves valid, the
validation step would only run that same proof. So such a document, when the
request names a query operation it holds, runs from its root fields' plans
(api.root_fields), or else goes straight to graphql-core's ``execute`` with the
arguments Strawberry would pass: the same execution context class (compiled
plans), variables, operation name and context.
Measured in process for the benchmark's ``article(slug)``: 0.74 ms through
Strawberry, 0.66 ms this way; for it as a text not seen before, 1.29 ms
through Strawberry's steps, 1.22 ms this way (``python -m bench.inprocess``).

Anything else takes Strawberry's way: a document the proof does not cover
(graphql-core's rules then validate it) or that failed validation, one whose
operation name matches nothing, a mutation, and any request when compiled
execution is off (the reference the differential tests compare with).
tests/api/test_prepared.py compares the answers with Strawberry's byte for
byte, errors included.
"""

from __future__ import annotations

import logging
from typing import Any, Iterable

from graphql import DocumentNode, ExecutionResult, GraphQLError, OperationType, execute
from graphql.execution import MiddlewareManager
from graphql.utilities import get_operation_ast
from strawberry.execution import optimized_is_awaitable
from strawberry.schema._graphql_core import execution_context_class_kwargs

from api import root_fields
from api.config import Settings
from api.schema import ContentSchema
from api.validation_cache import proves_unseen

log = logging.getLogger("content_api")


async def execute_request(schema: ContentSchema, settings: Settings, query: str,
                          variables: dict | None, operation_name: str | None, context: Any,
                          allowed: Iterable) -> ExecutionResult:
    """The result of executing a request whose document the endpoint parsed
    (``context.document``): a proven one past Strawberry's steps, anything else
    through Strawberry's ``execute``. Should the proven way raise, the answer is
    what Strawberry makes of an exception raised while executing: that one error,
    and no data."""
    try:
        return await _execute(schema, settings, query, variables, operation_name, context,
                              allowed)
    finally:
        context.loaders.release()  # the response is built: its rows and objects can go


async def _execute(schema: ContentSchema, settings: Settings, query: str,
                   variables: dict | None, operation_name: str | None, context: Any,
                   allowed: Iterable) -> ExecutionResult:
    kept = schema.introspection.get(query, operation_name, variables)
    if kept is not None:  # the schema's own description: the same whatever the content
        context.execution.remembered = True
        return ExecutionResult(kept, None)
    if settings.compiled_execution and proven(schema, context, query, operation_name,
                                              settings.max_tokens):
        try:
            result = await execute_proven(schema, context.document, variables,
                                          operation_name, context)
        except Exception as exc:
            log.warning("request %s: proven execution raised", context.request_id,
                        exc_info=True)
            error = exc if isinstance(exc, GraphQLError) else GraphQLError(
                str(exc), original_error=exc)
            return ExecutionResult(None, [error])
    else:
        result = await schema.execute(query, variable_values=variables, context_value=context,
                                      operation_name=operation_name,
                                      allowed_operation_types=allowed)
    if result.errors is None and result.data is not None and \
            isinstance(context.document, DocumentNode) and not context.execution.by_root_fields:
        schema.introspection.keep(context.document, query, operation_name, variables,
                                  result.data)
    return result


def proven(schema: ContentSchema, context: Any, query: str, operation_name: str | None,
           max_tokens: int | None) -> bool:
    """Whether the request's document (the endpoint's parse of ``query``) names a query
    operation and is valid: held valid by the validation cache, or proven valid now
    (api.validation_cache). Records in ``context`` whether the parser cache keeps it,
    as api.documents.DocumentCache would have. False: Strawberry's steps then report
    why, or validate it fully."""
    document = context.document
    if not isinstance(document, DocumentNode):
        return False
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return False
    context.document_kept = schema.documents.keeps(document, query, max_tokens=max_tokens)
    if context.document_kept:
        entry = schema.validated.get(id(document))
        if entry is not None and entry[0] is document:
            return not entry[1]
    return proves_unseen(schema, document, context)


async def execute_proven(schema: ContentSchema, document: DocumentNode,
                         variables: dict | None, operation_name: str | None,
                         context: Any) -> ExecutionResult:
    """The execution of a proven document: from its root fields' plans
    (api.root_fields), else by graphql-core, as Strawberry would start it."""
    result = await root_fields.execute(schema._schema, document, variables, operation_name,
                                       context)
    if result is not None:
        return result
    result = execute(
        schema._schema, document, root_value=None, middleware=MiddlewareManager(),
        variable_values=variables, operation_name=operation_name, context_value=context,
        is_awaitable=optimized_is_awaitable, operation_extensions=None,
        **execution_context_class_kwargs(schema.execution_context_class))
    if optimized_is_awaitable(result):
        result = await result
    return result
