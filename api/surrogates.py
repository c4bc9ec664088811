"""What a response read, and the versions of it: surrogate keys and ETags.

A request records what it reads while it runs (``Reads``): the articles whose
rows it built (by row id), the slugs it looked up, and the collections it
read (lists, search, facets, diagnostics; loader/keys.py). Recording happens
where rows are loaded (api.loaders, the list and search resolvers,
api.navigation), which both executors go through, never in field resolvers
that the compiled executor may bypass.

At the end, the reads become keys (``article:<slug>``, ``list``, …) for the
response's ``xkey`` header, and the ETag is a hash of the request and the
version of each key in the snapshot the request ran on (``Versions``). So an
ETag changes exactly when something the response read changes: an article
that a publish left alone keeps its ETag, on every replica serving a file
with the same content.

Versions. An article's data is a function of its source file's bytes, its
path (shown as ``source.path``) and the settings it was read with (loader
``config`` fingerprint), so its version is a hash of those three, read from
the store's ``sources`` table. A slug with no (public) article has the
version ``absent``, so a lookup that found nothing changes its ETag when the
article appears. A collection's version is a hash over every served article's
version; diagnostics also depend on the live-reload errors, so their version
is the holder's state.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Iterable

from loader.keys import ARTICLE_PREFIX, COLLECTION_KEYS, DIAGNOSTICS, article_key

ABSENT = "absent"


@dataclass
class Reads:
    """What one request read so far (sets: recording twice is harmless)."""

    article_ids: set = field(default_factory=set)
    slugs: set = field(default_factory=set)
    collections: set = field(default_factory=set)

    def articles(self, rows: Iterable, column: str = "id") -> None:
        """Record the articles of ``rows`` (their ``column`` holds the article id)."""
        self.article_ids.update(row[column] for row in rows)

    def keys(self, versions: "Versions") -> list[str]:
        """The surrogate keys of everything read, sorted (ids as slugs of ``versions``)."""
        slugs = set(self.slugs)
        slugs.update(versions.slug_of[i] for i in self.article_ids if i in versions.slug_of)
        return sorted(article_key(s) for s in slugs) + sorted(self.collections)


class Versions:
    """The version of every key in one snapshot, read once from its pinned connection."""

    def __init__(self, conn, state: str) -> None:
        config = conn.execute("SELECT value FROM meta WHERE key = 'config'").fetchone()
        config = config[0] if config else ""
        # `articles` is the public view on a public server (api.drafts): drafts
        # are absent there, as they are from every response.
        rows = conn.execute("SELECT a.id, a.slug, s.path, s.sha256 FROM articles a "
                            "JOIN main.sources s ON s.article_id = a.id").fetchall()
        self.slug_of: dict[int, str] = {}
        self.by_key: dict[str, str] = {}
        for article_id, slug, path, sha256 in rows:
            self.slug_of[article_id] = slug
            digest = hashlib.sha256(f"{config}\0{path}\0{sha256}".encode()).hexdigest()[:24]
            self.by_key[article_key(slug)] = digest
        collection = hashlib.sha256()
        for key in sorted(self.by_key):
            collection.update(f"{key}={self.by_key[key]}\n".encode())
        digest = collection.hexdigest()[:24]
        for key in COLLECTION_KEYS:  # diagnostics follow the server's state instead
            self.by_key[key] = state if key == DIAGNOSTICS else digest

    def of(self, key: str) -> str:
        found = self.by_key.get(key)
        if found is not None:
            return found
        if key.startswith(ARTICLE_PREFIX):
            return ABSENT
        raise KeyError(f"unknown surrogate key {key!r}")


_LOCK = threading.Lock()


def versions_of(snapshot, state: str) -> Versions:
    """The snapshot's versions, computed on first use and kept with it (a snapshot
    never changes; its state changes only with live-reload errors)."""
    found = getattr(snapshot, "surrogate_versions", None)
    if found is None or found.by_key[DIAGNOSTICS] != state:
        with _LOCK:
            found = getattr(snapshot, "surrogate_versions", None)
            if found is None or found.by_key[DIAGNOSTICS] != state:
                found = Versions(snapshot.conn, state)
                snapshot.surrogate_versions = found
    return found


def etag_of(identity: str, keys: Iterable[str], versions: Versions) -> str:
    """A weak ETag from the request's identity and the versions of its keys.

    Weak, because the body also carries ``extensions.contentVersion``, the
    global version, which a publish of another article changes while this
    ETag stays: the representation is equivalent, not byte-for-byte equal."""
    digest = hashlib.sha256(identity.encode())
    for key in keys:
        digest.update(f"\n{key}={versions.of(key)}".encode())
    return f'W/"{digest.hexdigest()[:32]}"'


def xkey_header(keys: Iterable[str]) -> str:
    return " ".join(keys)
