"""Fuzz the live server with queries generated from the committed schema.graphql.

hypothesis-graphql builds queries from the SDL: valid ones (POSITIVE) and ones
with one schema violation (NEGATIVE). Scalars are drawn from a mix of real
values fetched from the server (IDs, cursors, slugs, tags, search words) and
hostile ones (garbage IDs, huge and negative ints, FTS syntax, control
characters), so that execution goes past argument checks, not only into them.

Every response: status < 500, a JSON body, every error with an
``extensions.code`` and none masked as INTERNAL_SERVER_ERROR (a masked error is
a server bug even when the status is 200), and no SQL, paths or tracebacks.

``make test`` sends a bounded number of queries (FUZZ_EXAMPLES, default 100, and at
most FUZZ_SECONDS, default 60); ``make fuzz`` (HYPOTHESIS_PROFILE=fuzz) sends 3,000.
"""

from __future__ import annotations

import os
import time
from collections import Counter

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, nodes, queries

from tests.security.abuse import error_codes
from tests.security.live import REPO, assert_no_leak
from tests.support.store_values import SEED_QUERY, store_values

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 3000 if LONG else 100))
SECONDS = float(os.environ.get("FUZZ_SECONDS", 1800 if LONG else 60))
SDL = (REPO / "schema.graphql").read_text("utf-8")

HOSTILE_STRINGS = ['"', "NEAR(", "*", "AND", "-", "^", "(", "'; DROP TABLE articles; --",
                   "\x00", "\u202e", "%s%n", "../../etc/passwd", "<script>alert(1)</script>",
                   "芯片", "隐私", "x" * 300, ""]
EDGE_INTS = [0, 1, 2, 5, 20, 99, 100, 101, -1, -2**31, 2**31 - 1, 1_000_000_000]
HOSTILE_IDS = ["", "garbage", "QXJ0aWNsZTp4", "Rm9vOmJhcg", "节点", "A" * 600]


@pytest.fixture(scope="module")
def real_values(live) -> dict[str, list[str]]:
    """IDs, cursors, slugs and tags that exist on the server."""
    body = httpx.post(live.graphql_url, json={"query": SEED_QUERY}, timeout=10).json()
    assert "errors" not in body, body
    found = store_values(body)
    assert len(found["ids"]) > 30 and found["cursors"] and found["slugs"]
    return found


def query_strategy(values: dict[str, list[str]]) -> st.SearchStrategy[str]:
    strings = st.one_of(
        st.sampled_from(values["slugs"] + values["tags"] + values["cursors"] + HOSTILE_STRINGS),
        st.text(max_size=40),
    )
    scalars = {
        "String": strings.map(nodes.String),
        "ID": st.one_of(st.sampled_from(values["ids"]), st.sampled_from(HOSTILE_IDS),
                        st.text(max_size=20)).map(nodes.String),
        "Int": st.one_of(st.sampled_from(EDGE_INTS), st.integers(-2**31, 2**31 - 1)).map(nodes.Int),
        "Date": st.one_of(st.dates().map(str), st.sampled_from(["2024-02-30", "x", "2024"]))
                  .map(nodes.String),
    }
    positive = queries(SDL, custom_scalars=scalars, mode=Mode.POSITIVE)
    negative = queries(SDL, custom_scalars=scalars, mode=Mode.NEGATIVE)
    return st.one_of(positive, positive, negative)  # mostly valid: they reach execution


STATS: Counter = Counter()


def check(response: httpx.Response, query: str, db_path: str) -> None:
    context = f"{response.status_code} for {query[:400]!r}: {response.text[:400]}"
    assert response.status_code < 500, context
    STATS[f"status {response.status_code}"] += 1
    body = response.json()
    assert isinstance(body, dict), context
    if "errors" in body:
        codes = error_codes(response)
        STATS.update(f"code {code}" for code in codes)
        assert "INTERNAL_SERVER_ERROR" not in codes, context
    else:
        assert response.status_code == 200 and isinstance(body.get("data"), dict), context
        STATS["data without errors"] += 1
    assert_no_leak(response.text, db_path)


def test_generated_queries_never_break_the_server(live, real_values):
    strategy = query_strategy(real_values)
    stop = time.monotonic() + SECONDS
    sent = Counter()

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not LONG,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.filter_too_much])
    @given(query=strategy, method=st.sampled_from(["POST", "POST", "GET"]))
    def fuzz(query: str, method: str) -> None:
        if time.monotonic() > stop:
            return  # time budget spent: let hypothesis finish without more requests
        graphql.parse(query)  # generated text is at least syntactically GraphQL
        if method == "GET":
            response = client.get(live.graphql_url, params={"query": query})
        else:
            response = client.post(live.graphql_url, json={"query": query})
        sent[method] += 1
        check(response, query, str(live.db))

    with httpx.Client(timeout=30) as client:
        fuzz()
    total = sum(sent.values())
    print(f"\nAPI fuzz: {total} queries ({dict(sent)}); {dict(sorted(STATS.items()))}")
    assert total >= min(EXAMPLES, 50), f"only {total} queries were sent"
    # Some queries got through validation and limits to execution, with data.
    assert STATS["data without errors"] > 0, dict(STATS)
    assert live.alive(), live.log()
    assert "Traceback" not in live.log(), live.log()
