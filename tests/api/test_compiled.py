"""Compiled execution gives byte-identical responses: a differential test.

Two apps over the same SQLite store, one with compiled execution (api.compiled)
and one without, answer the same operations; their response bodies must be the
same bytes (the request id aside), data and errors alike. The operations are
every operation of the examples, the docs (README and docs/) and the benchmark, and operations
generated from schema.graphql by hypothesis-graphql, with arguments drawn from
values that exist in the store (IDs, cursors, slugs, tags, words) and from edge
cases (page sizes past the limit, garbage cursors, FTS syntax), so that both
data and field errors are compared.

``make test`` runs COMPILED_EXAMPLES (default 400) generated operations;
``make fuzz`` (HYPOTHESIS_PROFILE=fuzz) runs 6,000; each with plans read from
their lists and again with plans written out as functions (api.plan_code).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, nodes, queries

from api import compiled, plans
from bench import queries as bench_queries
from loader.load import load_content
from tests.api.helpers import ACCEPT, make_client
from tests.api.test_schema import EVERYTHING
from tests.docs.examples import graphql_examples
from tests.support.store_values import SEED_QUERY, store_values

REPO = Path(__file__).resolve().parents[2]
LONG = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
EXAMPLES = int(os.environ.get("COMPILED_EXAMPLES", 6000 if LONG else 400))
SDL = (REPO / "schema.graphql").read_text("utf-8")
FIXTURES = REPO / "tests" / "fixtures" / "real-world"

EDGE_INTS = [0, 1, 2, 3, 5, 20, 100, 101, -1]
WORDS = ["AI", "芯片", "隐私", "cloud", "inf", "c++", '"', "NEAR(", "*", ""]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """content/ and the real-world fixtures: every shape of article the loader reads."""
    content = tmp_path_factory.mktemp("compiled") / "content"
    content.mkdir()
    for source in [*REPO.joinpath("content").glob("*.md"), *FIXTURES.glob("*.md")]:
        shutil.copy(source, content / source.name)
    db = content.parent / "content.db"
    load_content(content, db, skip_invalid=True)
    return db


@pytest.fixture(scope="module")
def apps(store):
    # No response cache: every request executes.
    return (make_client(store, response_cache_size=0),
            make_client(store, response_cache_size=0, compiled_execution=False))


def answer(client, query: str, variables: dict | None = None) -> bytes:
    response = client.post("/graphql", json={"query": query, "variables": variables},
                           headers={"Accept": ACCEPT})
    return response.content.replace(response.headers["x-request-id"].encode(), b"<id>")


def compare(apps, query: str, variables: dict | None = None) -> bytes:
    with_plans, without = apps
    ours, theirs = answer(with_plans, query, variables), answer(without, query, variables)
    assert ours == theirs, f"differs for {query!r} {variables}:\n{ours[:600]}\n{theirs[:600]}"
    return ours


@pytest.fixture(scope="module")
def values(apps) -> dict[str, list]:
    return store_values(json.loads(answer(apps[1], SEED_QUERY)))


def written_operations() -> list[tuple[str, str]]:
    """(where, text) of every operation written down in the project."""
    found = [(p.name, p.read_text("utf-8")) for p in REPO.glob("examples/operations/*.graphql")]
    found += [(example.where, example.query) for example in graphql_examples()]
    found += [("bench ARTICLE", bench_queries.ARTICLE), ("bench ARTICLES", bench_queries.ARTICLES),
              ("bench SEARCH", bench_queries.SEARCH), ("EVERYTHING", EVERYTHING)]
    return found


def variables_for(text: str, values: dict) -> dict:
    """Plausible variables for a written operation: the first of each kind that exists."""
    document = graphql.parse(text)
    out = {}
    for definition in document.definitions:
        for variable in getattr(definition, "variable_definitions", None) or ():
            name = variable.variable.name.value
            kind = graphql.print_ast(variable.type).strip("!")
            if kind == "Int":
                out[name] = 3
            elif name in ("slug", "article"):
                out[name] = values["slugs"][0]
            elif name in ("q", "query", "term"):
                out[name] = "AI"
            elif kind == "ID":
                out[name] = values["ids"][0]
    return out


@pytest.fixture(params=["read", "written out"])
def plans_run(request, monkeypatch) -> str:
    """Plans run by reading their lists, or from the functions written out for them
    (api.plan_code) from their first object on."""
    monkeypatch.setattr(plans, "WRITE_OUT_AFTER", 10 ** 9 if request.param == "read" else 1)
    return request.param


def test_every_written_operation_gives_the_same_bytes(apps, values, plans_run):
    operations = written_operations()
    assert len(operations) >= 15
    for where, text in operations:
        body = compare(apps, text, variables_for(text, values))
        assert b'"data"' in body or b'"errors"' in body, where


def test_plans_run_for_the_benchmark_queries(apps, values):
    before = compiled.STATS.compiled
    compare(apps, bench_queries.ARTICLES)
    compare(apps, bench_queries.ARTICLE, {"slug": values["slugs"][0]})
    assert compiled.STATS.compiled == before + 2  # both executed from plans throughout


def test_skip_and_include_with_variables(apps, values):
    query = """query ($withTrends: Boolean!, $noTags: Boolean!, $slug: String!) {
      article(slug: $slug) { title tags @skip(if: $noTags)
        ... on Article @include(if: $withTrends) { trends { title } } } }"""
    seen = set()
    for with_trends in (True, False):
        for no_tags in (True, False):
            seen.add(compare(apps, query, {"withTrends": with_trends, "noTags": no_tags,
                                           "slug": values["slugs"][0]}))
    assert len(seen) == 4  # four different answers, each the same on both sides


def test_arguments_from_variables_run_from_plans(apps, values):
    """Resolvers with and without info, their arguments given by variables."""
    query = """query ($slug: String!, $length: Int!, $format: TextFormat!) {
      article(slug: $slug) { excerpt(length: $length) intro(format: $format)
        trends { statusIntro(format: $format) } } }"""
    before = compiled.STATS.as_dict()
    for length, format in ((40, "HTML"), (120, "PLAIN")):
        compare(apps, query, {"slug": values["slugs"][0], "length": length, "format": format})
    after = compiled.STATS.as_dict()
    assert after["compiled"] == before["compiled"] + 2, after
    assert after["fallbacks"] == before["fallbacks"], after


def test_related_articles_run_from_plans_and_report_a_bad_first_as_graphql_core_does(apps,
                                                                                    values):
    """``related(first:)`` is an article page's sidebar: its article is completed
    from a plan, with ``first`` a literal or a variable; an out-of-range
    ``first`` abandons the plan and gives graphql-core's error, path and all."""
    query = """query ($slug: String!, $n: Int!) { article(slug: $slug) { title
      related(first: $n) { slug related { slug } } trends { title } } }"""
    before = compiled.STATS.as_dict()
    for n in (1, 3, 20):
        body = compare(apps, query, {"slug": values["slugs"][0], "n": n})
        assert b'"related":[' in body
    after = compiled.STATS.as_dict()
    assert after["compiled"] == before["compiled"] + 3, after
    assert after["fallbacks"] == before["fallbacks"], after
    for n in (0, 21):
        body = compare(apps, query, {"slug": values["slugs"][0], "n": n})
        assert re.search(rb'"path":\["article","related"\]', body), body[:300]
    compare(apps, "{ articles(first: 4) { nodes { related(first: 2) { title } } } }")


def test_fragments_on_interfaces_and_unions_and_nodes(apps, values):
    query = """query ($ids: [ID!]!) {
      nodes(ids: $ids) { __typename ...on Node { id } ...Bits }
      search(query: "AI", first: 20) { nodes { field node { __typename ...Bits
        ... on KeyPoint { label text(format: HTML) trend { title } } } } }
    }
    fragment Bits on Node { ... on Article { title(format: HTML) description }
                            ... on Trend { title statusIntro(format: PLAIN) }
                            ... on Route { name pros cons(format: HTML) } }"""
    compare(apps, query, {"ids": values["ids"][:40] + ["garbage"]})


def generated(values: dict) -> st.SearchStrategy[str]:
    strings = st.one_of(st.sampled_from(values["slugs"] + values["tags"] + values["cursors"] + WORDS),
                        st.text(max_size=12))
    scalars = {
        "String": strings.map(nodes.String),
        "ID": st.one_of(st.sampled_from(values["ids"]), st.sampled_from(["", "garbage"])).map(nodes.String),
        "Int": st.sampled_from(EDGE_INTS).map(nodes.Int),
        "Date": st.sampled_from(["2024-01-01", "2025-06-30", "2025-02-18"]).map(nodes.String),
    }
    return queries(SDL, custom_scalars=scalars, mode=Mode.POSITIVE)


def test_generated_operations_give_the_same_bytes(apps, values, plans_run):
    outcome: Counter = Counter()

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not LONG,
              suppress_health_check=list(HealthCheck))
    @given(query=generated(values))
    def differential(query: str) -> None:
        body = compare(apps, query)
        outcome["errors" if b'"errors"' in body else "data"] += 1

    before = compiled.STATS.compiled + compiled.STATS.partial
    differential()
    print(f"\ncompiled-vs-standard: {dict(outcome)}; {compiled.STATS.as_dict()}")
    assert sum(outcome.values()) >= min(EXAMPLES, 200)
    assert outcome["data"] > 0 and outcome["errors"] > 0, outcome  # both were compared
    # Most operations that executed did so (at least partly) from plans.
    assert compiled.STATS.compiled + compiled.STATS.partial - before > outcome["data"] // 2


def test_an_error_inside_a_plan_is_graphql_cores_error(apps, values, monkeypatch):
    # A resolver failing mid-plan: the plan is abandoned and graphql-core reports
    # the error, with its path, exactly as without plans.
    from api import types

    original = types.Route.from_row

    def failing(row):
        if row["position"] == 2:
            raise RuntimeError("boom")
        return original(row)

    monkeypatch.setattr(types.Route, "from_row", failing)
    body = compare(apps, "{ articles(first: 5) { nodes { slug trends { routes { name } } } } }")
    assert b'"errors"' in body and re.search(rb'"path":\["articles"', body)


@pytest.mark.parametrize("query", [
    "{ }", "{ ... { } __typename }", "query { ...F } fragment F on Query { }",
    "{ articles(first: 2) { nodes { } edges { node { trends { routes { } } } } } }",
])
def test_empty_selection_sets_are_answered_alike(apps, query):
    """graphql-core 3.3 parses and executes empty selection sets; plans must agree."""
    assert b'"data"' in compare(apps, query)
