"""bench.gc_cost reports what the collector costs a request, and requests leave it
nothing to find: run as a command in a fresh process, with Python's own
threshold so that its passes do run."""

from __future__ import annotations

import re
import subprocess
import sys

from loader.load import load_content
from tests.support.paths import CONTENT


def test_requests_leave_the_collector_nothing_to_find(tmp_path):
    db = tmp_path / "content.db"
    load_content(CONTENT, db)
    out = subprocess.run([sys.executable, "-m", "bench.gc_cost", str(db), "--requests", "300",
                          "--python-threshold"], capture_output=True, text=True, timeout=300,
                         check=True).stdout
    lines = out.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "(a), a text the server keeps", "(a), a text not seen before"]
    for line in lines:
        passes = re.search(r"generations 0/1/2: (\d+)/(\d+)/(\d+) in 300 requests", line)
        assert passes, line
        assert line.endswith("; 0 objects found unreachable in 300 requests"), line
    unseen = re.search(r"generations 0/1/2: (\d+)/", lines[1])
    assert int(unseen.group(1)) > 0  # its passes ran, and found nothing
