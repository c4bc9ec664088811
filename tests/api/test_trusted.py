"""Trusted documents: with a manifest, only its operations run, sent by
`documentId` (body or GET, with or without `sha256:`), Relay's `doc_id`,
Apollo's persistedQuery hash, or their exact text. The manifest formats of
GraphQL Code Generator, relay-compiler and Apollo are read; a manifest that
does not fit the schema stops `serve` before it listens."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from api import errors
from api.schema import build_schema
from api.trusted import ManifestError, TrustedDocuments
from tests.support.live_server import CONTENT_API

from .helpers import make_client

LIST = "query Titles($first: Int!) { articles(first: $first) { nodes { slug title } } }"
ONE = "query One($slug: String!) { article(slug: $slug) { title } }"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("trusted") / "persisted-documents.json"
    # The client preset's form for one, relay-compiler's (md5 id, no prefix) for the other.
    path.write_text(json.dumps({f"sha256:{sha(LIST)}": LIST,
                                hashlib.md5(ONE.encode()).hexdigest(): ONE}))
    return path


@pytest.fixture(scope="module")
def client(content_db, manifest):
    return make_client(content_db, trusted_documents=manifest)


def not_allowed(response) -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    assert "data" not in body
    assert [e["extensions"]["code"] for e in body["errors"]] == [errors.PERSISTED_QUERY_NOT_ALLOWED]
    return body["errors"][0]["message"]


def titles(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [n["slug"] for n in response.json()["data"]["articles"]["nodes"]]


@pytest.mark.parametrize("document_id", [f"sha256:{sha(LIST)}", sha(LIST), f"SHA256:{sha(LIST)}"])
def test_a_listed_document_runs_by_document_id_in_a_post(client, document_id):
    response = client.post("/graphql", json={"documentId": document_id, "variables": {"first": 2}})
    assert len(titles(response)) == 2


def test_a_get_by_document_id_is_short_cacheable_and_revalidates(client):
    params = {"documentId": f"sha256:{sha(LIST)}", "variables": json.dumps({"first": 1})}
    response = client.get("/graphql", params=params)
    assert len(titles(response)) == 1
    assert "public" in response.headers["cache-control"] and response.headers["etag"]
    again = client.get("/graphql", params=params, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_relay_doc_id_and_apollo_hash_name_listed_documents(client):
    relay = client.post("/graphql", json={"doc_id": hashlib.md5(ONE.encode()).hexdigest(),
                                          "variables": {"slug": "2024-ai-trends"}})
    assert relay.json()["data"]["article"]["title"]
    apollo = client.post("/graphql", json={
        "variables": {"first": 3},
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha(LIST)}}})
    assert len(titles(apollo)) == 3


def test_the_exact_text_of_a_listed_document_runs(client):
    assert len(titles(client.post("/graphql", json={"query": LIST, "variables": {"first": 1}}))) == 1


def test_anything_else_is_not_allowed(client):
    # Ad-hoc text, the same operation reformatted, and an unknown id.
    message = not_allowed(client.post("/graphql", json={"query": "{ articles { totalCount } }"}))
    assert "documentId" in message
    not_allowed(client.post("/graphql", json={"query": LIST + " ", "variables": {"first": 1}}))
    unknown = not_allowed(client.post("/graphql", json={"documentId": "sha256:" + "0" * 64}))
    assert "0" * 64 in unknown
    not_allowed(client.get("/graphql", params={"query": "{ __schema { types { name } } }"}))
    not_allowed(client.post("/graphql", json={
        "query": "{ articles { totalCount } }",
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha("{ articles { totalCount } }")}}}))


def test_a_plain_json_client_gets_the_error_with_status_200(client):
    response = client.post("/graphql", json={"query": "{ articles { totalCount } }"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == errors.PERSISTED_QUERY_NOT_ALLOWED


def test_query_and_document_id_together_are_a_bad_request(client):
    response = client.post("/graphql", json={"query": LIST, "documentId": sha(LIST)})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == errors.BAD_REQUEST


def test_healthz_reports_the_manifest(client):
    assert client.get("/healthz").json()["trustedDocuments"] == 2


def test_without_a_manifest_document_ids_resolve_registered_queries(content_db):
    open_client = make_client(content_db)
    unknown = open_client.post("/graphql", json={"documentId": sha(LIST), "variables": {"first": 1}})
    assert unknown.json()["errors"][0]["extensions"]["code"] == errors.PERSISTED_QUERY_NOT_FOUND
    registered = open_client.post("/graphql", json={
        "query": LIST, "variables": {"first": 1},
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha(LIST)}}})
    assert len(titles(registered)) == 1
    again = open_client.post("/graphql", json={"documentId": f"sha256:{sha(LIST)}",
                                               "variables": {"first": 1}})
    assert len(titles(again)) == 1
    assert open_client.get("/healthz").json()["trustedDocuments"] is None


# -- manifests ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema():
    return build_schema()._schema


def write(tmp_path: Path, value) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(value if isinstance(value, str) else json.dumps(value))
    return path


def test_apollo_manifests_are_read(tmp_path, schema):
    path = write(tmp_path, {"format": "apollo-persisted-query-manifest", "version": 1,
                            "operations": [{"id": sha(LIST), "name": "Titles", "type": "query",
                                            "body": LIST}]})
    documents = TrustedDocuments.load(path, schema)
    assert len(documents) == 1 and documents.get(f"sha256:{sha(LIST)}") == LIST


@pytest.mark.parametrize("value, expected", [
    ("{not json", "not JSON"),
    ([LIST], "expected a JSON object"),
    ({}, "at least one document"),
    ({"a": 1}, "is not a string"),
    ({f"sha256:{sha(ONE)}": LIST}, "not the sha256"),
    ({sha(ONE): LIST}, "not the sha256"),
    ({"x": "{ nope }"}, "does not match this schema: Cannot query field 'nope'"),
    ({"x": "{ articles {"}, "does not match this schema: Syntax Error"),
    ({sha(LIST): LIST, f"sha256:{sha(LIST)}": LIST}, "differ only by their `sha256:` prefix"),
    ({sha(LIST): LIST, sha(LIST).upper(): LIST}, "case of their hex digits"),
    ({"format": "apollo-persisted-query-manifest", "version": 2, "operations": []}, "version 1"),
    ({"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "x"}]},
     "operations[0]"),
])
def test_a_bad_manifest_is_refused_with_the_reason(tmp_path, schema, value, expected):
    path = write(tmp_path, value)
    with pytest.raises(ManifestError) as raised:
        TrustedDocuments.load(path, schema)
    assert str(path) in str(raised.value) and expected in str(raised.value)


def test_serve_refuses_a_bad_manifest_before_listening(content_db, tmp_path):
    path = write(tmp_path, {"x": "{ nope }"})
    done = subprocess.run([str(CONTENT_API), "serve", "--db", str(content_db), "--port", "9",
                           "--trusted-documents", str(path)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert "does not match this schema" in done.stderr and str(path) in done.stderr


def test_a_document_over_the_servers_limits_is_refused_at_start(tmp_path):
    schema = build_schema()
    inner = "slug"
    for _ in range(6):  # 2 + 12 levels: past the depth limit of 10
        inner = f"trends {{ article {{ {inner} }} }}"
    deep = f"{{ articles {{ nodes {{ {inner} }} }} }}"
    path = write(tmp_path, {"deep": deep})
    TrustedDocuments.load(path, schema._schema)  # valid GraphQL...
    with pytest.raises(ManifestError, match="does not match this schema"):
        TrustedDocuments.load(path, schema._schema, schema.limit_rules)  # ...but too deep


def test_a_rejected_query_is_never_registered_whatever_the_media_type(content_db):
    bad = "{ nope }"
    for accept in ("application/json", "application/graphql-response+json"):
        client = make_client(content_db)
        extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha(bad)}}
        client.post("/graphql", json={"query": bad, "extensions": extensions},
                    headers={"Accept": accept})
        again = client.post("/graphql", json={"extensions": extensions}, headers={"Accept": accept})
        assert again.json()["errors"][0]["extensions"]["code"] == errors.PERSISTED_QUERY_NOT_FOUND


def test_hex_ids_match_in_either_case_and_doc_id_counts_next_to_a_null_document_id(
        content_db, tmp_path):
    path = write(tmp_path, {f"sha256:{sha(LIST).upper()}": LIST})
    client = make_client(content_db, trusted_documents=path)
    assert len(titles(client.post("/graphql", json={"documentId": sha(LIST),
                                                    "variables": {"first": 1}}))) == 1
    assert len(titles(client.post("/graphql", json={"documentId": None, "doc_id": sha(LIST),
                                                    "variables": {"first": 1}}))) == 1
