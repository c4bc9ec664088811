"""`content-api schema-diff` and api/schema_diff.py on real schema pairs: the
committed schema.graphql against edited copies, plus a small release pair in
tests/dx/schemas/."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from api import schema_diff
from api.cli import main

from tests.support.live_server import CONTENT_API

from .conftest import REPO

SCHEMAS = Path(__file__).parent / "schemas"
COMMITTED = REPO / "schema.graphql"


class Result:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def cli(*args: str) -> Result:
    """The real click command, in-process (one test below also runs the console script)."""
    outcome = CliRunner().invoke(main, ["schema-diff", *args])
    return Result(outcome.exit_code, outcome.stdout, outcome.stderr)


def without_field(sdl: str, field_line: str) -> str:
    """Remove one field and the description above it."""
    pattern = r'\n(\n  """[^"]*""")?\n' + re.escape(field_line)
    assert len(re.findall(pattern, sdl)) == 1, f"{field_line!r} must occur once"
    return re.sub(pattern, "", sdl)


def edited(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = COMMITTED.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in schema.graphql"
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_identical_schema_has_no_changes():
    diff = schema_diff.diff_files(COMMITTED, COMMITTED)
    assert diff.identical and not diff.breaking and not diff.dangerous
    assert schema_diff.exit_status(diff) == 0


def test_removing_a_field_from_the_real_schema_is_breaking(tmp_path):
    new = tmp_path / "new.graphql"
    new.write_text(without_field(COMMITTED.read_text(encoding="utf-8"), "  readingTimeMinutes: Int!"))
    # The installed console script, as a user runs it.
    result = subprocess.run([str(CONTENT_API), "schema-diff", str(COMMITTED), str(new)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "BREAKING" in result.stdout
    assert "[FIELD_REMOVED] Field Article.readingTimeMinutes was removed." in result.stdout


def test_adding_a_field_is_safe_and_removing_it_again_is_breaking(tmp_path):
    new = edited(tmp_path, "new.graphql", "type Article implements Node {\n",
                 'type Article implements Node {\n  """Who wrote it."""\n  author: String\n')
    forward = cli(str(COMMITTED), str(new))
    assert forward.returncode == 0, forward.stdout
    assert "safe changes only" in forward.stdout
    backward = cli(str(new), str(COMMITTED))
    assert backward.returncode == 1
    assert "Article.author was removed" in backward.stdout


def test_new_enum_value_is_dangerous_not_breaking(tmp_path):
    new = edited(tmp_path, "new.graphql", "  SECTION\n", "  SECTION\n  HEADING\n")
    result = cli(str(COMMITTED), str(new))
    assert result.returncode == 0
    assert "[VALUE_ADDED_TO_ENUM] Enum value SearchKind.HEADING was added." in result.stdout
    strict = cli("--fail-on-dangerous", str(COMMITTED), str(new))
    assert strict.returncode == 1


def test_making_an_argument_required_is_breaking(tmp_path):
    new = edited(tmp_path, "new.graphql", "  article(\n    \"\"\"", "  article(\n    locale: String!\n    \"\"\"")
    diff = schema_diff.diff_files(COMMITTED, new)
    assert [c.code for c in diff.breaking] == ["REQUIRED_ARG_ADDED"]


@pytest.mark.parametrize(("new", "status", "codes"), [
    ("v2-safe.graphql", 0, set()),
    ("v2-dangerous.graphql", 0, {"VALUE_ADDED_TO_ENUM", "ARG_DEFAULT_VALUE_CHANGE"}),
    ("v2-breaking.graphql", 1, {"FIELD_REMOVED", "FIELD_CHANGED_KIND", "REQUIRED_ARG_ADDED"}),
])
def test_release_pairs(new, status, codes):
    diff = schema_diff.diff_files(SCHEMAS / "v1.graphql", SCHEMAS / new)
    assert {c.code for c in diff.breaking + diff.dangerous} == codes
    assert schema_diff.exit_status(diff) == status
    assert not diff.identical


def test_invalid_or_missing_files_exit_2(tmp_path):
    broken = tmp_path / "broken.graphql"
    broken.write_text("type Query { article: Nope }\n", encoding="utf-8")
    invalid = cli(str(COMMITTED), str(broken))
    assert invalid.returncode == 2 and "Unknown type 'Nope'" in invalid.stderr
    missing = cli(str(COMMITTED), str(tmp_path / "absent.graphql"))
    assert missing.returncode == 2 and "absent.graphql" in missing.stderr


def test_drift_message_says_whether_the_drift_breaks_clients(tmp_path):
    committed = COMMITTED.read_text(encoding="utf-8")
    removed = without_field(committed, "  readingTimeMinutes: Int!")
    added = committed.replace("type Article implements Node {\n", "type Article implements Node {\n  author: String\n")
    breaking = schema_diff.drift_message(committed, removed)
    assert "BREAKING for existing clients" in breaking and "make schema" in breaking
    assert "Article.readingTimeMinutes was removed" in breaking
    safe = schema_diff.drift_message(committed, added)
    assert "not breaking for existing clients" in safe
