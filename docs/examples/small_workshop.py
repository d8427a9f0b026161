"""Run a whole small workshop against a pinboard server, using only the documented protocol.

    python docs/examples/small_workshop.py http://127.0.0.1:5000

Creates a workshop, lets three participants join and post cards, clusters them as the moderator,
locks the board and prints the final board. Needs `requests` and `python-socketio[client]`
(both in the test extra).
"""

from __future__ import annotations

import sys
import uuid

import requests
import socketio


def ack_ok(reply: dict) -> dict:
    if not reply.get("ok"):
        raise SystemExit(f"the server refused: {reply['error']}")
    return reply


def main(base: str) -> dict:
    workshop = requests.post(
        f"{base}/api/workshops",
        json={
            "title": "Kommunale Steuerung und Empowerment im Netzwerk",
            "event": "Die vernetzte Kommune",
            "date": "2017-06-14",
            "place": "Düsseldorf",
            "agenda": ["Begrüßung und Einführung", "Aktivierender Einstieg", "Sammeln der Ergebnisse"],
            "boards": [
                {"title": "Einstieg", "clusters": ["Rahmenbedingungen und Grundhaltung", "Spannungsfelder"]}
            ],
        },
        timeout=10,
    ).json()
    print(f"workshop {workshop['id']}: participants join with code {workshop['join_code']}")

    moderator = socketio.Client()
    moderator.connect(base, auth={"workshop": workshop["id"], "moderator_key": workshop["moderator_key"]})
    board = ack_ok(moderator.call("sync", {}))["data"]["snapshot"]["boards"][0]

    texts = {
        "Anna": "Augenhöhe für kommunale Steuerung und Empowerment herstellen",
        "Ben": "Bürger/innen als Ressource oder Partner?",
        "": "Stadt nutzt vorhandene Potentiale nicht → Zuständigkeitschaos",
    }
    posted = []
    for name, text in texts.items():
        joined = requests.post(
            f"{base}/api/join", json={"code": workshop["join_code"], "name": name}, timeout=10
        ).json()
        phone = socketio.Client()
        phone.connect(base, auth={"workshop": workshop["id"], "token": joined["participant_token"]})
        card = ack_ok(
            phone.call("card:create", {"client_id": uuid.uuid4().hex, "board_id": board["id"], "text": text})
        )
        posted.append(card["data"])
        phone.disconnect()

    framework, tensions = (cluster["id"] for cluster in board["clusters"])
    ack_ok(moderator.call("card:move", {"card_id": posted[0]["id"], "cluster_id": framework, "index": 0}))
    ack_ok(moderator.call("card:move", {"card_id": posted[1]["id"], "cluster_id": tensions}))
    ack_ok(moderator.call("card:move", {"card_id": posted[2]["id"], "cluster_id": tensions}))
    ack_ok(moderator.call("cluster:create", {"board_id": board["id"], "name": "Handlungsansätze"}))
    ack_ok(moderator.call("board:update", {"board_id": board["id"], "locked": True}))

    final = ack_ok(moderator.call("sync", {}))["data"]["snapshot"]
    moderator.disconnect()
    for cluster in final["boards"][0]["clusters"]:
        print(f"\n{cluster['name']}")
        for card in cluster["cards"]:
            print(f"  - {card['text']}")
    return final


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000")
