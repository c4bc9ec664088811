"""Compare two GraphQL schemas and classify the changes for API clients.

A *breaking* change makes some existing, valid client query fail or change
meaning (a removed field, a type change, a new required argument).  A
*dangerous* change keeps old queries valid but may surprise a client (a new
enum value, a changed default).  graphql-core's ``find_breaking_changes`` and
``find_dangerous_changes`` do the classification; this module turns them into
a report and an exit status for ``content-api schema-diff`` and the drift test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from graphql import GraphQLError, GraphQLSchema, build_schema, print_schema
from graphql.utilities import find_breaking_changes, find_dangerous_changes

EXIT_OK = 0
EXIT_BREAKING = 1
EXIT_INVALID = 2


class SchemaLoadError(Exception):
    """An SDL file that cannot be read or does not build a valid schema."""


@dataclass(frozen=True)
class SchemaChange:
    kind: str  # "breaking" or "dangerous"
    code: str  # graphql-core's change type, e.g. FIELD_REMOVED
    description: str


@dataclass
class SchemaDiff:
    breaking: list[SchemaChange] = field(default_factory=list)
    dangerous: list[SchemaChange] = field(default_factory=list)
    identical: bool = True

    @property
    def is_breaking(self) -> bool:
        return bool(self.breaking)

    @property
    def summary(self) -> str:
        if self.identical:
            return "no changes"
        if self.breaking:
            return f"BREAKING: {len(self.breaking)} breaking, {len(self.dangerous)} dangerous change(s)"
        if self.dangerous:
            return f"not breaking, but {len(self.dangerous)} dangerous change(s)"
        return "safe changes only (additions or descriptions); existing queries keep working"


def build_sdl(sdl: str, label: str = "schema") -> GraphQLSchema:
    try:
        return build_schema(sdl)
    except (GraphQLError, TypeError) as exc:
        raise SchemaLoadError(f"{label}: invalid SDL: {exc}") from None


def load_sdl_file(path: Path) -> GraphQLSchema:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SchemaLoadError(f"{path}: {exc.strerror or exc}") from None
    return build_sdl(text, str(path))


def diff_schemas(old: GraphQLSchema, new: GraphQLSchema) -> SchemaDiff:
    return SchemaDiff(
        breaking=[
            SchemaChange("breaking", change.type.name, change.description)
            for change in find_breaking_changes(old, new)
        ],
        dangerous=[
            SchemaChange("dangerous", change.type.name, change.description)
            for change in find_dangerous_changes(old, new)
        ],
        # Printing normalises order and whitespace, so only real changes count.
        identical=print_schema(old) == print_schema(new),
    )


def diff_sdl(old_sdl: str, new_sdl: str) -> SchemaDiff:
    return diff_schemas(build_sdl(old_sdl, "old schema"), build_sdl(new_sdl, "new schema"))


def diff_files(old_path: Path, new_path: Path) -> SchemaDiff:
    return diff_schemas(load_sdl_file(old_path), load_sdl_file(new_path))


def format_report(diff: SchemaDiff, old_label: str, new_label: str) -> str:
    lines = [f"Schema diff {old_label} -> {new_label}: {diff.summary}"]
    for title, changes in (("Breaking changes", diff.breaking), ("Dangerous changes", diff.dangerous)):
        if changes:
            lines.append(f"{title}:")
            lines.extend(f"  - [{c.code}] {c.description}" for c in changes)
    return "\n".join(lines)


def exit_status(diff: SchemaDiff, fail_on_dangerous: bool = False) -> int:
    if diff.breaking or (fail_on_dangerous and diff.dangerous):
        return EXIT_BREAKING
    return EXIT_OK


def drift_message(committed_sdl: str, code_sdl: str, regenerate_hint: str = "make schema") -> str:
    """Explain a mismatch between the committed schema.graphql and the code's schema.

    Used by the drift test so a failure says whether clients would break.
    """
    try:
        diff = diff_sdl(committed_sdl, code_sdl)
    except SchemaLoadError as exc:
        return f"schema.graphql differs from the code's schema and cannot be compared ({exc}). Regenerate it with `{regenerate_hint}`."
    verdict = (
        "This change is BREAKING for existing clients."
        if diff.is_breaking
        else "This change is not breaking for existing clients."
    )
    report = format_report(diff, "schema.graphql (committed)", "schema from code")
    return f"schema.graphql is out of date. {verdict} Regenerate it with `{regenerate_hint}`.\n{report}"
