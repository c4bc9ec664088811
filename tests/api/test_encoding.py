"""Compressed responses, and ETags that stay right per encoding (api/encoding.py)."""

from __future__ import annotations

import gzip

import brotli
import orjson
import pytest

LIST = ("{ articles(first: 50) { nodes { slug title description tags "
        "trends { title keyPoints { label text } } } } }")
SMALL = "{ articles { totalCount } }"


def _get(client, query: str, **headers):
    return client.get("/graphql", params={"query": query}, headers=headers)


@pytest.mark.parametrize("encoding, decode", [("gzip", gzip.decompress),
                                              ("br", brotli.decompress)])
def test_large_responses_are_compressed_when_accepted(content_client, encoding, decode):
    plain = _get(content_client, LIST, **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and len(plain.content) > 1024
    with content_client.stream("GET", "/graphql", params={"query": LIST},
                               headers={"Accept-Encoding": encoding}) as packed:
        raw = b"".join(packed.iter_raw())
        assert packed.headers["content-encoding"] == encoding
        assert "accept-encoding" in packed.headers["vary"].lower()
    assert orjson.loads(decode(raw)) == orjson.loads(plain.content)
    assert len(raw) < len(plain.content)


def test_small_responses_are_sent_as_they_are(content_client):
    small = _get(content_client, SMALL, **{"Accept-Encoding": "gzip, br"})
    assert "content-encoding" not in small.headers


def test_etags_are_weak_for_every_encoding_and_304s_answer_in_kind(content_client):
    # Weak always (api.surrogates): the body carries the global contentVersion,
    # which a publish of another article changes while the ETag stays.
    plain = _get(content_client, LIST, **{"Accept-Encoding": "identity"})
    packed = _get(content_client, LIST, **{"Accept-Encoding": "gzip"})
    weak = plain.headers["etag"]
    assert weak.startswith('W/"') and packed.headers["etag"] == weak
    assert packed.headers["content-encoding"] == "gzip"
    again = _get(content_client, LIST, **{"Accept-Encoding": "gzip", "If-None-Match": weak})
    assert again.status_code == 304 and again.headers["etag"] == weak
    # A client holding the opaque part without W/ still matches (weak comparison).
    identity = _get(content_client, LIST, **{"Accept-Encoding": "identity",
                                             "If-None-Match": weak.removeprefix("W/")})
    assert identity.status_code == 304 and identity.headers["etag"] == weak
