"""Which media type a GraphQL response is sent as (GraphQL-over-HTTP).

``application/graphql-response+json`` says what the body is and lets the
status code carry meaning: a request error (the document does not parse or
validate, a variable does not coerce) is a 400. ``application/json`` is
what older clients ask for; for it every well-formed request gets a 200, and
the body says what went wrong, because a legacy client (Apollo Client among
them) shows only "Received status code 400" for a 4xx. Malformed HTTP
(invalid JSON, a wrong content type, a body too large) is a 4xx either way.
"""

from __future__ import annotations

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
_CHARSET = "; charset=utf-8"


def content_type(media: str) -> str:
    return media + _CHARSET


def _ranges(accept: str) -> list[tuple[str, float]]:
    out = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for field in fields[1:]:
            name, _, value = field.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        out.append((media, quality))
    return out


def _quality(ranges: list[tuple[str, float]], media: str) -> float:
    """The quality the client gives ``media``: its own entry, else application/*,
    else */* (the most specific range wins, as RFC 9110 says)."""
    kind = media.split("/")[0] + "/*"
    for candidate in (media, kind, "*/*"):
        found = [q for m, q in ranges if m == candidate]
        if found:
            return max(found)
    return 0.0


def response_media(accept: str | None) -> str | None:
    """The media type to answer with, or None when the client accepts neither.

    No Accept header, or one that only wildcards: application/json (the spec's
    legacy default). graphql-response+json when the client names it and
    rates it no lower than application/json."""
    if accept is None or not accept.strip():
        return JSON
    ranges = _ranges(accept)
    explicit = {m: q for m, q in ranges if m == GRAPHQL_RESPONSE}
    json_quality = _quality(ranges, JSON)
    if explicit and max(explicit.values()) > 0 and max(explicit.values()) >= json_quality:
        return GRAPHQL_RESPONSE
    if json_quality > 0:
        return JSON
    if _quality(ranges, GRAPHQL_RESPONSE) > 0:
        return GRAPHQL_RESPONSE
    return None
