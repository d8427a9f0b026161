"""permessage-deflate is refused by default on every async mode, and granted when allowed.

Browsers offer it on every WebSocket; the servers under Engine.IO would accept it and compress
each frame once per recipient (pinboard/websocket_compression.py). Real servers, raw handshakes.
"""

from __future__ import annotations

import base64
import os
import socket
from collections.abc import Callable

import pytest

from tests.conftest import LiveServer

# What Chromium sends.
OFFER = "permessage-deflate; client_max_window_bits"


def handshake_headers(server: LiveServer, offer: str = OFFER) -> dict[str, str]:
    """Open a WebSocket to the Socket.IO endpoint offering compression; the 101's headers."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{server.port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Extensions: {offer}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(request.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
    status, *lines = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    assert " 101 " in status + " ", status
    return {name.strip().lower(): value.strip() for name, value in (line.split(":", 1) for line in lines)}


@pytest.mark.server
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("async_mode", ["eventlet", "gevent", "threading"])
def test_websocket_compression_is_refused_by_default(
    live_server: Callable[..., LiveServer], async_mode: str
) -> None:
    headers = handshake_headers(live_server(async_mode))
    assert "sec-websocket-extensions" not in headers, headers


@pytest.mark.server
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_websocket_compression_is_granted_when_the_setting_allows_it(
    live_server: Callable[..., LiveServer], async_mode: str
) -> None:
    server = live_server(async_mode, PINBOARD_WEBSOCKET_COMPRESSION="true")
    assert handshake_headers(server)["sec-websocket-extensions"].startswith("permessage-deflate")
