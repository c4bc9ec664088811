from __future__ import annotations

import pytest

from tests.scale.tier import Tier, varnish_missing


@pytest.fixture()
def tier(tmp_path):
    missing = varnish_missing()
    if missing:
        pytest.skip(f"cache tier tests need Varnish: {missing}")
    running = Tier(tmp_path)
    try:
        running.start()
        yield running
    finally:
        running.stop()
