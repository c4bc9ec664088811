"""The document parser (api.document_parser, with api.document_lexer) makes
graphql-core's document, or leaves the text to graphql-core.

Each text is parsed by both; they must agree on whether it parses, on the error
when it does not, and otherwise on every node, every field, every location
(offsets, tokens, lines, columns), the chain of tokens and the token count.
Texts: every written operation, documents hypothesis-graphql generates from
schema.graphql (valid and invalid), written operations mutated at random
(characters inserted, deleted or replaced), and hand-written edge cases.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
import sys

import graphql
import pytest
from graphql.language.ast import Location, Node, Token
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, queries

from api import document_lexer, document_parser
from api.document_lexer import GiveUp
from tests.api.test_compiled import SDL, written_operations

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
EXAMPLES = 3000 if LONG else 300


def token_fields(token: Token | None) -> tuple | None:
    if token is None:
        return None
    return (token.kind, token.start, token.end, token.line, token.column, token.value)


def location_fields(loc: Location | None) -> tuple | None:
    if loc is None:
        return None
    return (loc.start, loc.end, token_fields(loc.start_token), token_fields(loc.end_token),
            loc.source.body, loc.source.name)


def tree(value):
    """A node, and everything below it, as plain tuples: class, fields, locations."""
    if isinstance(value, Node):
        fields = tuple((f.name, tree(getattr(value, f.name)))
                       for f in dataclasses.fields(value) if f.name != "loc")
        return (type(value).__name__, fields, location_fields(value.loc),
                sorted(vars(value)))  # no field missing or extra
    if isinstance(value, tuple):
        return ("tuple", tuple(tree(v) for v in value))
    if isinstance(value, list):
        return ("list", tuple(tree(v) for v in value))
    return (type(value).__name__, value)


def token_chain(document: graphql.DocumentNode) -> list:
    token, chain = document.loc.start_token, []
    while token is not None:
        chain.append(token_fields(token))
        token = token.next
    return chain


def outcome(parse, text: str, **options):
    try:
        document = parse(text, **options)
    except graphql.GraphQLError as error:
        return ("error", error.message, error.locations)
    except RecursionError:
        return ("recursion",)
    return ("document", tree(document), token_chain(document), document.token_count)


def same(text: str, **options) -> bool:
    """Assert both parsers agree on ``text``; True when this module's own parser
    read it (it did not leave it to graphql-core)."""
    expected = outcome(graphql.parse, text, **options)
    assert outcome(document_parser.parse, text, **options) == expected, text
    try:
        document_parser._Parser(text, options.get("max_tokens")).document()
    except GiveUp:
        return False
    assert expected[0] == "document", text  # it read a text graphql-core refuses
    return True


def test_every_written_operation_is_read_by_the_parser_itself():
    operations = written_operations()
    assert len(operations) >= 10
    left = [where for where, text in operations if not same(text)]
    assert len(left) <= len(operations) // 10, left


EDGE_CASES = [
    "{ a }", "{a}", "{}", "", "   ", "# only a comment", "{ a } # trailing", "#c\n{ a }",
    "query { a }", "query Q { a }", "query Q($a: Int = 1, $b: [String!]! = [\"x\"]) { a }",
    "query ($a: Int @d) { a }", "mutation M { a }", "subscription S { a }",
    "{ a: b(c: 1, d: -1.5e3, e: \"s\", f: true, g: false, h: null, i: ENUM, j: $v) }",
    "{ a(o: {x: [1, 2, {y: \"z\"}], w: []}, l: [[]]) }",
    "{ ...F ... on T { a } ... @include(if: true) { b } ... { c } }",
    "fragment F on T { a } { ...F }", "fragment on on T { a }", "fragment F T { a }",
    "{ a @skip(if: $x) @include(if: true) }", "query @d { a }",
    "\ufeff{ a }", "{ a }\r\n{ b }\r{ c }\n\n{ d }", "{\ta,\tb }", "{ a(b: \"\") }",
    "{ a(b: \"\"\"block\"\"\") }", "{ a(b: \"esc\\\"aped\") }", "{ a(b: \"tab\there\") }",
    "{ a(b: \"ctrl\x01\") }", "{ a(b: \"\\u0041\\n\\t\\/\\\\\\b\\f\\r\") }",
    "{ a(b: \"\\uD83D\\uDE00\") }", "{ a(b: \"\\uDE00\") }", "{ a(b: \"\\u{1F600}\") }",
    "{ a(b: \"\\x\") }", "{ a(b: \"\\u00\") }", "{ a(b: \"\\u0000\") }", "{ a(b: \"a\\\") }", "{ a(b: \"line\nbreak\") }", "{ a(b: 01) }", "{ a(b: 1.) }",
    "{ a(b: 1e) }", "{ a(b: 1abc) }", "{ a(b: -) }", "{ a(b: .5) }", "{ a(b: 0.5e-7) }",
    "{ a(b: 1E+2) }", "{ a(b: $v) }", "query ($v: Int = $w) { a }", "{ a .. b }",
    "{ a(b: \"\ud800\") }", "# \ud800\n{ a }", "{ a } & { b }", "{ a | b }", "{ a(b:) }",
    "{ a() }", "{ a { } }", "{ a", "{ a } }", "query", "query Q", "query Q ()", "type T { a: Int }",
    "extend type T { a: Int }", "\"desc\" query Q { a }", "query ($v: \"d\" Int) { a }",
    "schema { query: Q }", "{ a(b: {c: $d}) }", "{ 日本 }", "{ a(b: \"日本語\") }",
    "{ a(b: \"😀\") }", "{ a } # 😀", "{ a }" + " " * 50 + "# end", "query Q($a: [[Int!]!]) { a }",
    "{ __typename a { __typename } }", "{ a(b: [1 2 3], c: {d: 1 e: 2}) }",
    "{ " + "a { " * 150 + "b" + " }" * 150 + " }",
    "{ " + "a { " * 210 + "b" + " }" * 210 + " }",
    "{ a(b: " + "[" * 210 + "]" * 210 + ") }",
]


def test_the_edge_cases_try_both_ways():
    """Many edge cases are read by the parser itself, and many are left to graphql-core."""
    read = Counter(same(text) for text in EDGE_CASES[:-3])  # not the deep ones
    assert read[True] >= 30 and read[False] >= 30, read


def test_a_long_string_costs_memory_in_proportion():
    """A string literal near the body limit: its regular expression must not keep
    backtracking state per character (it took 23 MB for 60 kB)."""
    import tracemalloc
    text = 'query { search(q: "' + "lorem ipsum " * 5000 + '") { title } }'
    tracemalloc.start()
    try:
        document_parser.parse(text, max_tokens=100)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * len(text), peak


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_parse_as_graphql_core_parses_them(text):
    # Room for comparing the deeply nested cases' trees (the parsers need none).
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20000)
    try:
        same(text)
    finally:
        sys.setrecursionlimit(limit)


@pytest.mark.parametrize("limit", [1, 5, 8, 9, 10, 11, 20])
def test_the_token_limit_is_graphql_cores(limit):
    # 8 tokens and 2 comments: graphql-core counts both, and so refuses under 10.
    text = "# one\n{ a(b: 1) } # two"
    assert same(text, max_tokens=limit) == (limit >= 10)


def test_other_options_go_to_graphql_core():
    document = document_parser.parse("{ a }", no_location=True)
    assert document.loc is None


@pytest.mark.parametrize("text", ['{ a(b: 1) } # c', '{ a(b: """block""") } # c'])
def test_tokens_are_linked_forward_only_whoever_parses(text):
    """Backward links would make every document a reference cycle (api.documents)."""
    token, chain = document_parser.parse(text).loc.start_token, []
    while token is not None:
        assert token.prev is None
        chain.append(token_fields(token))
        token = token.next
    assert chain == token_chain(graphql.parse(text)) and len(chain) == 11  # SOF to EOF


def check_generated(mode: Mode) -> Counter:
    read: Counter = Counter()

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not LONG,
              suppress_health_check=list(HealthCheck))
    @given(query=queries(SDL, mode=mode))
    def check(query: str) -> None:
        read[same(query)] += 1
        same(query, max_tokens=15000)

    check()
    return read


def test_generated_documents_parse_alike_and_mostly_by_the_parser_itself():
    read = check_generated(Mode.POSITIVE)
    assert read[True] > 3 * read[False], read


def test_generated_invalid_documents_parse_alike():
    check_generated(Mode.NEGATIVE)


@given(index=st.integers(min_value=0), edits=st.lists(
    st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=2),
              st.sampled_from(list("{}()[]:$@!=.,\"#\n\r\t -_aZ09eE\\\ufeff😀\x00"))),
    min_size=1, max_size=4))
@settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not LONG,
          suppress_health_check=list(HealthCheck))
def test_mutated_written_operations_parse_alike(index, edits):
    operations = written_operations()
    text = operations[index % len(operations)][1]
    for position, action, char in edits:
        position %= len(text) + 1
        if action == 0:
            text = text[:position] + char + text[position:]
        elif action == 1:
            text = text[:position] + text[position + 1:]
        else:
            text = text[:position] + char + text[position + 1:]
    same(text)


def test_a_text_over_the_token_limit_is_left_early(monkeypatch):
    """Like graphql-core's, the parser stops at the limit: a 60 kB text of 30,000
    tokens under a limit of 100 makes no more than about 100 tokens."""
    made = []

    class Counted(Token):
        __slots__ = ()

        def __init__(self, *args, **kwargs):
            made.append(1)
            super().__init__(*args, **kwargs)
    monkeypatch.setattr(document_lexer, "Token", Counted)
    text = "{" + " a" * 30_000 + " }"
    with pytest.raises(graphql.GraphQLError, match="more than 100 tokens"):
        document_parser.parse(text, max_tokens=100)
    assert 100 <= len(made) <= 102
