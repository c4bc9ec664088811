"""api.documents: a text is parsed once a request, and kept from its second sight."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from graphql import GraphQLError

from api import compiled, plans
from api.cache import LRU
from api.documents import Documents
from tests.api.helpers import codes, make_client


def test_a_text_is_kept_from_its_second_sight():
    documents = Documents(4)
    first = documents.parse("{ years { year } }")
    assert not documents.keeps(first, "{ years { year } }")
    second = documents.parse("{ years { year } }")
    assert second is not first and documents.keeps(second, "{ years { year } }")
    assert documents.parse("{ years { year } }") is second


def test_parse_options_are_part_of_the_key():
    documents = Documents(4)
    for _ in range(2):
        kept = documents.parse("{ years { year } }", max_tokens=100)
    assert documents.keeps(kept, "{ years { year } }", max_tokens=100)
    assert documents.parse("{ years { year } }", max_tokens=50) is not kept


def test_the_kept_documents_are_bounded_and_forgotten_in_order():
    documents = Documents(2)
    kept = {}
    for text in ("{ a }", "{ b }", "{ c }"):
        documents.parse(text)
        kept[text] = documents.parse(text)
    assert not documents.keeps(kept["{ a }"], "{ a }")  # the oldest went first
    assert documents.keeps(kept["{ b }"], "{ b }") and documents.keeps(kept["{ c }"], "{ c }")
    assert len(documents.kept) == 2


def test_texts_seen_once_are_remembered_within_a_bound():
    documents = Documents(2, remembered=3)
    for n in range(10):
        documents.parse(f"{{ f{n} }}")
    assert len(documents.seen) == 3 and not documents.kept


def test_a_syntax_error_is_raised_and_not_counted_as_a_sight():
    documents = Documents(2)
    for _ in range(3):
        with pytest.raises(GraphQLError):
            documents.parse("{ broken")
    assert not documents.seen and not documents.kept


def test_a_size_of_zero_keeps_nothing():
    documents = Documents(0)
    for _ in range(2):
        assert not documents.keeps(documents.parse("{ a }"), "{ a }")


def test_an_unseen_text_leaves_no_plans_or_validation_behind(seed_db, monkeypatch):
    """What a flood of unseen texts costs a worker: no document, validation or plan
    of theirs kept (api.documents); only their shared selection's plan, once
    (api.compiled.SelectionPlans)."""
    monkeypatch.setattr(compiled, "_PLANS", LRU(512))  # this test's own, not filled by others
    query = 'query {{ article(slug: "2024-ai-trends") {{ title trends {{ title }} }} }} # {}'
    with make_client(seed_db, response_cache_size=0) as client:
        schema = client.app.state.endpoint.schema
        for n in range(20):
            assert client.post("/graphql", json={"query": query.format(n)}).status_code == 200
        assert not compiled._PLANS._items and not schema.validated._items
        assert not schema.documents.kept
        assert len(compiled.selection_plans(schema._schema).kept) == 1
        # The same text again: kept, validated once more and planned into the caches.
        assert client.post("/graphql", json={"query": query.format(0)}).status_code == 200
        assert compiled._PLANS._items and len(schema.validated._items) == 1
        assert len(schema.documents.kept) == 1


def test_an_unseen_text_compiles_each_selection_once(seed_db, monkeypatch):
    """Not kept across requests, a document's plans still serve every object of its
    one execution (ExecutionPlans): a list's items do not each compile again."""
    monkeypatch.setattr(compiled, "_PLANS", LRU(512))
    compiles = []
    real = plans.Compiler.object_plan
    monkeypatch.setattr(plans.Compiler, "object_plan",
                        lambda self, *a: compiles.append(a[0].name) or real(self, *a))
    with make_client(seed_db, response_cache_size=0) as client:
        ids = [t["id"] for t in client.post("/graphql", json={
            "query": '{ article(slug: "2024-ai-trends") { trends { id } } }'}).json()[
            "data"]["article"]["trends"]]
        compiles.clear()
        # A list at the root: graphql-core completes each of its objects on its own.
        body = client.post("/graphql", json={
            "query": "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Trend { title } } }",
            "variables": {"ids": ids}}).json()
    assert len(body["data"]["nodes"]) == len(ids) > 1
    assert compiles.count("Trend") == 1


def test_a_text_that_does_not_parse_is_parsed_once(seed_db, parsed):
    with make_client(seed_db, response_cache_size=0) as client:
        r = client.post("/graphql", json={"query": "{ years { year "})
    assert r.status_code == 400 and codes(r.json()) == ["GRAPHQL_PARSE_FAILED"]
    assert parsed == ["{ years { year "]


@pytest.mark.parametrize("setting, frozen", [("1", True), ("0", False)])
def test_a_served_process_freezes_what_it_built(seed_db, setting, frozen):
    """app_from_env (what `serve` and its workers run) moves the app it built out
    of the collector's generations unless CONTENT_API_GC_FREEZE=0. In a child
    process: freezing is process-wide."""
    code = ("import gc; from api.app import app_from_env; app_from_env(); "
            "print(gc.get_freeze_count())")
    env = {**os.environ, "CONTENT_API_DB_PATH": str(seed_db), "CONTENT_API_GC_FREEZE": setting}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert (int(out) > 10_000) is frozen


@pytest.mark.parametrize("setting, expected", [(None, 10_000), ("2500", 2500), ("0", 700)])
def test_a_served_process_sets_the_collectors_young_threshold(seed_db, setting, expected):
    """app_from_env sets the first threshold of the cyclic collector
    (CONTENT_API_GC_YOUNG_THRESHOLD; 0 keeps Python's 700). In a child process."""
    code = ("import gc; from api.app import app_from_env; app_from_env(); "
            "print(gc.get_threshold()[0])")
    env = {**os.environ, "CONTENT_API_DB_PATH": str(seed_db)}
    env.pop("CONTENT_API_GC_YOUNG_THRESHOLD", None)
    if setting is not None:
        env["CONTENT_API_GC_YOUNG_THRESHOLD"] = setting
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert int(out) == expected


def test_a_parsed_document_leaves_no_reference_cycle():
    """Its tokens are linked forward only, so a text seen once goes with its last
    reference, not with a pass of the garbage collector."""
    import gc

    from graphql.language import Token

    documents = Documents(size=4)
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a pass finds unreachable stays in gc.garbage
    try:
        document = documents.parse('query Q($s: String!) { article(slug: $s) { title } } # once')
        assert document.loc.start_token.next is not None  # the tokens are still there
        del document
        gc.collect()
        assert not [o for o in gc.garbage if isinstance(o, Token)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
