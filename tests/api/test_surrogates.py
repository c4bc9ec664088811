"""Surrogate keys and per-read ETags (api/surrogates.py), in process, under both executors."""

from __future__ import annotations

import base64
import json
import re

import pytest
from click.testing import CliRunner

from api.cli import main
from api.surrogates import Versions
from loader.keys import article_key
from loader.load import load_content
from tests.api.helpers import ACCEPT, CONTENT, SEED, make_client

SLUGS = ("2024-ai-trends", "2025-web-platform-trends", "edge-ai-privacy-2025")
ARTICLE = '{ article(slug: "%s") { title trends { title routes { name pros } } } }'
LIST = "{ articles(first: 10) { nodes { slug title } } }"


def _content(tmp_path):
    folder = tmp_path / "content"
    folder.mkdir()
    for source in CONTENT.glob("*.md"):
        (folder / source.name).write_bytes(source.read_bytes())
    return folder


@pytest.fixture()
def store(tmp_path):
    folder = _content(tmp_path)
    db = tmp_path / "content.db"
    load_content(folder, db)
    return folder, db


def get(client, query, variables=None, **headers):
    params = {"query": query}
    if variables is not None:
        params["variables"] = json.dumps(variables)
    return client.get("/graphql", params=params, headers={"Accept": ACCEPT, **headers})


def xkeys(response) -> list[str]:
    return response.headers["xkey"].split()


def _edit_title(folder, name: str, title: str) -> None:
    path = folder / name
    text = path.read_text("utf-8")
    path.write_text(re.sub(r"^title: .*$", f"title: {title}", text, count=1, flags=re.M),
                    encoding="utf-8")


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "graphql-core"])
def test_keys_name_what_each_response_read(store, compiled):
    folder, db = store
    with make_client(db, compiled_execution=compiled, reload_check_seconds=0) as client:
        one = get(client, ARTICLE % SLUGS[0])
        assert xkeys(one) == [article_key(SLUGS[0])]
        assert xkeys(get(client, LIST)) == [article_key(s) for s in sorted(SLUGS)] + ["list"]
        # Neighbours and related articles depend on the whole collection.
        nav = get(client, '{ article(slug: "%s") { next { slug } related { slug } } }' % SLUGS[0])
        assert "list" in xkeys(nav) and article_key(SLUGS[0]) in xkeys(nav)
        assert "search" in xkeys(get(client, '{ search(query: "AI") { totalCount } }'))
        assert xkeys(get(client, "{ tags { name } years { year } }")) == ["facets"]
        assert xkeys(get(client, "{ contentDiagnostics { message } }")) == ["diagnostics"]
        # A lookup that found nothing names the slug it looked for: the
        # article's appearing must change this answer.
        missing = get(client, '{ article(slug: "not-yet") { title } }')
        assert missing.json()["data"] == {"article": None}
        assert xkeys(missing) == [article_key("not-yet")]
        # A node found by its global ID, and a missing one, by their article's slug.
        trend_id = base64.urlsafe_b64encode(f"Trend:{SLUGS[1]}/1".encode()).decode().rstrip("=")
        node = get(client, 'query ($id: ID!) { node(id: $id) { id } }', {"id": trend_id})
        assert node.json()["data"]["node"]["id"] == trend_id
        assert xkeys(node) == [article_key(SLUGS[1])]


def test_every_article_in_a_response_is_among_its_keys(store):
    """Over nested queries from every root: the slugs of all the articles whose
    data a response holds are in its xkey header (a superset is allowed)."""
    _, db = store
    article_fields = "slug trends { article { slug } routes { trend { article { slug } } } }"
    queries = [
        "{ articles(first: 3) { nodes { %s next { slug } previous { slug } } } }" % article_fields,
        "{ trends(first: 20) { nodes { article { slug } } } }",
        "{ routes(first: 50) { nodes { trend { article { slug } } } } }",
        "{ advice(first: 50) { nodes { trend { article { slug } } } } }",
        '{ search(query: "AI", first: 50) { nodes { article { slug } node { '
        "... on Trend { article { slug } } ... on Route { trend { article { slug } } } } } } }",
        '{ article(slug: "%s") { related(first: 5) { slug } } }' % SLUGS[2],
    ]
    with make_client(db) as client:
        for query in queries:
            response = get(client, query)
            body = response.json()
            assert "errors" not in body, body
            found = set(re.findall(r'"slug":"([^"]+)"', response.text))
            assert found, query
            assert {article_key(s) for s in found} <= set(xkeys(response)), query


def test_an_etag_changes_only_with_what_the_response_read(store):
    folder, db = store
    with make_client(db, reload_check_seconds=0) as client:
        before = {slug: get(client, ARTICLE % slug) for slug in SLUGS}
        list_before = get(client, LIST)
        version = client.app.state.holder.current().content_version
        _edit_title(folder, "2024-ai-trends.md", "A new title")
        load_content(folder, db)
        changed = get(client, ARTICLE % SLUGS[0])
        assert changed.json()["extensions"]["contentVersion"] != version
        assert changed.json()["data"]["article"]["title"] == "A new title"
        assert changed.headers["etag"] != before[SLUGS[0]].headers["etag"]
        assert get(client, LIST).headers["etag"] != list_before.headers["etag"]
        for slug in SLUGS[1:]:
            again = get(client, ARTICLE % slug)
            assert again.status_code == 200
            assert again.headers["etag"] == before[slug].headers["etag"]
            # Revalidating what the publish left alone: 304, same ETag.
            revalidated = get(client, ARTICLE % slug, **{"If-None-Match": again.headers["etag"]})
            assert revalidated.status_code == 304
            assert revalidated.headers["etag"] == before[slug].headers["etag"]
        # The old ETag of the changed article no longer matches.
        stale = get(client, ARTICLE % SLUGS[0],
                    **{"If-None-Match": before[SLUGS[0]].headers["etag"]})
        assert stale.status_code == 200


def test_a_revalidation_after_a_publish_does_not_execute(store, monkeypatch):
    folder, db = store
    with make_client(db, reload_check_seconds=0) as client:
        first = get(client, ARTICLE % SLUGS[1])
        _edit_title(folder, "2024-ai-trends.md", "Another title")
        load_content(folder, db)
        endpoint = client.app.state.endpoint
        runs = []
        real = endpoint._execute

        async def counting(*args, **kwargs):
            runs.append(1)
            return await real(*args, **kwargs)

        monkeypatch.setattr(endpoint, "_execute", counting)
        again = get(client, ARTICLE % SLUGS[1], **{"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and runs == []
        # The changed article is executed again, and answers in full.
        assert get(client, ARTICLE % SLUGS[0]).status_code == 200 and runs == [1]


def test_an_article_appearing_changes_the_etag_of_its_missing_lookup(store):
    folder, db = store
    query = '{ article(slug: "brand-new") { title } }'
    with make_client(db, reload_check_seconds=0) as client:
        missing = get(client, query)
        (folder / "brand-new.md").write_text(SEED.read_text("utf-8"), encoding="utf-8")
        load_content(folder, db)
        found = get(client, query, **{"If-None-Match": missing.headers["etag"]})
        assert found.status_code == 200 and found.json()["data"]["article"]["title"]


def test_drafts_are_absent_to_a_public_server(store):
    folder, db = store
    path = folder / "2025-web-platform-trends.md"
    path.write_text(path.read_text("utf-8").replace("---\n", "---\ndraft: true\n", 1), "utf-8")
    load_content(folder, db)
    with make_client(db) as client:
        versions = Versions(client.app.state.holder.current().conn, "state")
        assert versions.of(article_key("2025-web-platform-trends")) == "absent"
        assert versions.of(article_key(SLUGS[0])) != "absent"


def test_load_writes_the_keys_it_changed(tmp_path):
    folder = _content(tmp_path)
    db, keys = tmp_path / "content.db", tmp_path / "changed.keys"
    runner = CliRunner()

    def load() -> list[str]:
        result = runner.invoke(main, ["load", str(folder), "--db", str(db),
                                      "--changed-keys", str(keys)])
        assert result.exit_code == 0, result.output
        lines = keys.read_text().splitlines()
        assert lines[0].startswith("# content version: ")
        return lines[1:]

    collections = ["list", "search", "facets", "diagnostics"]
    assert load() == sorted(article_key(s) for s in SLUGS) + collections
    assert load() == []  # nothing changed
    _edit_title(folder, "2025-edge-ai-privacy.md", "Edited")
    assert load() == [article_key("edge-ai-privacy-2025")] + collections
    (folder / "2024-ai-trends.md").unlink()
    assert load() == [article_key("2024-ai-trends")] + collections
    # An article whose file moved keeps its slug but shows a new source path.
    (folder / "2025-web-platform-trends.md").rename(folder / "moved.md")
    moved = load()
    assert article_key("2025-web-platform-trends") in moved


def test_load_with_errors_writes_no_keys(tmp_path):
    folder = _content(tmp_path)
    db, keys = tmp_path / "content.db", tmp_path / "changed.keys"
    (folder / "bad.md").write_text("---\ntitle: x\ndate: 2025-02-30\n---\n# x\n", "utf-8")
    result = CliRunner().invoke(main, ["load", str(folder), "--db", str(db),
                                       "--changed-keys", str(keys)])
    assert result.exit_code == 1 and not keys.exists() and not db.exists()
    result = CliRunner().invoke(main, ["load", str(folder), "--db", str(db),
                                       "--changed-keys", str(tmp_path / "no" / "keys")])
    assert result.exit_code == 2 and "--changed-keys" in result.output and not db.exists()


def test_purge_rejects_a_bad_keys_file_by_line(tmp_path):
    keys = tmp_path / "keys"
    keys.write_text("# content version: abc\nlist\n\narticle:ok-slug\nnot a key\n")
    result = CliRunner().invoke(main, ["purge", "--cache", "http://127.0.0.1:9",
                                       "--keys-file", str(keys)])
    assert result.exit_code == 1
    assert f"{keys}:5: 'not a key' is not a surrogate key" in result.output
    keys.write_text("list\n")
    unreachable = CliRunner().invoke(main, ["purge", "--cache", "http://127.0.0.1:9",
                                            "--keys-file", str(keys)])
    assert unreachable.exit_code == 2 and "cannot reach the cache" in unreachable.output
