"""Compiled execution: object subtrees run from a cached plan, past graphql-core's per-field executor.

graphql-core completes every field of every object through the same general
machinery: a resolve-info object, a path entry, argument coercion, awaitable
checks, error handling. For a nested ``articles(first: 100)`` that is most of
the time. Our content types need none of it below the root: their resolvers
are plain synchronous functions (api.fast), reading families already loaded.

So when graphql-core is about to complete an object, this execution context
looks up a plan for that object's selection (compiled once by api.plans,
cached by the identity of the document's field nodes, which the parser cache
keeps alive, or by the selection's text) and runs it: resolve each field,
coerce leaves, recurse, build the dicts directly.
Strawberry stays the source of truth: it parses, validates and enforces the
limits, runs the root fields (api.root_fields runs those of a proven query
through the same resolvers), and completes whatever has no plan.

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

from graphql import FieldNode
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.cache import LRU, SecondSight
from api.documents import document_kept
from api.errors import TIMEOUT, ApiError, is_timeout
from api.plans import Compiler, ObjectPlan, Unsupported, _Run


# -- statistics --------------------------------------------------------------------


class ExecutionStats:
    """How requests were executed, for /healthz: from compiled plans throughout
    (api.root_fields answering, with or without objects), partly, or by graphql-core
    alone; introspection answered from memory (api.introspection); which constructs
    sent objects back to graphql-core; and how many ran out of time (counted apart:
    nothing finished them)."""

    def __init__(self) -> None:
        self.compiled = self.partial = self.standard = self.timed_out = self.remembered = 0
        self.fallbacks: Counter[str] = Counter()

    def record(self, result, execution) -> None:
        """Count an executed request: its result and its ExecutionRecord."""
        if result.errors and any(is_timeout(error.original_error) for error in result.errors):
            self.timed_out += 1
            return
        if result.data is None and not execution.fallbacks:
            return  # rejected before executing (an error raised, not met)
        if execution.remembered:
            self.remembered += 1
            return
        objects, fallbacks = execution.compiled, execution.fallbacks
        if not fallbacks and (objects or execution.by_root_fields):
            self.compiled += 1
            return  # Counter.update, even with nothing, checks its argument's type: 1 µs
        if objects:
            self.partial += 1
        else:
            self.standard += 1
        self.fallbacks.update(fallbacks)

    def note_timeout(self) -> None:
        self.timed_out += 1

    def as_dict(self) -> dict:
        return {"compiled": self.compiled, "partial": self.partial, "standard": self.standard,
                "introspectionFromMemory": self.remembered, "timedOut": self.timed_out,
                "fallbacks": dict(self.fallbacks.most_common(10))}


STATS = ExecutionStats()


# -- plans across requests ----------------------------------------------------------


# Plans across requests: (type name, ids of the field nodes) -> [(assumptions, plan or
# the reason it has none, the nodes), ...]. Each entry keeps its nodes alive, so an id
# is never reused for another node while its plan is cached. A document has an entry
# for each object graphql-core hands to this context: one per root field of an object
# type when its plan runs (the plans of nested objects are part of their parent's),
# more when graphql-core completes an object itself and hands over its children. An
# entry keeps its document alive (about 80 KB for the benchmark's), and its plan,
# usually shared (SelectionPlans), keeps the field nodes of the document it was
# compiled from. 512 entries, as many as the parser cache keeps documents. Only
# documents the parser cache keeps are planned into it (from their second sight,
# api.documents), so a flood of unseen texts adds nothing. A hit here does not
# refresh the selection in SelectionPlans: a selection may leave it meanwhile, and is
# compiled once more when one of its documents next misses here.
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
    """Plans shared by the text of the selections they were compiled from, by
    documents the parser cache keeps and by those it does not.

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
        self.seen = SecondSight(remembered)

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

    def get(self, key: tuple, coerced: dict) -> tuple | None:
        """The variant (assumed @skip/@include values, plan) whose assumptions
        hold for ``coerced``, or None."""
        return _matching(self.kept.get(key), coerced)

    def offer(self, key: tuple, assumed: dict, plan: ObjectPlan | Unsupported) -> None:
        variants = self.kept.get(key)
        if variants is None:
            if not self.seen.again(key):
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
    """The plan for one object's selection, from ``plans`` (the cache across
    requests, or one execution's own), else from SelectionPlans, else compiled;
    kept in ``plans`` either way."""
    for details in field_details_list:
        if details.defer_usage is not None or details.fragment_variable_values is not None:
            return Unsupported("@defer or fragment variables")
    nodes = [details.node for details in field_details_list]
    key = (object_type.name, tuple(map(id, nodes)))
    variants = plans.get(key)
    coerced = variable_values.coerced if variable_values is not None else {}
    found = _matching(variants, coerced)
    if found is not None:
        return found[1]
    # Kept documents look here too. An app whose texts differ by a literal slug
    # has as many documents as slugs read more than once: compiled one by one,
    # each had a plan of its own, run too seldom to be written out (api.plans),
    # and compiled again whenever its document came back after leaving the
    # caches. Texts read in turns took 0.67-0.73 ms each with 100 texts and 1.7-2.3
    # ms with 600 to 3,000, where one text took 0.53-0.56 and a text never seen 0.96;
    # sharing took them to 0.54-0.56 and 0.97-1.14 ms (in process, the last of four
    # rounds of python -m bench.texts_in_turns, two runs each way).
    shared = selection_plans(schema)
    text_key = shared.key(object_type, nodes, fragments)
    variant = shared.get(text_key, coerced) if text_key is not None else None
    if variant is not None:
        assumed, plan = variant
    else:
        compiler = Compiler(schema, fragments, variable_values)
        try:
            plan = compiler.object_plan(object_type, nodes)
        except Unsupported as exc:
            # Kept across requests: without its traceback, whose frames would keep
            # the request that compiled it (its context, every row it read) alive.
            plan = exc.with_traceback(None)
        except Exception as exc:  # a compiler bug must cost speed, never an answer
            plan = Unsupported(f"compiler error: {type(exc).__name__}")
        assumed = compiler.assumed
        if text_key is not None:
            shared.offer(text_key, assumed, plan)
    if variants is None:
        variants = []
        plans.put(key, variants)
    if len(variants) < _MAX_VARIANTS:
        variants.append((assumed, plan, nodes))
    return plan


def _matching(variants: list | None, coerced: dict) -> tuple | None:
    """The first variant (assumed @skip/@include values, plan, ...) whose
    assumptions hold for the request's variables."""
    for variant in variants or ():
        if all(coerced.get(name) == value for name, value in variant[0].items()):
            return variant
    return None


class CompiledExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, completing objects from compiled plans."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._run: _Run | None = None
        self._plans: LRU | ExecutionPlans | None = None
        # graphql-core hands resolvers two bound methods of this context, which it
        # keeps: a reference cycle, so that every execution (and the request
        # context it holds) waited for the garbage collector. Bound weakly, the
        # context is freed when graphql-core lets go of it; it is alive for as
        # long as any resolver can call them.
        helpers = self.async_helpers
        self.async_helpers = type(helpers)(gather=_weakly(self.gather_async_work),
                                           track=_weakly(self.track_async_work))

    def handle_field_error(self, raw_error, return_type, field_details_list, path) -> None:
        # Named for /healthz wherever graphql-core meets one (a resolver that raised, a
        # null where the schema says non-null); plans never report errors themselves.
        _note(self.context_value, None, "field error")
        super().handle_field_error(raw_error, return_type, field_details_list, path)

    def complete_object_value(self, return_type, field_details_list, info, path, result,
                              position_context):
        context = self.context_value
        if self._plans is None:
            self._plans = plans_for(context)
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
                note_compiled(context)
                return out
        else:
            _note(context, None, str(plan))
        return super().complete_object_value(return_type, field_details_list, info, path,
                                             result, position_context)


def plans_for(context) -> LRU | ExecutionPlans:
    """Where an execution finds and keeps its plans: across requests for a document
    the parser cache keeps, else for this request only (shared by its root fields,
    api.root_fields, and graphql-core should that module hand the request over)."""
    if document_kept(context):
        return _PLANS
    plans = getattr(context, "execution_plans", None)
    if plans is None:
        plans = ExecutionPlans()
        if hasattr(context, "execution_plans"):  # shared by api.root_fields and graphql-core
            context.execution_plans = plans
    return plans


def note_compiled(context, objects: int = 1) -> None:
    """Count objects (each with its subtree) produced by plans, for /healthz."""
    _note(context, objects, None)


def _weakly(method):
    """``method``, called through a weak reference to its object."""
    reference = weakref.WeakMethod(method)

    def call(*args, **kwargs):
        return reference()(*args, **kwargs)
    return call


def _note(context, compiled: int | None, fallback: str | None) -> None:
    execution = getattr(context, "execution", None)
    if execution is None:
        return
    if compiled:
        execution.compiled += compiled
    if fallback:
        execution.fallbacks.add(fallback)
