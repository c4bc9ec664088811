"""`serve --watch` under an author's worst habits: a file saved in steps, and an
edit that keeps the file's size and modification time."""

from __future__ import annotations

import os
import shutil
import threading
import time

import httpx

from tests.support.live_server import Server, load
from tests.support.paths import CONTENT

STEPS_ARTICLE = """---
title: Saved in steps
date: 2025-01-01
description: d
---

# Saved in steps
"""


def _trend(n: int) -> str:
    return f"\n## {n}. Trend {n}\n\n### Current state\n\n- **Point**: text {n}\n"


def _trends(client: httpx.Client, url: str) -> int | None:
    body = client.post(url, json={"query": '{ article(slug: "steps") { trends { title } } }'}).json()
    article = body["data"]["article"]
    return None if article is None else len(article["trends"])


def test_a_file_saved_in_steps_is_served_only_when_settled(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    db = tmp_path / "content.db"
    load(content, db)
    seen: list[int | None] = []
    stop = threading.Event()
    server = Server(db, args=("--watch", str(content)),
                    env={"CONTENT_API_WATCH_SETTLE_SECONDS": "1.0"}).start()
    try:
        def probe() -> None:
            with httpx.Client(timeout=5) as client:
                while not stop.is_set():
                    seen.append(_trends(client, server.graphql_url))
                    time.sleep(0.02)

        reader = threading.Thread(target=probe)
        reader.start()
        path = content / "steps.md"
        text = STEPS_ARTICLE
        for n in range(1, 5):  # four saves 0.3 s apart, each valid markdown
            text += _trend(n)
            path.write_text(text, "utf-8")
            time.sleep(0.3)
        deadline = time.monotonic() + 10
        while (not seen or seen[-1] != 4) and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        reader.join(10)
        assert seen and seen[-1] == 4
        assert set(seen) <= {None, 4}, f"a half-saved file was served: {sorted(set(map(str, seen)))}"
    finally:
        stop.set()
        server.stop()


def test_an_edit_that_keeps_size_and_mtime_is_reloaded(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    db = tmp_path / "content.db"
    load(content, db)
    with Server(db, args=("--watch", str(content)),
                env={"CONTENT_API_WATCH_SETTLE_SECONDS": "0.3"}).start() as server:
        path = content / "2024-ai-trends.md"
        text = path.read_text("utf-8")
        edited = text.replace("三大发展趋势", "三大发展方向")  # the same size in bytes
        info = path.stat()
        incoming = content / ".incoming"
        incoming.write_text(edited, "utf-8")
        os.utime(incoming, ns=(info.st_atime_ns, info.st_mtime_ns))
        os.replace(incoming, path)  # like rsync -t: same size, same mtime
        query = {"query": '{ article(slug: "2024-ai-trends") { title } }'}
        deadline = time.monotonic() + 10
        title = ""
        while time.monotonic() < deadline:
            title = httpx.post(server.graphql_url, json=query, timeout=5).json()[
                "data"]["article"]["title"]
            if "三大发展方向" in title:
                break
            time.sleep(0.1)
        assert "三大发展方向" in title
