"""Fixtures for the API tests: real SQLite files built by the real loader, and the app over them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.helpers import CONTENT, SEED, build_db, make_client
from tests.support.live_server import Server


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory) -> Path:
    """The user's seed article alone."""
    return build_db(tmp_path_factory.mktemp("seed"), {SEED.name: SEED.read_text("utf-8")})


@pytest.fixture(scope="session")
def content_db(tmp_path_factory) -> Path:
    """Everything in content/ (the seed plus the other committed articles)."""
    files = {p.name: p.read_text("utf-8") for p in sorted(CONTENT.glob("*.md"))}
    return build_db(tmp_path_factory.mktemp("content"), files)


@pytest.fixture(scope="session")
def seed_client(seed_db):
    with make_client(seed_db) as client:
        yield client


@pytest.fixture(scope="session")
def content_client(content_db):
    with make_client(content_db) as client:
        yield client


@pytest.fixture(scope="module")
def live_server(content_db):
    """A real `content-api serve` over content/ on a free loopback port."""
    with Server(content_db).start() as server:
        yield server


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The texts graphql-core parses for api.documents, in order."""
    import api.documents
    texts: list[str] = []
    real_parse = api.documents.parse
    monkeypatch.setattr(api.documents, "parse",
                        lambda query, **options: texts.append(query) or real_parse(query, **options))
    return texts


@pytest.fixture
def clients(content_db):
    """Two apps over content/, the response cache off: with compiled execution
    (proven documents, root fields and plans) and without (Strawberry and
    graphql-core alone), the reference their answers are compared with."""
    with make_client(content_db, response_cache_size=0) as ours, \
            make_client(content_db, response_cache_size=0, compiled_execution=False) as theirs:
        yield ours, theirs
