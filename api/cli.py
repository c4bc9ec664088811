"""The ``content-api`` command: a thin click shell over library functions."""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="content-api")
def main() -> None:
    """Load analysis articles into SQLite and serve them over GraphQL."""
