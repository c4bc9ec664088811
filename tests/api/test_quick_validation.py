"""The quick validity proof (api.quick_validation) is sound and useful.

Sound: a document it proves valid is one graphql-core's rules, with this
server's limits, pass. Checked on every written operation, on documents
hypothesis-graphql generates from schema.graphql (valid ones, and invalid ones
in its negative mode), on hand-broken documents that each break one rule,
and on mutations of the written operations.
Useful: it proves the written operations and most generated ones valid, so
an unseen client document rarely pays for graphql-core's validation.
"""

from __future__ import annotations

import os
from collections import Counter

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, queries

from api.config import Settings
from api.quick_validation import limits_for, proves_valid
from api.schema import build_schema
from strawberry.schema.schema import validate_document
from tests.api.test_compiled import SDL, written_operations

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
EXAMPLES = 3000 if LONG else 300

SETTINGS = Settings()
SCHEMA = build_schema(SETTINGS)
LIMITS = limits_for(SCHEMA._schema, SETTINGS.max_depth, SETTINGS.max_aliases)
RULES = (*graphql.specified_rules, *SCHEMA.limit_rules)


def full_errors(document: graphql.DocumentNode) -> list:
    """What the server's validation says without the quick proof."""
    return validate_document(SCHEMA._schema, document, RULES)


def proven(text: str) -> bool:
    """Parse ``text`` and check soundness; True when the quick proof took it."""
    document = graphql.parse(text)
    if proves_valid(SCHEMA._schema, document, LIMITS):
        assert full_errors(document) == [], text
        return True
    return False


def test_every_written_operation_is_proven_valid():
    operations = written_operations()
    assert len(operations) >= 10
    not_proven = [where for where, text in operations if not proven(text)]
    # Only operations with directives, introspection or a repeated response
    # name may be left to graphql-core; the benchmark's never are.
    assert not {"bench ARTICLE", "bench ARTICLES", "bench SEARCH"} & set(not_proven)
    assert len(not_proven) <= len(operations) // 4, not_proven


BROKEN = {
    "unknown field": "{ article(slug: \"a\") { nope } }",
    "unknown argument": "{ article(slug: \"a\", colour: 1) { slug } }",
    "missing required argument": "{ article { slug } }",
    "argument given twice": "{ article(slug: \"a\", slug: \"b\") { slug } }",
    "wrong literal type": "{ articles(first: \"ten\") { totalCount } }",
    "unknown enum value": "{ article(slug: \"a\") { intro(format: LOUD) } }",
    "enum as a string": "{ article(slug: \"a\") { intro(format: \"HTML\") } }",
    "leaf with a selection": "{ article(slug: \"a\") { slug { x } } }",
    "__typename with an argument": "{ __typename(x: 1) }",
    "__typename with a selection": "{ __typename { x } }",
    "field of a leaf's type asked twice, once unknown": "{ article(slug: \"a\") { slug } "
                                                       "article(slug: \"a\") { nope } }",
    "object without a selection": "{ article(slug: \"a\") }",
    "undefined variable": "{ article(slug: $slug) { slug } }",
    "unused variable": "query Q($slug: String!, $other: Int) { article(slug: $slug) { slug } }",
    "nullable variable in a non-null position":
        "query Q($slug: String) { article(slug: $slug) { slug } }",
    "variable of another type": "query Q($slug: Int!) { article(slug: $slug) { slug } }",
    "variable of an unknown type": "query Q($slug: Slug!) { article(slug: $slug) { slug } }",
    "variable of an output type": "query Q($a: Article) { articles { totalCount } }",
    "variable declared twice":
        "query Q($s: String!, $s: String!) { article(slug: $s) { slug } }",
    "unknown fragment": "{ article(slug: \"a\") { ...Nope } }",
    "unused fragment": "{ articles { totalCount } } fragment F on Article { slug }",
    "fragment cycle": "{ article(slug: \"a\") { ...A } } fragment A on Article { ...B } "
                      "fragment B on Article { ...A }",
    "fragment on an impossible type": "{ article(slug: \"a\") { ...T } } fragment T on Trend { id }",
    "fragment on a scalar": "{ article(slug: \"a\") { ...S } } fragment S on String { x }",
    "fragment on an unknown type": "{ article(slug: \"a\") { ... on Nope { id } } }",
    "conflicting response names": "{ article(slug: \"a\") { x: slug x: title } }",
    "same field, other arguments": "{ article(slug: \"a\") { intro(format: HTML) intro } }",
    "two anonymous operations": "{ articles { totalCount } } { articles { totalCount } }",
    "mutation": "mutation { articles { totalCount } }",
    "unknown directive": "{ articles @nope { totalCount } }",
    "input object with an unknown field":
        "{ articles(filter: {colour: \"red\"}) { totalCount } }",
    "input object field given twice":
        "{ articles(filter: {year: 2024, year: 2025}) { totalCount } }",
    "null for a non-null argument": "{ article(slug: null) { slug } }",
    "too deep": "{ articles { edges { node { trends { routes { trend { article { trends { "
                "routes { trend { article { slug } } } } } } } } } } } }",
    "too many aliases": "{ " + " ".join(f"a{i}: articles {{ totalCount }}" for i in range(25))
                        + " }",
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_document_is_never_proven_and_graphql_core_reports_it(case):
    document = graphql.parse(BROKEN[case])
    assert not proves_valid(SCHEMA._schema, document, LIMITS)
    assert full_errors(document), f"{case}: graphql-core passed it, so the case tests nothing"


def test_generated_valid_documents_are_mostly_proven_and_always_rightly():
    outcome: Counter = Counter()

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not LONG,
              suppress_health_check=list(HealthCheck))
    @given(query=queries(SDL, mode=Mode.POSITIVE))
    def check(query: str) -> None:
        outcome["proven" if proven(query) else "not proven"] += 1

    check()
    assert outcome["proven"] > outcome["not proven"], outcome


def test_generated_invalid_documents_are_never_proven():
    outcome: Counter = Counter()

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not LONG,
              suppress_health_check=list(HealthCheck))
    @given(query=queries(SDL, mode=Mode.NEGATIVE))
    def check(query: str) -> None:
        try:
            document = graphql.parse(query)
        except graphql.GraphQLError:
            return
        errors = full_errors(document)
        outcome["invalid" if errors else "valid"] += 1
        if proves_valid(SCHEMA._schema, document, LIMITS):
            assert errors == [], query

    check()
    assert outcome["invalid"] > 0, outcome


# Small edits of a valid operation, each of which may break a rule.
MUTATIONS = [
    ("slug", "slugg"), ("slug:", "slugs:"), ("first: 100", "first: \"100\""),
    ("first: 100", "first: 100, first: 5"), ("$slug: String!", "$slug: String"),
    ("$slug: String!", "$slug: Int!"), ("{ slug", "{ slug slug: title"),
    ("id", "id { id }"), ("query", "mutation"), ("format: HTML", "format: html"),
    ("(slug: $slug)", ""), ("edges {", "edges"), ("$q: String!", "$q: String!, $r: Int"),
    ("title", "title: slug"), ("node {", "node { ...Missing"),
]


@given(index=st.integers(min_value=0), mutation=st.sampled_from(MUTATIONS),
       count=st.integers(min_value=1, max_value=3))
@settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not LONG,
          suppress_health_check=list(HealthCheck))
def test_mutated_written_operations_are_proven_only_when_valid(index, mutation, count):
    operations = written_operations()
    text = operations[index % len(operations)][1].replace(mutation[0], mutation[1], count)
    try:
        document = graphql.parse(text)
    except graphql.GraphQLError:
        return
    if proves_valid(SCHEMA._schema, document, LIMITS):
        assert full_errors(document) == [], text


def test_unseen_documents_are_counted_and_an_unknown_fragment_is_a_validation_error(tmp_path):
    """Over HTTP: /healthz counts how unseen documents were validated, and a
    spread of an undefined fragment is reported by name (Strawberry's depth
    rule used to fail on it with an internal error)."""
    from api import validation_cache
    from loader.load import load_content
    from tests.api.helpers import ACCEPT, make_client
    from tests.support.paths import CONTENT

    db = tmp_path / "content.db"
    load_content(CONTENT, db)
    with make_client(db) as client:
        before = client.get("/healthz").json()["validation"]
        ok = client.post("/graphql", json={"query": "{ articles(first: 2) { totalCount } }"},
                         headers={"Accept": ACCEPT})
        assert ok.status_code == 200 and "errors" not in ok.json()
        bad = client.post("/graphql", json={"query": '{ article(slug: "a") { ...Nope } }'},
                          headers={"Accept": ACCEPT})
        after = client.get("/healthz").json()["validation"]
    messages = [e["message"] for e in bad.json()["errors"]]
    assert messages == ["Unknown fragment 'Nope'."], bad.text
    assert after["provenQuickly"] == before["provenQuickly"] + 1
    assert after["fullValidation"] == before["fullValidation"] + 1
    assert validation_cache.STATS.as_dict() == after
