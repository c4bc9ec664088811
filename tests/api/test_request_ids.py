"""Request ids (api.request_ids): distinct within a process and between forked workers."""

from __future__ import annotations

import os
import re

from api.request_ids import new_request_id


def test_ids_are_16_hex_digits_and_never_repeat():
    ids = [new_request_id() for _ in range(10_000)]
    assert all(re.fullmatch(r"[0-9a-f]{16}", i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_a_forked_process_hands_out_ids_of_its_own():
    new_request_id()
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: its next ids, sent back whole
        try:
            os.write(write, "".join(new_request_id() for _ in range(100)).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read().decode()
    os.waitpid(child, 0)
    theirs = {data[i:i + 16] for i in range(0, len(data), 16)}
    ours = {new_request_id() for _ in range(100)}
    assert len(theirs) == 100 and not theirs & ours
    assert {i[:8] for i in theirs} != {i[:8] for i in ours}  # a prefix of its own
