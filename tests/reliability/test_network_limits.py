"""Connection limits a hostile or broken client meets (api/serving.py).

Idle sockets, a request head sent a byte at a time (slowloris), a body sent a
byte at a time, and more requests in flight than the server allows: each is
bounded, and normal requests keep being answered throughout.
"""

from __future__ import annotations

import resource
import socket
import threading
import time

import httpx
import pytest

from tests.support.live_server import Server

QUERY = {"query": "{ articles { totalCount } }"}


@pytest.fixture(scope="module")
def limited(tmp_path_factory, content_db_for_limits):
    """A server with short head and body timeouts, started under a 1,024 soft
    limit of open files (it raises its own to the hard limit)."""
    def low_soft_limit():
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))

    server = Server(content_db_for_limits, args=("--head-timeout", "1", "--body-timeout", "1.5"),
                    preexec=low_soft_limit)
    with server.start() as running:
        yield running


@pytest.fixture(scope="module")
def content_db_for_limits(tmp_path_factory):
    from tests.support.live_server import load
    from tests.support.paths import CONTENT

    db = tmp_path_factory.mktemp("limits") / "content.db"
    load(CONTENT, db)
    return db


def _ok(server) -> bool:
    response = httpx.post(server.graphql_url, json=QUERY, timeout=5)
    return response.status_code == 200 and response.json()["data"]["articles"]["totalCount"] == 3


def test_the_soft_limit_of_open_files_is_raised(limited):
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard <= 1024:
        pytest.skip(f"this machine's hard limit of open files is {hard}: nothing to raise")
    soft = int(open(f"/proc/{limited.pid}/limits").read().split("Max open files")[1].split()[0])
    assert soft == hard


def test_1100_idle_sockets_do_not_starve_requests_and_are_closed(limited):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < 1300:
        pytest.skip(f"this machine's hard limit of open files is {hard}: cannot open 1,100 sockets")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1300), hard))
    sockets = []
    try:
        for _ in range(1100):
            sockets.append(socket.create_connection(("127.0.0.1", limited.port), timeout=5))
        assert _ok(limited), "a normal request is answered with 1,100 idle sockets open"
        time.sleep(2.0)  # past the head timeout: the server closed them
        closed = 0
        for sock in sockets:
            sock.settimeout(2)
            try:
                closed += sock.recv(1) == b""
            except (ConnectionResetError, socket.timeout):
                closed += 1
        assert closed == len(sockets)
        assert _ok(limited)
    finally:
        for sock in sockets:
            sock.close()


def test_a_slowloris_head_is_cut_off(limited):
    head = b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    with socket.create_connection(("127.0.0.1", limited.port), timeout=5) as sock:
        started = time.monotonic()
        try:
            for byte in head:
                sock.sendall(bytes([byte]))
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass
        sock.settimeout(3)
        try:
            data = sock.recv(100)
        except ConnectionResetError:
            data = b""
        assert data == b"" and time.monotonic() - started < 8
    assert _ok(limited)


def test_a_slow_body_gets_a_408(limited):
    body = b'{"query": "{ articles { totalCount } }"}' + b" " * 500
    head = (f"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", limited.port), timeout=5) as sock:
        sock.sendall(head)
        started = time.monotonic()
        answer = b""
        sock.settimeout(0.05)
        for byte in body:
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            try:
                answer += sock.recv(4096)
            except socket.timeout:
                pass
            if answer:
                break
            time.sleep(0.05)
        sock.settimeout(3)
        try:
            answer += sock.recv(4096)
        except (socket.timeout, ConnectionResetError):
            pass
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"REQUEST_TIMEOUT" in answer and time.monotonic() - started < 6


def test_excess_requests_are_shed_at_once_with_retry_after(tmp_path, content_db_for_limits):
    env = {"CONTENT_API_TEST_EXECUTION_DELAY": "1.0", "CONTENT_API_RESPONSE_CACHE_SIZE": "0"}
    with Server(content_db_for_limits, env=env, args=("--max-in-flight", "2")).start() as server:
        results: list[httpx.Response] = []

        def ask(i: int) -> None:
            results.append(httpx.post(server.graphql_url, timeout=10, json={
                "query": "query Q%d { articles { totalCount } }" % i}))

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(6)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(15)
        statuses = sorted(r.status_code for r in results)
        shed = [r for r in results if r.status_code == 503]
        assert statuses.count(200) >= 2 and len(shed) >= 2, statuses
        assert all(r.headers["retry-after"] == "1" for r in shed)
        assert all(r.json()["errors"][0]["extensions"]["code"] == "OVERLOADED" for r in shed)
        assert all(r.elapsed.total_seconds() < 0.9 for r in shed), "refused at once"
        assert server.health()["requests"]["shed"] == len(shed)
        assert time.monotonic() - started < 10


def _answer_of(sock: socket.socket) -> bytes:
    """One whole response read from ``sock`` (its head and Content-Length bytes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length")))
    while len(body) < length:
        body += sock.recv(65536)
    return head


def test_after_an_answer_the_next_head_must_arrive_in_time_too(limited):
    body = b'{"query": "{ articles { totalCount } }"}'
    request = (f"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    with socket.create_connection(("127.0.0.1", limited.port), timeout=5) as sock:
        for _ in range(3):  # answered again and again on the same connection
            time.sleep(0.4)  # well inside the 1 s head timeout each time
            sock.sendall(request)
            assert _answer_of(sock).startswith(b"HTTP/1.1 200")
        answered = time.monotonic()
        closed = False
        try:
            for byte in request[:40]:  # then the next head, a byte every 0.1 s
                sock.sendall(bytes([byte]))
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            closed = True
        sock.settimeout(3)
        try:
            closed = closed or sock.recv(100) == b""
        except ConnectionResetError:
            closed = True
        waited = time.monotonic() - answered
    assert closed and 0.9 < waited < 4.5, waited


def test_a_request_running_past_the_head_timeout_is_not_cut_off(content_db_for_limits):
    env = {"CONTENT_API_TEST_EXECUTION_DELAY": "1.5", "CONTENT_API_RESPONSE_CACHE_SIZE": "0"}
    with Server(content_db_for_limits, env=env, args=("--head-timeout", "0.5")).start() as server:
        with httpx.Client(timeout=10) as client:
            for i in range(2):  # the second on the kept-alive connection of the first
                response = client.post(server.graphql_url,
                                       json={"query": "query Q%d { articles { totalCount } }" % i})
                assert response.status_code == 200
                assert response.json()["data"]["articles"]["totalCount"] == 3
