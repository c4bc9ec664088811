"""The hostile requests of the abuse suite, as data, and how one is sent and judged.

Each ``Case`` is one HTTP request and the answers it may get: the HTTP statuses
and the ``extensions.code`` values. ``send`` times it (best of a few attempts,
so a noisy machine does not fail a fast server) and ``judge`` checks what every
answer must satisfy: a JSON error with a code, never a 5xx, no leaks.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field

import httpx

from tests.api.helpers import ACCEPT

from tests.security.live import assert_no_leak

# The bound for rejecting an abusive request.
MAX_SECONDS = 0.100
ATTEMPTS = 3


@dataclass(frozen=True)
class Case:
    name: str
    statuses: frozenset[int]
    codes: frozenset[str]
    method: str = "POST"
    json_body: object = None
    content: bytes | None = None
    params: dict | None = None
    raw_query: str | None = None  # GET query string sent exactly as written
    headers: dict = field(default_factory=dict)

    def request(self, client: httpx.Client, url: str) -> httpx.Response:
        # As a current GraphQL client asks: request errors then come back as 400.
        headers = {"Accept": ACCEPT, **self.headers}
        if self.raw_query is not None:
            return client.request(self.method, f"{url}?{self.raw_query}", headers=headers)
        if self.json_body is not None:
            return client.request(self.method, url, json=self.json_body, headers=headers)
        return client.request(self.method, url, content=self.content, params=self.params,
                              headers=headers)


def query_case(name: str, query: str, codes: set[str], statuses=(200, 400),
               variables: dict | None = None) -> Case:
    body: dict = {"query": query}
    if variables is not None:
        body["variables"] = variables
    return Case(name, frozenset(statuses), frozenset(codes), json_body=body)


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def nested(depth: int) -> str:
    """A valid query ``depth`` fields deep: article { trends { article { trends ... } } }."""
    inner = "slug"
    for level in range(depth - 1, 0, -1):
        inner = ("trends { %s }" if level % 2 == 1 else "article { %s }") % inner
    return '{ article(slug: "2024-ai-trends") { %s } }' % inner


def deep_introspection(levels: int) -> str:
    chain = "{ ofType " * levels + "{ name }" + " }" * levels
    return '{ __type(name: "Query") { fields { type %s } } }' % chain


def send(client: httpx.Client, url: str, case: Case) -> tuple[httpx.Response, float]:
    """The response of the last attempt and the fastest time out of ``ATTEMPTS``."""
    best = float("inf")
    response = None
    for _ in range(ATTEMPTS):
        started = time.perf_counter()
        response = case.request(client, url)
        best = min(best, time.perf_counter() - started)
        if best < MAX_SECONDS:
            break
    return response, best


def error_codes(response: httpx.Response) -> list[str]:
    """extensions.code of every error; fails unless the body is JSON errors with codes."""
    assert response.headers.get("content-type", "").startswith(
        ("application/json", "application/graphql-response+json")), response.text
    body = response.json()
    errors = body.get("errors")
    assert isinstance(errors, list) and errors, f"no errors in {body}"
    for error in errors:
        assert isinstance(error.get("message"), str), error
        assert isinstance(error.get("extensions", {}).get("code"), str), error
    return [e["extensions"]["code"] for e in errors]


def judge(case: Case, response: httpx.Response, seconds: float, db_path: str) -> None:
    assert response.status_code < 500, f"{case.name}: {response.status_code} {response.text[:300]}"
    assert response.status_code in case.statuses, (
        f"{case.name}: status {response.status_code}, expected {sorted(case.statuses)}: "
        f"{response.text[:300]}")
    codes = error_codes(response)
    assert set(codes) & case.codes, f"{case.name}: codes {codes}, expected one of {sorted(case.codes)}"
    assert "INTERNAL_SERVER_ERROR" not in codes, f"{case.name}: {response.text[:300]}"
    assert_no_leak(response.text, db_path)
    assert seconds < MAX_SECONDS, f"{case.name}: best of {ATTEMPTS} took {seconds * 1000:.0f} ms"


TOO_COMPLEX = {"QUERY_TOO_COMPLEX"}
BAD_INPUT = {"BAD_USER_INPUT"}
BAD_CURSOR = {"BAD_CURSOR"}
BAD_REQUEST = {"BAD_REQUEST"}
CONNECTIONS = ["articles", "trends", "routes", "advice"]
BAD_CURSORS = {
    "garbage": "nope",
    "empty": "",
    "other-prefix": b64("cursor:v2:3"),
    "negative": b64("cursor:v1:-1"),
    "huge": b64("cursor:v1:" + "9" * 40),
    "not-digits": b64("cursor:v1:1e3"),
    "wrong-version": b64('[1,"sig",["2025-01-01",1]]'),
    "wrong-shape": b64('[2,"sig",{"a":1}]'),
    "too-long": b64('[2,"sig",[' + "1," * 400 + "1]]"),
    "non-ascii": "游标",
    "long": "A" * 10_000,
    "punctuation": "!!!!",
}
BAD_IDS = {
    "garbage": "garbage!!",
    "empty": "",
    "unknown-type": b64("Foo:bar"),
    "no-colon": b64("Article"),
    "empty-key": b64("Article:"),
    "non-ascii": "节点",
    "long": "QQ" * 5_000,
    "not-utf8": base64.urlsafe_b64encode(b"\xff\xfe:x").decode(),
    "sql": b64("Article:' OR 1=1 --"),  # decodes fine: an unknown key is null, not an error
}


def cases(max_aliases: int, max_body_bytes: int) -> list[Case]:
    out: list[Case] = [
        query_case("depth-50", nested(50), TOO_COMPLEX),
        query_case("aliases-1000", "{ %s }" % " ".join(f"a{i}: __typename" for i in range(1000)),
                   TOO_COMPLEX),
        query_case("aliases-over-limit",
                   "{ %s }" % " ".join(f"a{i}: __typename" for i in range(max_aliases + 1)),
                   TOO_COMPLEX),
        Case("tokens-100000", frozenset({400, 413}), frozenset(TOO_COMPLEX | {"PAYLOAD_TOO_LARGE"}),
             json_body={"query": "{ " + "a " * 100_000 + "}"}),
        # Under the body limit, so the token limit itself has to stop it.
        query_case("tokens-under-body-limit", "{" + " a" * ((max_body_bytes - 100) // 2) + "}",
                   TOO_COMPLEX),
        Case("tokens-over-limit-get", frozenset({400}), frozenset(TOO_COMPLEX), method="GET",
             params={"query": "{" + " a" * 5_000 + "}"}),
        Case("body-10MB", frozenset({413}), frozenset({"PAYLOAD_TOO_LARGE"}),
             content=b'{"query": "' + b"x" * (10 * 1024 * 1024) + b'"}',
             headers={"content-type": "application/json"}),
        Case("body-10MB-no-content-length", frozenset({413}), frozenset({"PAYLOAD_TOO_LARGE"}),
             content=b'{"query": "' + b"x" * (10 * 1024 * 1024) + b'"}',
             headers={"content-type": "application/json", "transfer-encoding": "chunked"}),
        query_case("first-int-overflow", "{ articles(first: 10000000000) { totalCount } }",
                   {"GRAPHQL_VALIDATION_FAILED"}),
        query_case("first-via-variable-overflow",
                   "query($n: Int) { articles(first: $n) { totalCount } }", BAD_INPUT,
                   variables={"n": 10 ** 30}),
        query_case("search-first-huge", '{ search(query: "AI", first: 1000000000) { totalCount } }',
                   {"PAGE_SIZE_EXCEEDED"}),
        query_case("search-first-negative", '{ search(query: "AI", first: -1) { totalCount } }',
                   BAD_INPUT),
        query_case("search-too-long", '{ search(query: "%s") { totalCount } }' % ("x" * 5000),
                   BAD_INPUT),
        query_case("nodes-too-many",
                   "{ nodes(ids: [%s]) { id } }" % ", ".join([json.dumps(b64("Article:x"))] * 101),
                   BAD_INPUT),
        query_case("excerpt-negative", "{ articles(first: 1) { nodes { excerpt(length: -5) } } }",
                   BAD_INPUT),
        query_case("mutation-over-post", "mutation { __typename }", {"GRAPHQL_VALIDATION_FAILED"}),
        query_case("fragment-cycle", "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
                   {"GRAPHQL_VALIDATION_FAILED"}),
        query_case("syntax-error", "{ articles(first: ) ", {"GRAPHQL_PARSE_FAILED"}),
        Case("unknown-operation-name", frozenset({400}), frozenset(BAD_INPUT),
             json_body={"query": "query A { tags { name } }", "operationName": "B"}),
        query_case("deep-introspection-type", deep_introspection(40), TOO_COMPLEX),
        query_case("deep-introspection-schema",
                   "{ __schema { types { fields { type %s } } } }"
                   % ("{ ofType " * 40 + "{ name }" + " }" * 40), TOO_COMPLEX),
        query_case("introspection-fragment-cycle-depth",
                   "{ __schema { ...T } } fragment T on __Schema { types { fields { type { "
                   + "ofType { " * 30 + "name" + " }" * 30 + " } } } }", TOO_COMPLEX),
        Case("batched-array", frozenset({400}), frozenset(BAD_REQUEST),
             json_body=[{"query": "{ tags { name } }"}, {"query": "{ years { year } }"}]),
        Case("batched-empty-array", frozenset({400}), frozenset(BAD_REQUEST), json_body=[]),
        Case("mutation-over-get", frozenset({405}), frozenset({"METHOD_NOT_ALLOWED"}), method="GET",
             params={"query": "mutation { __typename }"}),
        Case("mutation-over-get-named", frozenset({405}), frozenset({"METHOD_NOT_ALLOWED"}),
             method="GET", params={"query": "mutation M { __typename }", "operationName": "M"}),
        Case("method-put", frozenset({405}), frozenset({"METHOD_NOT_ALLOWED"}), method="PUT",
             json_body={"query": "{ tags { name } }"}),
        Case("method-delete", frozenset({405}), frozenset({"METHOD_NOT_ALLOWED"}), method="DELETE",
             content=b""),
        Case("get-variables-not-object", frozenset({400}), frozenset(BAD_REQUEST), method="GET",
             params={"query": "{ tags { name } }", "variables": "[1, 2]"}),
        Case("get-variables-not-json", frozenset({400}), frozenset(BAD_REQUEST), method="GET",
             params={"query": "{ tags { name } }", "variables": "{nope"}),
        Case("get-no-query", frozenset({400}), frozenset(BAD_REQUEST), method="GET", params={},
             headers={"accept": "application/json"}),
    ]
    for connection in CONNECTIONS:
        out += [
            query_case(f"{connection}-first-1000000000",
                       "{ %s(first: 1000000000) { totalCount } }" % connection, {"PAGE_SIZE_EXCEEDED"}),
            query_case(f"{connection}-first-negative",
                       "{ %s(first: -1) { totalCount } }" % connection, BAD_INPUT),
            query_case(f"{connection}-last-negative",
                       "{ %s(last: -5) { totalCount } }" % connection, BAD_INPUT),
            query_case(f"{connection}-first-and-last",
                       "{ %s(first: 1, last: 1) { totalCount } }" % connection, BAD_INPUT),
        ]
    for label, cursor in BAD_CURSORS.items():
        for argument in ("after", "before"):
            out.append(query_case(f"cursor-{argument}-{label}",
                                  "query($c: String) { articles(%s: $c) { totalCount } }" % argument,
                                  BAD_CURSOR, variables={"c": cursor}))
        out.append(query_case(f"cursor-search-{label}",
                              'query($c: String) { search(query: "AI", after: $c) { totalCount } }',
                              BAD_CURSOR, variables={"c": cursor}))
    for label, node_id in BAD_IDS.items():
        if label == "sql":
            continue  # a well-formed ID: see test_wellformed_unknown_id_is_null
        out.append(query_case(f"id-node-{label}", "query($id: ID!) { node(id: $id) { id } }",
                              BAD_INPUT, variables={"id": node_id}))
        out.append(query_case(f"id-nodes-{label}", "query($id: ID!) { nodes(ids: [$id]) { id } }",
                              BAD_INPUT, variables={"id": node_id}))
    for media_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                       "application/graphql", "application/xml", "", "application/jsonx"):
        out.append(Case(f"content-type-{media_type or 'missing'}", frozenset({415}),
                        frozenset({"UNSUPPORTED_MEDIA_TYPE"}),
                        content=b'{"query": "{ tags { name } }"}',
                        headers={"content-type": media_type} if media_type else {}))
    malformed = {
        "truncated": b'{"query": ',
        "single-quotes": b"{'query': '{ tags { name } }'}",
        "trailing-comma": b'{"query": "{ tags { name } }",}',
        "nan": b'{"query": NaN}',
        "empty": b"",
        "scalar": b"42",
        "null": b"null",
        "string": b'"{ tags { name } }"',
        "nested-arrays": b"[" * 10_000 + b"]" * 10_000,
        "nested-objects": b'{"query": "{ tags { name } }", "variables": ' + b'{"a":' * 5000 + b"1"
                          + b"}" * 5000 + b"}",
        "query-not-string": b'{"query": 5}',
        "variables-not-object": b'{"query": "{ tags { name } }", "variables": [1]}',
        "operation-not-string": b'{"query": "{ tags { name } }", "operationName": 1}',
        "lone-surrogate": b'{"query": "{ search(query: \\"\\ud800\\") { totalCount } }"}',
        "nul-bytes": b'\x00\x00{"query": "{ tags { name } }"}',
    }
    for label, content in malformed.items():
        out.append(Case(f"malformed-json-{label}", frozenset({400}),
                        frozenset(BAD_REQUEST | BAD_INPUT | TOO_COMPLEX | {"GRAPHQL_PARSE_FAILED"}),
                        content=content, headers={"content-type": "application/json"}))
    invalid_utf8 = {
        "ff": b'{"query": "{ search(query: \\"\xff\\") { totalCount } }"}',
        "overlong": b'{"query": "{ search(query: \\"\xc0\xaf\\") { totalCount } }"}',
        "truncated-sequence": b'{"query": "{ search(query: \\"\xe8\x8a\\") { totalCount } }"}',
        "encoded-surrogate": b'{"query": "{ search(query: \\"\xed\xa0\x80\\") { totalCount } }"}',
        "latin1-declared": '{"query": "{ search(query: \\"café\\") { totalCount } }"}'.encode("latin-1"),
    }
    for label, content in invalid_utf8.items():
        out.append(Case(f"invalid-utf8-{label}", frozenset({400}), frozenset(BAD_REQUEST),
                        content=content, headers={"content-type": "application/json"}))
    return out
