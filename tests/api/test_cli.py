"""The real `content-api serve` process on a loopback port, and `export-schema`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from api.schema import export_sdl
from tests.support.live_server import Server

Q = '{ article(slug: "2024-ai-trends") { title trends { title routes { name cons } } } }'


def test_export_schema_prints_the_sdl():
    exe = Path(sys.executable).with_name("content-api")
    out = subprocess.run([str(exe), "export-schema"], capture_output=True, text=True, timeout=60,
                         check=True).stdout
    assert out == export_sdl()
    assert "interface Node" in out and "type Query" in out


def test_serve_refuses_a_missing_database(tmp_path):
    exe = Path(sys.executable).with_name("content-api")
    result = subprocess.run([str(exe), "serve", "--db", str(tmp_path / "missing.db"), "--port", "9"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "content-api load" in result.stderr


@pytest.mark.parametrize("option", ["--head-timeout", "--body-timeout"])
@pytest.mark.parametrize("value", ["0", "-1"])
def test_serve_refuses_a_timeout_that_is_not_positive(tmp_path, option, value):
    # 0 would close every connection before its head arrives, or (for the body)
    # refuse every body still on its way: a typo, not a setting.
    exe = Path(sys.executable).with_name("content-api")
    result = subprocess.run([str(exe), "serve", "--db", str(tmp_path / "any.db"), "--port", "9",
                             option, value], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and option in result.stderr, result.stderr


def test_live_health_and_query(live_server):
    with httpx.Client(base_url=live_server.url, timeout=5) as client:
        health = client.get("/healthz").json()
        assert health["articleCount"] == 3 and len(health["contentVersion"]) == 64
        r = client.post("/graphql", json={"query": Q})
        data = r.json()["data"]["article"]
        assert data["title"] == "2024 年人工智能领域的三大发展趋势分析"
        assert data["trends"][1]["routes"][0]["cons"] == ["对网络连接依赖较强，存在数据延迟和隐私问题。"]
        assert r.json()["extensions"]["contentVersion"] == health["contentVersion"]
        assert r.headers["x-request-id"]


def test_live_etag_304(live_server):
    with httpx.Client(base_url=live_server.url, timeout=5) as client:
        first = client.get("/graphql", params={"query": Q})
        etag = first.headers["etag"]
        second = client.get("/graphql", params={"query": Q}, headers={"If-None-Match": etag})
        assert second.status_code == 304 and second.headers["etag"] == etag
        assert client.get("/schema.graphql").text == export_sdl()


@pytest.mark.parametrize("kwargs, status", [
    ({"content": b"{" + b" " * (10 * 1024 * 1024), "headers": {"content-type": "application/json"}}, 413),
    ({"content": b'{"query": "\xff"}', "headers": {"content-type": "application/json"}}, 400),
    ({"content": b'[{"query": "{ years { year } }"}]', "headers": {"content-type": "application/json"}}, 400),
    ({"content": b"{ years { year } }", "headers": {"content-type": "application/graphql"}}, 415),
])
def test_live_rejections_are_4xx_with_codes(live_server, kwargs, status):
    with httpx.Client(base_url=live_server.url, timeout=10) as client:
        r = client.post("/graphql", **kwargs)
    assert r.status_code == status
    assert r.json()["errors"][0]["extensions"]["code"]
    assert "Traceback" not in r.text


def test_live_search_and_hostile_syntax(live_server):
    query = "query($q: String!) { search(query: $q) { totalCount } }"
    with httpx.Client(base_url=live_server.url, timeout=5) as client:
        for q in ["芯片", '"NEAR( * AND - ^ ]', "privacy"]:
            r = client.post("/graphql", json={"query": query, "variables": {"q": q}})
            assert r.status_code == 200 and "errors" not in r.json(), r.text
        assert client.post("/graphql", json={"query": query, "variables": {"q": "芯片"}}
                           ).json()["data"]["search"]["totalCount"] > 0


def test_two_workers_serve_one_file(content_db):
    server = Server(content_db, args=("--workers", "2"), production=True)
    with server.start(), httpx.Client(base_url=server.url, timeout=5) as client:
        versions = {client.post("/graphql", json={"query": Q}).json()["extensions"]["contentVersion"]
                    for _ in range(10)}
        assert len(versions) == 1
        bad = client.post("/graphql", json={"query": "{ artcles { totalCount } }"}).json()
        assert "Did you mean" not in bad["errors"][0]["message"]


def test_serve_refuses_a_setting_out_of_range_by_name(tmp_path, content_db):
    exe = Path(sys.executable).with_name("content-api")
    env = {**os.environ, "CONTENT_API_MAX_PAGE_SIZE": "0"}
    result = subprocess.run([str(exe), "serve", "--db", str(content_db), "--port", "9"],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 2, result.stderr
    assert "CONTENT_API_MAX_PAGE_SIZE must be at least 1 (got 0)" in result.stderr
    assert "Traceback" not in result.stderr
