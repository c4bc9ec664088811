from __future__ import annotations

import pytest

from tests.scale.tier import Tier, varnish_missing, write_manifest


def _run(tmp_path, **options):
    missing = varnish_missing()
    if missing:
        pytest.skip(f"cache tier tests need Varnish: {missing}")
    running = Tier(tmp_path, **options)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture()
def tier(tmp_path):
    yield from _run(tmp_path)


@pytest.fixture()
def short_lived_tier(tmp_path):
    """Replicas whose answers are fresh for one second, then stale for 30."""
    yield from _run(tmp_path, cache_control="public, max-age=1, stale-while-revalidate=30, "
                                            "stale-if-error=600")


@pytest.fixture()
def trusted_tier(tmp_path):
    """Replicas that run only the operations of a manifest (the production setting)."""
    yield from _run(tmp_path, replica_args=("--trusted-documents",
                                            str(write_manifest(tmp_path / "manifest.json"))))
