"""The GraphiQL page and its pinned offline assets, through the real app (no browser).

Browser behaviour is in test_graphiql_browser.py; this checks what the server
sends: integrity hashes that match the bytes served, the pinned manifest,
the install hint when files are missing or tampered with, and the default query.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import warnings
from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from api import graphiql
from api.app import create_app
from api.config import Settings

from .conftest import REPO, require

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def installed_assets() -> Path:
    folder = graphiql.assets_dir()
    require(all((folder / rel).is_file() for rel in graphiql.PINNED_ASSETS.values()),
            "GraphiQL assets", "run `make assets`")
    return folder


@pytest.fixture(scope="module")
def client(content_db, installed_assets):
    with TestClient(create_app(Settings(db_path=content_db))) as test_client:
        yield test_client


def sha384(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def tag_urls(page: str) -> dict[str, str]:
    """URL -> integrity for every script and stylesheet tag on the page."""
    pattern = r'<(?:script src|link rel="stylesheet" href)="([^"]+)" integrity="([^"]+)"'
    return dict(re.findall(pattern, page))


def test_page_references_every_asset_with_integrity_matching_served_bytes(client):
    response = client.get("/graphql", headers=HTML)
    assert response.status_code == 200
    tags = tag_urls(response.text)
    expected_names = set(graphiql.PINNED_ASSETS) | set(graphiql.OWN_ASSETS)
    assert {url.rsplit("/", 1)[1] for url in tags} == expected_names
    for url, integrity in tags.items():
        assert url.startswith("/graphiql/"), "assets come from the app itself, never a CDN"
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert sha384(asset.content) == integrity, f"integrity of {url} does not match its bytes"
        assert asset.headers["content-type"].startswith(("text/javascript", "text/css"))


def test_page_has_no_external_urls_and_a_strict_csp(client):
    response = client.get("/graphql", headers=HTML)
    assert not re.search(r'(?:src|href)="(?:https?:)?//', response.text)
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp


def test_pinned_integrity_manifest_matches_installed_release(installed_assets):
    pinned = json.loads((installed_assets / "integrity.json").read_text())
    assert set(pinned) == set(graphiql.PINNED_ASSETS)
    for name, relative in graphiql.PINNED_ASSETS.items():
        assert pinned[name] == sha384((installed_assets / relative).read_bytes()), name


def test_lockfile_pins_the_versions_the_issue_asks_for():
    lock = json.loads((REPO / "graphiql" / "package-lock.json").read_text())
    packages = lock["packages"]
    assert packages["node_modules/graphiql"]["version"].startswith("3.")
    assert packages["node_modules/react"]["version"] == "18.2.0"
    assert packages["node_modules/react-dom"]["version"] == "18.2.0"
    assert packages["node_modules/@graphiql/plugin-explorer"]["version"] == "1.0.2"
    for name in ("graphiql", "react", "react-dom", "@graphiql/plugin-explorer"):
        assert packages[f"node_modules/{name}"]["integrity"].startswith("sha512-")


@pytest.mark.parametrize("name", ["package.json", "..%2Fpackage.json", "integrity.json", "nope.js"])
def test_only_listed_assets_are_served(client, name):
    assert client.get(f"/graphiql/{name}").status_code == 404


def test_missing_assets_page_says_how_to_install(content_db, tmp_path, monkeypatch):
    monkeypatch.setenv(graphiql.ASSETS_DIR_ENV, str(tmp_path))  # an empty folder
    with TestClient(create_app(Settings(db_path=content_db))) as test_client:
        response = test_client.get("/graphql", headers=HTML)
    assert response.status_code == 503
    assert "make assets" in response.text and "<script" not in response.text
    assert "react.production.min.js" in response.text  # names what is missing


def test_tampered_asset_is_refused_with_install_hint(content_db, installed_assets, tmp_path, monkeypatch):
    copy = tmp_path / "graphiql"
    for relative in (*graphiql.PINNED_ASSETS.values(), *graphiql.OWN_ASSETS.values(), "integrity.json"):
        (copy / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(installed_assets / relative, copy / relative)
    explorer = copy / graphiql.PINNED_ASSETS["explorer.js"]
    explorer.write_bytes(explorer.read_bytes() + b"\n/* changed */\n")
    monkeypatch.setenv(graphiql.ASSETS_DIR_ENV, str(copy))
    with TestClient(create_app(Settings(db_path=content_db))) as test_client:
        response = test_client.get("/graphql", headers=HTML)
        assert test_client.get("/graphiql/explorer.js").status_code == 404
    assert response.status_code == 503
    assert "does not match the pinned release" in response.text and "make assets" in response.text


def test_default_query_is_valid_against_committed_schema():
    schema = build_schema((REPO / "schema.graphql").read_text(encoding="utf-8"))
    errors = validate(schema, parse(graphiql.DEFAULT_QUERY))
    assert errors == []


def test_default_query_returns_the_seed_structure(client):
    response = client.post("/graphql", json={"query": graphiql.DEFAULT_QUERY})
    body = response.json()
    assert "errors" not in body, body
    article = body["data"]["article"]
    assert article["title"] == "2024 年人工智能领域的三大发展趋势分析"
    assert [t["position"] for t in article["trends"]] == [1, 2, 3]
    assert [r["name"] for r in article["trends"][0]["routes"]] == ["大模型优先路线", "小模型专用路线"]
    assert all(t["keyPoints"] and t["advice"] for t in article["trends"])


def test_config_json_cannot_close_its_script_element():
    manifest = {"init.js": graphiql.Asset("init.js", Path("init.js"), "sha384-x")}
    page = graphiql.render_page(manifest, "/graphiql", "/graphql</script><script>alert(1)")
    config_block = page.split('id="graphiql-config">', 1)[1].split("</script>", 1)[0]
    assert json.loads(config_block)["endpoint"] == "/graphql</script><script>alert(1)"
