"""A load that commits while a query runs: the query answers from the version it started on.

Loads edit the served file in place (loader/storefile.py), so a request's
statements could straddle a commit. Each request holds one snapshot pinned
to one version (api/store.py): the answer is all old, its `contentVersion`
says so, it is never run twice or refused, and the next request sees the new
version. Without the pin, the data would be new and the reported version
old, which is what this test would catch.
"""

from __future__ import annotations

import shutil
import threading
import time

import httpx

from tests.security.live import CONTENT, load, start_server
from tests.support.edits import retitle

DELAY = 1.0  # every execution waits this long first: the window for the commit
SLUG = "2024-ai-trends"
QUERY = f'{{ article(slug: "{SLUG}") {{ title }} }}'


def test_query_straddling_a_commit_is_answered_from_the_version_it_started_on(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    server = start_server(content, tmp_path / "served",
                          env={"CONTENT_API_TEST_EXECUTION_DELAY": str(DELAY)})
    try:
        before = server.health()["contentVersion"]
        inode = server.db.stat().st_ino
        answers: list[httpx.Response] = []
        request = threading.Thread(target=lambda: answers.append(
            httpx.post(server.graphql_url, json={"query": QUERY}, timeout=DELAY * 10)))
        started = time.monotonic()
        request.start()
        time.sleep(DELAY / 4)  # the request has taken its snapshot and is waiting
        retitle(content / f"{SLUG}.md", "Edited mid-request")
        load(content, server.db)
        request.join(timeout=DELAY * 10)
        assert answers, "the request did not finish"
        body = answers[0].json()
        after = server.health()["contentVersion"]
        assert after != before and server.db.stat().st_ino == inode  # committed in place
        assert body["data"]["article"]["title"] != "Edited mid-request"
        assert body["extensions"]["contentVersion"] == before
        # It ran once: no re-run on the new version.
        assert time.monotonic() - started < DELAY * 2 + 1
        fresh = httpx.post(server.graphql_url, json={"query": QUERY}, timeout=DELAY * 10).json()
        assert fresh["data"]["article"]["title"] == "Edited mid-request"
        assert fresh["extensions"]["contentVersion"] == after
        assert "Traceback" not in server.log(), server.log()
    finally:
        server.stop()
