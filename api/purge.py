"""Purging an HTTP cache tier by surrogate key (deploy/varnish/default.vcl).

After a publish, ``content-api purge --cache URL --keys-file FILE`` sends the
keys that ``load --changed-keys FILE`` wrote to each cache, as ``PURGE``
requests whose ``xkey`` header lists them. A soft purge (the default) expires
the objects but keeps them: the next request for one waits for a fresh copy
from a replica (revalidated with its ETag, so unchanged answers cost a 304),
and if no replica answers, the stale copy is served. A hard purge drops them.
"""

from __future__ import annotations

import http.client
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from loader.keys import ARTICLE_PREFIX, COLLECTION_KEYS, VERSION_LINE

# A key as loader.keys writes it: a collection name, or article: and a
# percent-encoded slug.
_ARTICLE_KEY = re.compile(re.escape(ARTICLE_PREFIX) + r"[A-Za-z0-9._~%-]+")
# Keys per request: the xkey header stays far below Varnish's 8 KB header limit.
HEADER_BUDGET = 4000
TIMEOUT_SECONDS = 10.0


class PurgeError(Exception):
    """A keys file or a cache that cannot be used; the message says which and why."""


@dataclass
class KeysFile:
    keys: list[str]
    content_version: str | None  # the version the load made, when the file names it


def read_keys(path: Path) -> KeysFile:
    """The keys of ``path``, one a line, in order, each once (blank lines and
    ``#`` comments skipped; the content version comment is kept)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PurgeError(f"{path}:0: cannot read the keys file: {exc}") from None
    keys: list[str] = []
    version = None
    for number, line in enumerate(text.splitlines(), 1):
        key = line.strip()
        if key.startswith(VERSION_LINE.strip()):
            version = key[len(VERSION_LINE.strip()):].strip() or None
            continue
        if not key or key.startswith("#"):
            continue
        if key not in COLLECTION_KEYS and not _ARTICLE_KEY.fullmatch(key):
            raise PurgeError(f"{path}:{number}: {key!r} is not a surrogate key (expected "
                             f"article:<slug> or one of {', '.join(COLLECTION_KEYS)})")
        if key not in keys:
            keys.append(key)
    return KeysFile(keys, version)


def wait_for_version(replica_url: str, version: str, timeout: float = 60.0) -> None:
    """Return once the replica's /healthz reports ``version``; PurgeError after
    ``timeout`` seconds. Purging before every replica serves the new file would
    let the cache fetch the old content again and keep it."""
    deadline = time.monotonic() + timeout
    seen = "no answer"
    parts = urlsplit(replica_url)
    if parts.scheme != "http" or not parts.hostname:
        raise PurgeError(f"--replica {replica_url!r}: expected an http:// URL")
    while True:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        try:
            connection.request("GET", parts.path.rstrip("/") + "/healthz")
            response = connection.getresponse()
            seen = json.loads(response.read()).get("contentVersion") or "no version"
        except (OSError, ValueError) as exc:
            seen = f"no answer ({exc})"
        finally:
            connection.close()
        if seen == version:
            return
        if time.monotonic() > deadline:
            raise PurgeError(f"the replica at {replica_url} still serves {seen[:16]} after "
                             f"{timeout:.0f} s, not {version[:16]}: not purging")
        time.sleep(0.2)


def batches(keys: list[str], budget: int = HEADER_BUDGET) -> list[list[str]]:
    """``keys`` in groups whose space-separated length stays within ``budget``."""
    out: list[list[str]] = []
    size = 0
    for key in keys:
        if not out or size + 1 + len(key) > budget:
            out.append([])
            size = 0
        out[-1].append(key)
        size += 1 + len(key)
    return out


@dataclass
class PurgeResult:
    cache: str
    keys: int
    objects: int  # objects the cache reported purged


def purge(cache_url: str, keys: list[str], soft: bool = True,
          timeout: float = TIMEOUT_SECONDS) -> PurgeResult:
    """Send ``keys`` to the cache at ``cache_url``; raises PurgeError on any refusal."""
    parts = urlsplit(cache_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PurgeError(f"--cache {cache_url!r}: expected an http:// or https:// URL")
    connection_class = (http.client.HTTPSConnection if parts.scheme == "https"
                        else http.client.HTTPConnection)
    objects = 0
    for group in batches(keys):
        connection = connection_class(parts.hostname, parts.port, timeout=timeout)
        try:
            connection.request("PURGE", parts.path or "/", headers={
                "xkey": " ".join(group), "xkey-purge": "soft" if soft else "hard"})
            response = connection.getresponse()
            body = response.read(2000).decode("utf-8", "replace").strip()
        except OSError as exc:
            raise PurgeError(f"cannot reach the cache at {cache_url}: {exc}") from None
        finally:
            connection.close()
        if response.status != 200:
            raise PurgeError(f"the cache at {cache_url} refused the purge: HTTP "
                             f"{response.status} {body or response.reason}")
        try:
            objects += int(response.getheader("X-Purged", "0"))
        except ValueError:
            pass
    return PurgeResult(cache_url, len(keys), objects)
