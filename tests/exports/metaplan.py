"""A workshop that used the Metaplan methods, rebuilt through the documented protocol only:
headline cards, colours, two duplicates stacked onto a card, paper cards typed in by the
moderator, a closed round of dot voting with phones' dots and dots counted on the wall, and a
second board running a hidden card query. The texts come from the Düsseldorf record.

    1 Erfahrungsaustausch zu selbstgewählten Themen
      Grundhaltung/ Haltungsänderung        headline "Wie wollen wir zusammenarbeiten?"
        Leitsätze erstellen (pink)          5 dots: Anna 2, Bernd 1 (on a stacked card), wall 2
          stacked: Leitlinien formulieren; Leitsätze gemeinsam erstellen (paper)
        Rollenklarheit schaffen (green)     1 dot: Bernd
      Dialoggestaltung (…)                  headline "Was braucht ein guter Dialog?"
        Transparenz darstellen (blue, paper) 6 dots: Anna 1, wall 5
        Feedback geben                      no dots
      unsorted: Mut haben, Dinge zu beenden (paper)
    2 Verdeckte Kartenabfrage               hidden, participants choose colours
      unsorted: Anna's hidden card "Erfolge sichtbar machen" (orange)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from tests.exports.duesseldorf import ok

TITLE = "Netzwerktreffen: Kommunale Steuerung und Empowerment"
BOARD_1 = "Erfahrungsaustausch zu selbstgewählten Themen"
BOARD_2 = "Verdeckte Kartenabfrage"
CLUSTERS = ["Grundhaltung/ Haltungsänderung", "Dialoggestaltung (Zeitpunkt, Auftrag, Personenkreis)"]
HEADLINES = ["Wie wollen wir zusammenarbeiten?", "Was braucht ein guter Dialog?"]
STACKED = ["Leitlinien formulieren", "Leitsätze gemeinsam erstellen"]  # the second on paper
HIDDEN_TEXT = "Erfolge sichtbar machen"


@dataclass
class BuiltMetaplan:
    id: str
    moderator_key: str
    board_ids: list[int]
    card_ids: dict[str, int]  # by text


def build_metaplan(client: Any, socket_client: Any, *, language: str = "de") -> BuiltMetaplan:
    created = client.post(
        "/api/workshops",
        json={"title": TITLE, "language": language, "boards": [{"title": BOARD_1, "clusters": CLUSTERS}]},
    )
    assert created.status_code == 201, created.get_json()
    workshop = created.get_json()
    moderator = socket_client({"workshop": workshop["id"], "moderator_key": workshop["moderator_key"]})
    board = ok(moderator.emit("sync", {}, callback=True))["snapshot"]["boards"][0]
    clusters = [cluster["id"] for cluster in board["clusters"]]
    phones = {}
    for name in ("Anna", "Bernd"):
        joined = client.post("/api/join", json={"code": workshop["join_code"], "name": name})
        token = joined.get_json()["participant_token"]
        phones[name] = socket_client({"workshop": workshop["id"], "token": token})
    ids: dict[str, int] = {}

    def send(sender: Any, event: str, **payload: Any) -> Any:
        return ok(sender.emit(event, payload, callback=True))

    def post(sender: Any, text: str, board_id: int = board["id"], **fields: Any) -> int:
        card = send(sender, "card:create", client_id=uuid.uuid4().hex, board_id=board_id, text=text, **fields)
        ids[text] = card["id"]
        return card["id"]  # type: ignore[no-any-return]

    # The phones post; the moderator sorts, types in the paper cards, adds headlines and colours.
    for sender, text, cluster in [
        ("Anna", "Leitsätze erstellen", 0),
        ("Bernd", "Rollenklarheit schaffen", 0),
        ("Bernd", "Leitlinien formulieren", 0),
        ("Anna", "Feedback geben", 1),
    ]:
        card_id = post(phones[sender], text)
        send(moderator, "card:move", card_id=card_id, cluster_id=clusters[cluster])
    post(moderator, "Leitsätze gemeinsam erstellen", cluster_id=clusters[0], on_paper=True)
    post(moderator, "Transparenz darstellen", cluster_id=clusters[1], on_paper=True)
    send(moderator, "card:move", card_id=ids["Transparenz darstellen"], cluster_id=clusters[1], index=0)
    post(moderator, "Mut haben, Dinge zu beenden", on_paper=True)
    for cluster_id, headline in zip(clusters, HEADLINES, strict=True):
        send(moderator, "cluster:update", cluster_id=cluster_id, headline=headline)
    for text, color in [("Leitsätze erstellen", "pink"), ("Rollenklarheit schaffen", "green")]:
        send(moderator, "card:update", card_id=ids[text], color=color)
    send(moderator, "card:update", card_id=ids["Transparenz darstellen"], color="blue")
    for text in STACKED:
        send(moderator, "card:stack", card_id=ids[text], onto_card_id=ids["Leitsätze erstellen"])

    # Dot voting: the phones' dots, then the dots counted on the wall after the round.
    send(moderator, "vote:open", board_id=board["id"], budget=3, per_card_cap=2)
    for sender, text in [
        ("Anna", "Leitsätze erstellen"),
        ("Anna", "Leitsätze erstellen"),
        ("Anna", "Transparenz darstellen"),
        ("Bernd", "Leitlinien formulieren"),  # a stacked card: the dot counts for the stack
        ("Bernd", "Rollenklarheit schaffen"),
    ]:
        send(phones[sender], "vote:cast", card_id=ids[text])
    send(moderator, "vote:close", board_id=board["id"])
    send(moderator, "vote:record", card_id=ids["Transparenz darstellen"], dots=5)
    send(moderator, "vote:record", card_id=ids["Leitsätze erstellen"], dots=2)

    # A second board runs a hidden card query; the participants choose their colours.
    second = send(
        moderator, "board:create", title=BOARD_2, clusters=[], hidden=True, participants_choose_color=True
    )
    post(phones["Anna"], HIDDEN_TEXT, board_id=second["id"], color="orange")
    return BuiltMetaplan(workshop["id"], workshop["moderator_key"], [board["id"], second["id"]], ids)
