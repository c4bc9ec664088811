"""Every example in the docs (README.md and docs/) is run, and must show the truth.

GraphQL examples that show a response are sent to a live server over content/ and
must get exactly that response; every other GraphQL example must run within the
default limits; every console session is run in a sandbox and must print what it
shows. The conventions are in tests/docs/examples.py and docs/project/docs.md.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.docs.examples import (
    ConsoleSession,
    Command,
    console_sessions,
    graphql_examples,
    line_matches,
    output_differs,
    response_differs,
    run_session,
    sandbox,
)

LIMIT_CODES = {"QUERY_TOO_COMPLEX", "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED",
               "PAYLOAD_TOO_LARGE", "INTERNAL_SERVER_ERROR", "TIMEOUT"}

EXAMPLES = graphql_examples()
SHOWN = [e for e in EXAMPLES if e.response is not None]
SESSIONS = console_sessions()


def post(server, query: str, variables: dict | None) -> dict:
    request = urllib.request.Request(
        server.graphql_url, data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_the_docs_have_examples_of_each_kind():
    # Guards the extraction itself: a broken pattern would otherwise run nothing and pass.
    assert len(SHOWN) >= 15, [e.where for e in SHOWN]
    assert any(e.variables for e in SHOWN)
    assert any(e.where.startswith("README.md") for e in SHOWN)
    assert len(SESSIONS) >= 6, [s.where for s in SESSIONS]
    assert any(s.where.startswith("docs/loading/cli.md") for s in SESSIONS)


@pytest.mark.parametrize("example", SHOWN, ids=[e.where for e in SHOWN])
def test_shown_response_is_the_real_response(docs_server, example):
    real = post(docs_server, example.query, example.variables)
    difference = response_differs(real, example.response)
    assert difference is None, f"{example.where}: {difference}"


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.where for e in EXAMPLES])
def test_every_graphql_example_runs_within_the_default_limits(docs_server, example):
    body = post(docs_server, example.query, example.variables)
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
    assert not codes & LIMIT_CODES, f"{example.where}: {body}"
    assert "data" in body


@pytest.mark.parametrize("session", SESSIONS, ids=[s.where for s in SESSIONS])
def test_console_session_prints_what_it_shows(docs_server, tmp_path, session):
    outputs = run_session(session, sandbox(tmp_path / "checkout"), docs_server.url)
    assert len(outputs) == len(session.commands), outputs
    for command, real in zip(session.commands, outputs):
        difference = output_differs(command.expected, real)
        assert difference is None, f"{session.where}: $ {command.line}\n{difference}"


# -- the comparisons themselves can fail ------------------------------------------

def test_a_changed_response_is_caught():
    shown = '{"data": {"article": {"title": "A"}}, "extensions": {"contentVersion": "x…"}}'
    assert response_differs({"data": {"article": {"title": "A"}},
                             "extensions": {"contentVersion": "abc"}}, shown) is None
    assert response_differs({"data": {"article": {"title": "B"}}}, shown) is not None
    assert response_differs({"data": {"article": {"title": "A", "date": "2025"}}}, shown)


def test_a_changed_output_is_caught(tmp_path):
    assert line_matches("in …s", "in 0.07s") and not line_matches("in …s", "in 0.07s!")
    assert not line_matches("loaded: 3", "loaded: 4")
    session = ConsoleSession("inline", [Command("echo one; echo two >&2", ["one", "three"])])
    (real,) = run_session(session, tmp_path, "http://127.0.0.1:9")
    assert real[:2] == ["one", "two"]
    assert output_differs(session.commands[0].expected, real) is not None
    assert output_differs(["one"], ["one", "extra"]) is not None
