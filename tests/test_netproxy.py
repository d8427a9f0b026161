"""The weak network of tests/netproxy.py does what the weak-network test relies on: it delays
every chunk, keeps the byte order, retransmits "lost" chunks late, and cuts links by stalling
or dropping them. Checked against an echo server of the test's own on loopback."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator

import pytest

from tests.netproxy import Link, LinkModel, NetProxy


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: EchoServer = self.server  # type: ignore[assignment]
        try:
            while data := self.request.recv(65536):
                self.request.sendall(data)
        except OSError:
            pass
        server.closed_at.append(time.monotonic())


class EchoServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Echo)
        self.closed_at: list[float] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    server = EchoServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def open_link(link: Link) -> socket.socket:
    return socket.create_connection(("127.0.0.1", link.port), timeout=10)


def receive(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_every_chunk_is_delayed_and_the_byte_order_is_kept(echo: EchoServer) -> None:
    model = LinkModel(delay=0.3, jitter=0.1, loss=0.1, rto=(0.2, 0.4))
    with NetProxy(echo.url, model, seed=1) as proxy:
        link = proxy.link("echo")
        sock = open_link(link)
        sent = b""
        for number in range(60):  # separate small writes: separate chunks, each with its own delay
            message = f"<{number:03d}>".encode()
            sock.sendall(message)
            sent += message
            time.sleep(0.01)
        assert receive(sock, len(sent)) == sent
        sock.close()
    stats = link.stats
    assert stats.connections == 1
    assert stats.chunks >= 2 * 30  # there and back, mostly one write per chunk
    assert stats.bytes == 2 * len(sent)
    assert stats.retransmitted_chunks > 0
    assert stats.min_transit > 0.19  # nothing went through faster than delay - jitter


def test_a_stall_holds_every_byte_until_the_link_comes_back(echo: EchoServer) -> None:
    with NetProxy(echo.url, LinkModel(delay=0.05, jitter=0.0, loss=0.0)) as proxy:
        link = proxy.link("stall")
        sock = open_link(link)
        sock.sendall(b"before")
        assert receive(sock, 6) == b"before"
        cutting = link.cut("stall", 1.0)
        time.sleep(0.1)
        sock.sendall(b"held in the air")
        assert receive(sock, 15) == b"held in the air"  # the same connection survives
        arrived = time.monotonic()
        cut = cutting.result(5)
        sock.close()
    assert cut.kind == "stall" and cut.duration >= 1.0
    assert arrived >= cut.started + 1.0  # nothing came through while the link was down
    assert cut.held_bytes >= 15 and cut.held_chunks >= 1
    assert cut.reset_connections == 0 and cut.lost_bytes == 0


def test_a_drop_resets_the_connections_and_refuses_new_ones(echo: EchoServer) -> None:
    with NetProxy(echo.url, LinkModel(delay=0.3, jitter=0.0, loss=0.0)) as proxy:
        link = proxy.link("drop")
        sock = open_link(link)
        sock.sendall(b"x" * 1000)  # in flight for 0.3 s when the link goes
        time.sleep(0.05)
        cutting = link.cut("drop", 1.0)
        with pytest.raises(OSError):
            if sock.recv(65536) == b"":  # reset, or at least closed
                raise ConnectionResetError
        time.sleep(0.1)
        refused = open_link(link)
        with pytest.raises(OSError):
            if refused.recv(65536) == b"":
                raise ConnectionRefusedError
        cut = cutting.result(5)
        again = open_link(link)  # after the cut the link works again
        again.sendall(b"back")
        assert receive(again, 4) == b"back"
        for s in (sock, refused, again):
            s.close()
        deadline = time.monotonic() + 5
        while not echo.closed_at and time.monotonic() < deadline:
            time.sleep(0.02)
    assert cut.kind == "drop" and cut.duration >= 1.0
    assert cut.reset_connections == 1 and cut.refused_connections == 1
    assert cut.lost_bytes >= 1000
    # The server learnt of the dropped connection only when the link came back (half-open).
    assert echo.closed_at and echo.closed_at[0] >= cut.ended - 0.01
