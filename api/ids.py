"""Opaque global IDs: base64url of "Type:key", where key is the row's stable ``key`` column.

Keys survive reloads (they come from the slug and positions), so IDs held by
clients keep working after the content is reloaded.
"""

from __future__ import annotations

import base64
import binascii

from api.errors import bad_input

# GraphQL type name -> table holding its rows.
NODE_TABLES = {
    "Article": "articles",
    "Trend": "trends",
    "Route": "routes",
    "Advice": "advice",
    "Section": "sections",
}
TABLE_TYPES = {table: type_name for type_name, table in NODE_TABLES.items()}


def encode(type_name: str, key: str) -> str:
    raw = f"{type_name}:{key}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(global_id: str) -> tuple[str, str]:
    """(type name, key) of a global ID; BAD_USER_INPUT when it is not one of ours."""
    if not isinstance(global_id, str) or not global_id or len(global_id) > 512:
        raise bad_input("Invalid ID: not a global ID issued by this API.", argument="id")
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise bad_input(f"Invalid ID {global_id!r}: not a global ID issued by this API.",
                        argument="id") from None
    type_name, sep, key = raw.partition(":")
    if not sep or type_name not in NODE_TABLES or not key:
        raise bad_input(f"Invalid ID {global_id!r}: not a global ID issued by this API.",
                        argument="id")
    return type_name, key
