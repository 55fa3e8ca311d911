"""The transport's last check (``before_write``): made with the connection open, right
before the request is written in one piece; what it raises leaves nothing sent."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from helpers import mission

from importer.ocean_api import CREATE, STATUS
from importer.sandbox import Sandbox
from importer.send.journal.runs import RunLapsed
from importer.send.transport import Transport

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


def transport(url: str) -> Transport:
    return Transport(url, timeout=(2.0, 2.0), verify=True, max_retry_seconds=1.0)


def test_a_check_that_raises_sends_nothing_and_the_next_request_goes() -> None:
    with Sandbox() as sb:
        http = transport(sb.url)

        def lapsed() -> None:
            raise RunLapsed(9.0)

        with pytest.raises(RunLapsed):
            http.send(CREATE, mission("M-1"), "token", (2.0, 2.0), lapsed)
        assert sb.counters()["calls"]["ajoutMission"] == 0
        checks: list[str] = []
        answer = http.send(
            STATUS, {"idMission": "M-1"}, "token", (2.0, 2.0), lambda: checks.append("x")
        )
        assert answer.status == 401 and checks == ["x"]  # once per request, reads too
        http.close()


def test_nothing_of_the_request_leaves_before_the_check_then_all_of_it_at_once() -> None:
    received: list[bytes] = []  # each recv() of the server
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.settimeout(5)
            while b"idMission=M-1" not in b"".join(received):
                chunk = conn.recv(65536)
                if not chunk:
                    return
                received.append(chunk)
            conn.sendall(ANSWER)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    seen_at_check: list[int] = []

    def check() -> None:
        time.sleep(0.2)  # a head written before the check would have arrived by now
        seen_at_check.append(len(received))

    http = transport(f"http://127.0.0.1:{server.getsockname()[1]}")
    try:
        answer = http.send(CREATE, mission("M-1"), "token", (2.0, 2.0), check)
    finally:
        thread.join(5)
        server.close()
        http.close()
    assert answer.status == 200
    assert seen_at_check == [0]  # the connection was open, nothing written yet
    assert len(received) == 1 and received[0].startswith(b"POST ")  # head and body at once
