"""Trusted documents: a manifest of the only operations a production server runs.

The manifest is built with the app, not at runtime: GraphQL Code Generator's
client preset writes one (``persisted-documents.json``, ``{"sha256:<hex>":
document}``), relay-compiler writes one with ``persistConfig.file`` (``{id:
document}``), and Apollo's manifest generator writes ``{"format":
"apollo-persisted-query-manifest", "operations": [{"id", "body"}, ...]}``.
All three are read here.

Ids are opaque keys, except that a ``sha256:`` prefix is optional on both
sides (the GraphQL-over-HTTP ``documentId`` form carries it, Apollo's and
Relay's hashes do not); an id that claims to be a sha256 must be one.
Every document is parsed and validated against the schema when the server
starts: a manifest built against another schema stops the server there,
not one request at a time.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from graphql import GraphQLError, GraphQLSchema, parse, specified_rules, validate

_SHA256 = re.compile(r"[0-9a-f]{64}")
_HEX = re.compile(r"[0-9a-fA-F]+")
_APOLLO_FORMAT = "apollo-persisted-query-manifest"


class ManifestError(Exception):
    """The manifest cannot be used; the message names the file and the document."""


def document_key(document_id: str) -> str:
    """The lookup key of an id: without its optional ``sha256:`` prefix, and a hex
    digest in lowercase (hashes are written in either case)."""
    key = document_id[7:] if document_id[:7].lower() == "sha256:" else document_id
    return key.lower() if _HEX.fullmatch(key) else key


class TrustedDocuments:
    """The operations of one manifest, by id and by exact text."""

    def __init__(self, documents: dict[str, str], source: str = "<manifest>") -> None:
        self.source = source
        self._by_key = {document_key(i): text for i, text in documents.items()}
        self._texts = frozenset(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, document_id: str) -> str | None:
        return self._by_key.get(document_key(document_id))

    def lists(self, text: str) -> bool:
        """Whether ``text`` is, byte for byte, one of the listed documents."""
        return text in self._texts

    @classmethod
    def load(cls, path: Path, schema: GraphQLSchema, rules: tuple = (),
             max_tokens: int | None = None) -> "TrustedDocuments":
        """The manifest at ``path``, each document checked against ``schema`` with the
        standard rules plus ``rules`` (the server's limits) and ``max_tokens``."""
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ManifestError(f"{path}: cannot read the trusted documents: {exc}") from None
        except json.JSONDecodeError as exc:
            raise ManifestError(f"{path}:{exc.lineno}: not JSON: {exc.msg}") from None
        documents = _entries(raw, path)
        all_rules = [*specified_rules, *rules]
        for document_id, text in documents.items():
            _check(document_id, text, schema, path, all_rules, max_tokens)
        return cls(documents, str(path))


def _entries(raw: object, path: Path) -> dict[str, str]:
    if isinstance(raw, dict) and raw.get("format") == _APOLLO_FORMAT:
        operations = raw.get("operations")
        if raw.get("version") != 1 or not isinstance(operations, list):
            raise ManifestError(f"{path}: an Apollo manifest needs version 1 and an "
                                "`operations` list")
        entries = {}
        for index, operation in enumerate(operations):
            if not (isinstance(operation, dict) and isinstance(operation.get("id"), str)
                    and isinstance(operation.get("body"), str)):
                raise ManifestError(f"{path}: operations[{index}] needs an `id` and a `body` string")
            entries[operation["id"]] = operation["body"]
        raw = entries
    if not isinstance(raw, dict) or not raw:
        raise ManifestError(f"{path}: expected a JSON object of {{id: document}} with at least "
                            "one document")
    for document_id, text in raw.items():
        if not isinstance(text, str) or not document_id:
            raise ManifestError(f"{path}: the document {document_id!r} is not a string")
    keys = [document_key(i) for i in raw]
    if len(set(keys)) != len(keys):
        raise ManifestError(f"{path}: two ids differ only by their `sha256:` prefix or the "
                            "case of their hex digits")
    return raw


def _check(document_id: str, text: str, schema: GraphQLSchema, path: Path, rules: list,
           max_tokens: int | None) -> None:
    key = document_key(document_id)
    claims_sha256 = document_id[:7].lower() == "sha256:" or _SHA256.fullmatch(key)
    if claims_sha256 and key != hashlib.sha256(text.encode("utf-8")).hexdigest():
        raise ManifestError(f"{path}: document {document_id}: the id is not the sha256 of "
                            "the document (was the manifest edited by hand?)")
    try:
        problems = validate(schema, parse(text, max_tokens=max_tokens), rules)
    except GraphQLError as exc:
        problems = [exc]
    if problems:
        raise ManifestError(f"{path}: document {document_id} does not match this schema: "
                            f"{problems[0].message} (regenerate the manifest from "
                            "schema.graphql)")
