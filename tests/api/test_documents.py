"""api.documents: a text is parsed once a request, and kept from its second sight."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from graphql import GraphQLError

from api import compiled
from api.documents import Documents
from tests.api.helpers import make_client


def test_a_text_is_kept_from_its_second_sight():
    documents = Documents(4)
    first = documents.parse("{ years { year } }")
    assert not documents.keeps(first)
    second = documents.parse("{ years { year } }")
    assert second is not first and documents.keeps(second)
    assert documents.parse("{ years { year } }") is second


def test_parse_options_are_part_of_the_key():
    documents = Documents(4)
    for _ in range(2):
        kept = documents.parse("{ years { year } }", max_tokens=100)
    assert documents.keeps(kept)
    assert documents.parse("{ years { year } }", max_tokens=50) is not kept


def test_the_kept_documents_are_bounded_and_forgotten_in_order():
    documents = Documents(2)
    kept = {}
    for text in ("{ a }", "{ b }", "{ c }"):
        documents.parse(text)
        kept[text] = documents.parse(text)
    assert not documents.keeps(kept["{ a }"])  # the oldest went first
    assert documents.keeps(kept["{ b }"]) and documents.keeps(kept["{ c }"])
    assert len(documents._kept) == 2


def test_texts_seen_once_are_remembered_within_a_bound():
    documents = Documents(2, remembered=3)
    for n in range(10):
        documents.parse(f"{{ f{n} }}")
    assert len(documents._seen) == 3 and not documents._kept


def test_a_syntax_error_is_raised_and_not_counted_as_a_sight():
    documents = Documents(2)
    for _ in range(3):
        with pytest.raises(GraphQLError):
            documents.parse("{ broken")
    assert not documents._seen and not documents._kept


def test_a_size_of_zero_keeps_nothing():
    documents = Documents(0)
    assert not documents.keeps(documents.parse("{ a }")) and not documents.keeps(documents.parse("{ a }"))


def test_an_unseen_text_leaves_no_plans_or_validation_behind(seed_db):
    """What a flood of unseen texts costs a worker: nothing kept (api.documents)."""
    query = 'query {{ article(slug: "2024-ai-trends") {{ title trends {{ title }} }} }} # {}'
    with make_client(seed_db, response_cache_size=0) as client:
        schema = client.app.state.endpoint.schema
        plans, kept = len(compiled._PLANS._items), len(schema.documents._kept)
        for n in range(20):
            assert client.post("/graphql", json={"query": query.format(n)}).status_code == 200
        assert len(compiled._PLANS._items) == plans
        assert len(schema.documents._kept) == kept
        # The same text again: kept, planned and answered from its plans.
        assert client.post("/graphql", json={"query": query.format(0)}).status_code == 200
        assert len(compiled._PLANS._items) > plans
        assert len(schema.documents._kept) == kept + 1


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
