"""Bytes on the wire for a list response, as identity, gzip, brotli and zstd.

One `articles(first: 100)` request with titles, descriptions, trends and key
points, sent to a running `content-api serve` with each Accept-Encoding; the
body is counted as it arrives, before any decoding.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

from bench import servers

QUERY = ("{ articles(first: 100) { nodes { slug title description tags "
         "trends { title keyPoints { label text } } } } }")


def run(db, log=print) -> dict:
    sizes: dict[str, int] = {}
    with servers.ours(db, name="compression") as server:
        url = server.url + "/graphql?" + urllib.parse.urlencode({"query": QUERY})
        for encoding in ("identity", "gzip", "br", "zstd"):
            request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
            with urllib.request.urlopen(request, timeout=60) as response:
                body = response.read()  # urllib does not decode: these are wire bytes
                used = response.headers.get("Content-Encoding", "identity")
            if used != encoding:
                raise RuntimeError(f"asked for {encoding}, got {used}")
            sizes[encoding] = len(body)
    saved = {k: round(100 * (1 - v / sizes["identity"]), 1) for k, v in sizes.items()}
    log("compression of a list response: " + json.dumps(sizes) + f", saved % {saved}")
    return {"query": QUERY, "bytes": sizes, "saved_pct": saved}
