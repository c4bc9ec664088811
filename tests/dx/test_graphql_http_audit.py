"""The GraphQL-over-HTTP spec audit of the graphql-http package (npm, pinned in
tests/dx/audit/package-lock.json) against a live server: every MUST and every
SHOULD must be ok (MAYs are reported, not required)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from .conftest import require

AUDIT = Path(__file__).with_name("audit")


def test_every_must_and_should_of_the_spec_audit_is_ok(live_server):
    require(shutil.which("node") is not None, "node", "install Node.js 20")
    require((AUDIT / "node_modules" / "graphql-http").exists(), "graphql-http",
            "run `make client-deps` (npm ci in tests/dx/audit)")
    done = subprocess.run(["node", str(AUDIT / "audit.mjs"), live_server.graphql_url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    required = [r for r in results if r["name"].startswith(("MUST", "SHOULD"))]
    assert len(required) >= 30, f"the audit ran only {len(required)} required checks"
    failing = [f"{r['id']} {r['name']}: {r['status']} {r['reason']}" for r in required
               if r["status"] != "ok"]
    assert failing == []
