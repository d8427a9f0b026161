"""Long-polling on the real server, spoken over plain HTTP the way socket.io-client does it."""

from __future__ import annotations

import json
import time

import pytest
import requests

from tests.test_server import create_workshop

pytestmark = pytest.mark.server

RECORD_SEPARATOR = "\x1e"


class PollingSession:
    """One Engine.IO long-polling session: GET to receive, POST to send (EIO=4)."""

    def __init__(self, url: str) -> None:
        self.http = requests.Session()
        self.base = f"{url}/socket.io/?EIO=4&transport=polling"
        opened = self.http.get(self.base, timeout=10).text
        assert opened.startswith("0"), opened
        self.url = f"{self.base}&sid={json.loads(opened[1:])['sid']}"

    def send(self, *packets: str) -> requests.Response:
        return self.http.post(self.url, data=RECORD_SEPARATOR.join(packets).encode(), timeout=10)

    def receive(self) -> list[str]:
        response = self.http.get(self.url, timeout=30)
        assert response.status_code == 200, response.text
        return response.text.split(RECORD_SEPARATOR)

    def close(self) -> None:
        self.http.close()


def test_a_long_polling_browser_may_send_many_events_in_one_request(live_server) -> None:
    """socket.io-client sends everything it queued while a request was on its way in the next
    request, limited by size only (the server's maxPayload): after a stall of the venue's Wi-Fi a
    moderator's dozen drags and clicks arrive as one request. python-engineio refused more than
    16 packets in one request with 400 and so ended the session, losing every one of them."""
    server = live_server()
    workshop = create_workshop(server.url)
    session = PollingSession(server.url)
    try:
        auth = {"workshop": workshop["id"], "moderator_key": workshop["moderator_key"]}
        assert session.send("40" + json.dumps(auth)).status_code == 200
        assert session.receive()[0].startswith("40")  # connected to the namespace

        calls = 40
        sent = session.send(*(f'42{number}["sync",{{"since":0}}]' for number in range(1, calls + 1)))
        assert sent.status_code == 200, sent.text

        acks: dict[int, dict] = {}
        deadline = time.monotonic() + 30
        while len(acks) < calls and time.monotonic() < deadline:
            for packet in session.receive():
                if packet.startswith("43"):
                    number, _, body = packet[2:].partition("[")
                    acks[int(number)] = json.loads("[" + body)[0]
        assert sorted(acks) == list(range(1, calls + 1))
        assert all(ack["data"].pop("server_time") for ack in acks.values())
        assert all(ack["data"].pop("server").endswith(f":{server.port}") for ack in acks.values())
        nothing_to_undo = {"can_undo": False, "can_redo": False, "undo_label": None, "redo_label": None}
        assert all(ack["data"].pop("history") == nothing_to_undo for ack in acks.values())  # a moderator
        assert all(ack == {"ok": True, "data": {"events": []}, "seq": 0} for ack in acks.values())
    finally:
        session.close()
