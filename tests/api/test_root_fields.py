"""A proven query's root fields run past graphql-core's executor (api.root_fields),
or graphql-core executes the whole operation, and the answer is the same bytes."""

from __future__ import annotations

import gc
import warnings

import pytest

from api import compiled, plans, prepared, root_fields
from api import schema as schema_module
from tests.api.helpers import ACCEPT

SLUG = "2024-ai-trends"


def answer(client, query: str, variables: dict | None = None) -> tuple[int, bytes]:
    response = client.post("/graphql", json={"query": query, "variables": variables},
                           headers={"Accept": ACCEPT})
    return response.status_code, response.content.replace(
        response.headers["x-request-id"].encode(), b"<id>")


def counted(monkeypatch, module, name: str) -> list[int]:
    """Calls of ``module.name`` from now on, one item each."""
    calls: list[int] = []
    real = getattr(module, name)

    def call(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(module, name, call)
    return calls


def executor_calls(monkeypatch) -> list[int]:
    """Calls of graphql-core's execute from api.prepared."""
    return counted(monkeypatch, prepared, "execute")


def root_outcomes(monkeypatch) -> list[bool]:
    """For each call of api.root_fields.execute: whether it answered."""
    outcomes: list[bool] = []
    real = root_fields.execute

    async def recorded(*args, **kwargs):
        result = await real(*args, **kwargs)
        outcomes.append(result is not None)
        return result
    monkeypatch.setattr(root_fields, "execute", recorded)
    return outcomes


def global_id(client, query: str, path: tuple) -> str:
    data = client.post("/graphql", json={"query": query}).json()["data"]
    for step in path:
        data = data[step]
    return data


ROOTS = [
    # One awaited root field (the benchmark's shape), with its variables.
    ("query A($slug: String!) { article(slug: $slug) { title trends { title } } }",
     {"slug": SLUG}),
    # Aliases, __typename, a fragment spread and an inline fragment at the root.
    ("query { __typename one: article(slug: \"%s\") { slug } ...F ... on Query "
     "{ years { year count } } } fragment F on Query { tags { name count } }" % SLUG, None),
    # A connection (a resolver that does not wait) beside one that does.
    ("{ articles(first: 2) { totalCount nodes { slug } } article(slug: \"nope\") { slug } }",
     None),
    # An interface by its runtime type, and a list of them with a null.
    ("query N($id: ID!) { node(id: $id) { __typename id ... on Article { slug } } "
     "nodes(ids: [$id, \"QXJ0aWNsZTo5OTk5OQ==\"]) { id } }", "ID"),
    # Skipped and included by variables.
    ("query S($no: Boolean!) { a: article(slug: \"%s\") @skip(if: $no) { slug } "
     "b: years @include(if: $no) { year } }" % SLUG, {"no": True}),
]


@pytest.mark.parametrize("query, variables", ROOTS)
def test_root_fields_run_past_the_executor_with_the_same_answer(clients, monkeypatch, query,
                                                                variables):
    ours, theirs = clients
    if variables == "ID":
        variables = {"id": global_id(ours, "{ articles(first: 1) { nodes { id } } }",
                                     ("articles", "nodes", 0, "id"))}
    calls = executor_calls(monkeypatch)
    before = compiled.STATS.compiled
    expected = answer(theirs, query, variables)
    for _ in range(3):  # unseen, seen twice (kept), and kept
        assert answer(ours, query, variables) == expected
    assert expected[0] == 200 and b'"errors"' not in expected[1]
    assert calls == []  # graphql-core's executor never ran
    assert compiled.STATS.compiled == before + 3


GIVEN_WAY = [
    # Variables that do not coerce: graphql-core's request error.
    ("query A($slug: String!) { article(slug: $slug) { slug } }", {"slug": 5}),
    # A resolver refusing its argument, after another root field's resolver was
    # called and left waiting (never awaited: closed, no warning).
    ("{ a: article(slug: \"%s\") { slug } b: articles(first: 1000) { totalCount } }" % SLUG,
     None),
    # Introspection at the root.
    ("{ __schema { queryType { name } } article(slug: \"%s\") { slug } }" % SLUG, None),
    ("{ __type(name: \"Article\") { name } articles(first: 1) { totalCount } }", None),
    # An ID that does not decode: node's resolver raises.
    ("{ node(id: \"not an id\") { id } }", None),
]


@pytest.mark.parametrize("query, variables", GIVEN_WAY)
def test_what_root_fields_do_not_take_graphql_core_answers(clients, monkeypatch, query,
                                                           variables):
    ours, theirs = clients
    outcomes = root_outcomes(monkeypatch)
    expected = answer(theirs, query, variables)
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        for _ in range(3):
            assert answer(ours, query, variables) == expected
        gc.collect()
    assert not [w for w in warned if "never awaited" in str(w.message)]
    # Tried once the document is proven valid (introspection: from its second
    # sight, when graphql-core's rules have validated it), and never answered.
    assert outcomes and not any(outcomes)


def test_a_root_field_that_waits_and_fails_leaves_nothing_running(clients, monkeypatch):
    """Two root fields that wait, one failing: both are awaited to their end before
    graphql-core executes the operation again, which reports the failure."""
    ours, theirs = clients
    query = ("{ a: article(slug: \"%s\") { slug } b: nodes(ids: [\"not an id\"]) { id } }"
             % SLUG)
    calls = executor_calls(monkeypatch)
    outcomes = root_outcomes(monkeypatch)
    expected = answer(theirs, query)
    assert b'"errors"' in expected[1]
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        assert answer(ours, query) == expected
        gc.collect()
    assert not [w for w in warned if "never awaited" in str(w.message)]
    assert outcomes == [False] and calls == [1]


@pytest.mark.parametrize("query", [
    # Found by `make fuzz`: `nodes` fails and nulls the whole response. graphql-core
    # drops the error `article` meets later; with the article already loaded by the
    # root fields' own run, it met that error first and kept it.
    '{ nodes(ids: [""]) { id } article(slug: "%s") { excerpt(length: 0) } }' % SLUG,
    '{ article(slug: "%s") { excerpt(length: 0) } nodes(ids: [""]) { id } }' % SLUG,
    '{ a: article(slug: "%s") { excerpt(length: 0) } b: article(slug: "%s") { slug } '
    'c: nodes(ids: [""]) { id } }' % (SLUG, SLUG),
])
def test_graphql_core_starts_afresh_after_a_root_field_failed(clients, query):
    ours, theirs = clients
    expected = answer(theirs, query)
    assert b'"errors"' in expected[1]
    for _ in range(3):
        assert answer(ours, query) == expected


def test_what_is_not_taken_is_known_before_any_resolver_runs(clients, monkeypatch):
    """contentDiagnostics has no plan: the articles page is read once a request,
    by graphql-core, not once by the root fields and again by graphql-core."""
    ours, theirs = clients
    pages = counted(monkeypatch, schema_module, "_list")
    query = "{ articles(first: 2) { nodes { slug } } contentDiagnostics { message } }"
    outcomes = root_outcomes(monkeypatch)
    expected = answer(theirs, query)
    pages.clear()
    for _ in range(3):
        assert answer(ours, query) == expected
    assert outcomes == [False] * 3 and len(pages) == 3


def test_a_text_handed_over_is_offered_its_plans_once(clients):
    """A text seen once offers each selection once to the plans shared by text
    (api.compiled.SelectionPlans), which keep a selection from its second sight:
    its handing over to graphql-core must not count as a second."""
    ours, _ = clients
    shared = compiled.selection_plans(ours.app.state.endpoint.schema._schema)
    before = len(shared.kept)
    answer(ours, "{ articles(first: 1) { nodes { slug title } } contentDiagnostics "
                 "{ message } } # once")
    assert len(shared.kept) == before


def test_a_bad_skip_variable_is_graphql_cores_request_error_without_a_warning(clients, caplog):
    ours, theirs = clients
    query = "query ($v: Boolean = true) { tags @skip(if: $v) { name } }"
    expected = answer(theirs, query, {"v": None})
    with caplog.at_level("WARNING", logger="content_api"):
        for _ in range(3):  # proven valid from its second sight
            assert answer(ours, query, {"v": None}) == expected
    assert not [r for r in caplog.records if "raised" in r.getMessage()]


def test_an_interface_at_the_root_plans_only_the_types_its_values_have(clients, monkeypatch):
    """`node` may return five object types: only the one its value has is compiled
    (and kept), as graphql-core's completion would do."""
    ours, theirs = clients
    article_id = global_id(ours, "{ articles(first: 1) { nodes { id } } }",
                           ("articles", "nodes", 0, "id"))
    compiled_types: list[str] = []
    real = plans.Compiler.object_plan

    def recorded(self, object_type, nodes):
        compiled_types.append(object_type.name)
        return real(self, object_type, nodes)
    monkeypatch.setattr(plans.Compiler, "object_plan", recorded)
    outcomes = root_outcomes(monkeypatch)
    # Aliases of this test alone: no plan of another test is shared by its text.
    query = ("query ($id: ID!) { node(id: $id) { onlyHere: id ... on Trend { trendHere: title } "
             "... on Article { articleHere: slug } } }")
    assert answer(ours, query, {"id": article_id}) == answer(theirs, query, {"id": article_id})
    assert outcomes == [True] and compiled_types == ["Article"]


def healthz_execution(client) -> dict:
    return client.get("/healthz").json()["execution"]


def test_requests_answered_without_an_object_count_as_compiled_not_standard(clients):
    """``{ __typename }`` or a missing article, answered by the root fields: graphql-core
    never ran, so /healthz counts them with the compiled requests; without plans,
    with the standard ones."""
    ours, theirs = clients
    for turn, client in enumerate(clients):
        # New texts each turn: a text seen before may be answered from the
        # introspection memory (api.introspection), which /healthz counts apart.
        queries = [f"{{ t{turn}: __typename }}",
                   f'{{ article(slug: "no-such-article-{turn}") {{ title }} }}']
        before = healthz_execution(client)
        for query in queries:
            assert answer(ours, query) == answer(theirs, query)
        after = healthz_execution(client)
        expected = "compiled" if client is ours else "standard"
        assert after[expected] - before[expected] == len(queries), (before, after)
        assert after["timedOut"] == before["timedOut"]
    # A partly compiled request is still told apart: introspection has no plan.
    before = healthz_execution(ours)
    answer(ours, "{ __typename article(slug: \"%s\") { title } __schema { queryType "
                 "{ name } } }" % SLUG)
    after = healthz_execution(ours)
    assert after["standard"] + after["partial"] == before["standard"] + before["partial"] + 1
    assert after["compiled"] == before["compiled"]


def test_field_errors_are_counted_and_named(clients):
    """A request that meets a field error is answered by graphql-core (its errors, its
    paths): /healthz counts it with the standard or partial ones and names the reason,
    also when the error nulls the whole answer (a non-null root field that failed)."""
    ours, theirs = clients
    queries = ['{ e1: node(id: "garbage") { id } }',  # a nullable root field: data, null in it
               "{ e2: articles(first: 1, last: 1) { nodes { slug } } }",  # data: null
               '{ e3: article(slug: "%s") { related(first: 0) { slug } } }' % SLUG]  # nested
    for query in queries:
        before = healthz_execution(ours)
        named_before = compiled.STATS.fallbacks["field error"]
        ours_answer = answer(ours, query)
        after = healthz_execution(ours)  # (counts are the process's: theirs' too)
        named = compiled.STATS.fallbacks["field error"]  # (/healthz shows the first ten)
        assert ours_answer == answer(theirs, query) and b'"errors"' in ours_answer[1]
        assert named == named_before + 1, (query, before, after)
        assert after["standard"] + after["partial"] == \
            before["standard"] + before["partial"] + 1, (query, before, after)
    # A request without errors names nothing.
    before = dict(compiled.STATS.fallbacks)
    answer(ours, '{ e4: article(slug: "%s") { title } }' % SLUG)
    assert dict(compiled.STATS.fallbacks) == before
