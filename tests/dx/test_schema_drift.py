"""The committed schema.graphql matches the code; when it does not, the failure
says whether the difference would break existing clients (see api/schema_diff.py).
tests/api/test_schema_export.py checks the exact text; this check is semantic."""

from __future__ import annotations

from api import schema_diff
from api.schema import export_sdl

from .conftest import REPO


def test_committed_schema_matches_code():
    committed = (REPO / "schema.graphql").read_text(encoding="utf-8")
    code = export_sdl()
    diff = schema_diff.diff_sdl(committed, code)
    assert diff.identical, schema_diff.drift_message(committed, code)
