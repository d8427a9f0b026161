"""WebSocket compression (permessage-deflate) is refused unless a setting allows it.

Browsers offer permessage-deflate on every WebSocket, and the WebSocket servers under Engine.IO
(eventlet's, and wsproto's under gevent and threading) accept it and then compress every frame
once per recipient, each connection with a zlib context of its own. A card broadcast to 1,000
phones is compressed 1,000 times, and each connection costs about 200 KB instead of about 80
(docs/performance.md, "WebSocket compression"). Frames are small JSON; long-polling responses
stay compressed by Engine.IO (http_compression).

Removing the client's offer from the handshake is the one place all three servers respect, and
keeps the app independent of the async mode.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

OFFER = "HTTP_SEC_WEBSOCKET_EXTENSIONS"


class WithoutWebSocketCompression:
    """WSGI middleware: drops the client's WebSocket extension offers for the Socket.IO path."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], socketio_path: str = "/socket.io") -> None:
        self.wsgi_app = wsgi_app
        self.socketio_path = socketio_path

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if OFFER in environ and environ.get("PATH_INFO", "").startswith(self.socketio_path):
            del environ[OFFER]
        return self.wsgi_app(environ, start_response)
