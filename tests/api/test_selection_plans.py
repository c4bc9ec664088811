"""Plans shared by the text of their selections (api.compiled.SelectionPlans): texts
reuse the plan of a selection seen before, whether the parser cache keeps them or
not, and answer exactly as graphql-core's executor does."""

from __future__ import annotations

import weakref

import pytest

from api import compiled, plans
from tests.api.helpers import make_client

SLUGS = ["2024-ai-trends", "2025-web-platform-trends", "edge-ai-privacy-2025"]


@pytest.fixture
def compiles(monkeypatch) -> list[str]:
    """The object types compiled, in order; and empty caches, this test's own."""
    monkeypatch.setattr(compiled, "_BY_SELECTION", weakref.WeakKeyDictionary())
    found: list[str] = []
    real = plans.Compiler.object_plan
    monkeypatch.setattr(plans.Compiler, "object_plan",
                        lambda self, *a: found.append(a[0].name) or real(self, *a))
    return found


def answers(clients, query: str, variables: dict | None = None) -> bytes:
    """The compiled answer, checked to be graphql-core's byte for byte."""
    ours, theirs = clients
    payload = {"query": query, "variables": variables}
    mine = ours.post("/graphql", json=payload)
    assert mine.status_code == 200 and "errors" not in mine.json(), mine.text
    assert mine.content == theirs.post("/graphql", json=payload).content
    return mine.content


def selections(clients) -> compiled.SelectionPlans:
    return compiled.selection_plans(clients[0].app.state.endpoint.schema._schema)


def test_texts_that_differ_outside_the_selection_share_its_plan(clients, compiles):
    """Another literal slug, operation name or comment: parsed and validated again,
    compiled only until the selection's second sight."""
    texts = [f'query Q{n} {{ article(slug: "{SLUGS[n % 3]}") {{ title trends {{ title '
             f'routes {{ name pros }} }} }} }} # {n}' for n in range(6)]
    bodies = [answers(clients, text) for text in texts]
    assert len(set(bodies)) == 3  # three articles, each answered twice
    assert compiles.count("Article") == 2, compiles
    assert len(selections(clients).kept) == 1


def test_kept_texts_that_differ_outside_the_selection_share_its_plan(clients, compiles):
    """Each text read twice, so kept by the parser cache: the plans cached by the
    identity of its nodes are its own, but compiled once for all of them."""
    texts = [f'{{ article(slug: "{slug}") {{ title trends {{ title routes {{ name }} }} }} }}'
             for slug in SLUGS]
    for text in texts:
        assert answers(clients, text) == answers(clients, text)
    assert compiles.count("Article") == 2, compiles  # until the selection's second sight


def test_a_kept_text_keeps_the_skip_and_include_values_its_shared_plan_assumed(
        clients, compiles):
    """A kept document takes a shared plan compiled for another document: it keeps it
    with the @include value that plan assumed, and a request with another value
    gets a plan of its own."""
    text = 'query($f: Boolean!) {{ article(slug: "{s}") {{ title trends @include(if: $f) {{ title }} }} }}'
    one, two = text.format(s=SLUGS[0]), text.format(s=SLUGS[1])
    for query in (one, one, two, two):
        assert b'"trends"' in answers(clients, query, {"f": True})
    assert b'"trends"' not in answers(clients, two, {"f": False})
    assert b'"trends"' in answers(clients, two, {"f": True})


def test_kept_texts_that_differ_in_their_variables_share_a_plan_and_answer_alike(
        clients, compiles):
    """Plans read variables when they run, as the running request coerced them: the
    definitions (types, defaults) of the document that compiled a plan do not matter."""
    selection = ' {{ article(slug: "{s}") {{ title trends @include(if: $f) {{ title }} }} }}'
    texts = [("query($f: Boolean! = true)" + selection).format(s=SLUGS[0]),
             ("query($f: Boolean = false)" + selection).format(s=SLUGS[0])]
    for query in texts * 2:
        body = answers(clients, query)
        assert (b'"trends"' in body) == ("true" in query)


def test_a_kept_text_whose_plans_left_the_cache_is_not_compiled_again(
        clients, compiles, monkeypatch):
    """The cache by identity holds its documents' plans for as long as its bounds
    allow, not as long as the parser cache keeps the documents. A kept text whose
    plans were dropped finds them by the text of its selections."""
    monkeypatch.setattr(compiled, "_PLANS", compiled.LRU(0))  # keeps nothing: always dropped
    text = f'{{ article(slug: "{SLUGS[0]}") {{ title trends {{ title routes {{ name }} }} }} }}'
    first = answers(clients, text)
    for _ in range(3):
        assert answers(clients, text) == first
    settled = len(compiles)
    for _ in range(3):
        assert answers(clients, text) == first
    assert len(compiles) == settled and compiles.count("Article") <= 2, compiles


def test_a_shared_plan_is_chosen_by_the_skip_and_include_values_it_assumed(clients, compiles):
    text = ('query($full: Boolean!) {{ article(slug: "{slug}") {{ title '
            'trends @include(if: $full) {{ title }} description @skip(if: $full) }} }} # {n}')
    for n in range(8):
        full = n % 2 == 0
        body = answers(clients, text.format(slug=SLUGS[n % 3], n=n), {"full": full})
        assert (b'"trends"' in body) == full and (b'"description"' in body) == (not full)
    assert compiles.count("Article") <= 4  # two variants, each kept from its second sight


def test_the_fragments_of_a_document_are_part_of_the_key(clients, compiles):
    query = '{{ article(slug: "{slug}") {{ ...F }} }} fragment F on Article {{ {field} }} # {n}'
    for n in range(6):
        field = "title" if n % 2 else "slug"
        body = answers(clients, query.format(slug=SLUGS[0], field=field, n=n))
        assert (b'"title"' in body) == (field == "title")
    assert len(selections(clients).kept) == 2


def test_selections_seen_once_are_not_kept(clients, compiles):
    for n in range(12):  # an alias of its own inside every selection
        answers(clients, f'{{ article(slug: "{SLUGS[0]}") {{ t{n}: title }} }}')
    assert not selections(clients).kept and compiles.count("Article") == 12


def test_each_schema_has_its_own(content_db, compiles):
    query = '{{ article(slug: "{slug}") {{ title }} }} # {n}'
    with make_client(content_db, response_cache_size=0) as one, \
            make_client(content_db, response_cache_size=0) as other:
        for n in range(3):
            assert one.post("/graphql", json={"query": query.format(slug=SLUGS[0], n=n)}
                            ).status_code == 200
        assert other.post("/graphql", json={"query": query.format(slug=SLUGS[0], n=9)}
                          ).json()["data"]["article"]["title"]
    assert compiles.count("Article") == 3  # two for the first schema, one for the other


def test_a_kept_refusal_keeps_nothing_of_the_request_that_met_it(clients, compiles):
    """An introspection selection is refused (Unsupported) and the refusal kept like
    a plan: without the traceback whose frames would hold that request's rows."""
    for n in range(3):
        body = clients[0].post("/graphql", json={
            "query": f"{{ __schema {{ queryType {{ name }} }} }} # {n}"}).json()
        assert body["data"]["__schema"]["queryType"]["name"] == "Query"
    kept = [plan for variants in selections(clients).kept._items.values()
            for _assumed, plan in variants]
    refusals = [plan for plan in kept if isinstance(plan, plans.Unsupported)]
    assert refusals and all(plan.__traceback__ is None for plan in refusals)
