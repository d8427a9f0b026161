"""The Düsseldorf workshop of the example record (expected/duesseldorf_record.txt), rebuilt
through the documented protocol only: POST /api/workshops and /api/join over HTTP, everything
else as Socket.IO events of the moderator and of participants.

The moderator completes the title block and the agenda with workshop:update. Board 1 works as
in the room: participants post their cards, the moderator sorts them into the clusters (two
of which stay empty). On board 2 the participants chose their topics, so the board numbers its
clusters and participants post straight into them; cluster 3.4 is a lettered list the
moderator typed in from the flip chart.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

TITLE = "Workshop - Kommunale Steuerung und Empowerment im Netzwerk: Wie passt das zusammen?"
EVENT = "Die vernetzte Kommune"
DATE = "2017-06-14"
PLACE = "Düsseldorf"
AGENDA = [
    "Begrüßung und Einführung",
    "Aktivierender Einstieg – Kommunale Steuerung und Empowerment im Netzwerk",
    "Gespräch mit Dialogpartnern aus unterschiedlichen Perspektiven",
    "Erfahrungsaustausch",
    "Sammeln der Ergebnisse und Learnings",
]

BOARD_1 = "Einstieg: Kommunale Steuerung und Empowerment – Wie passt das zusammen?"
BOARD_1_CLUSTERS: list[tuple[str, list[str]]] = [
    (
        "Rahmenbedingungen und Grundhaltung",
        [
            "Augenhöhe für kommunale Steuerung und Empowerment herstellen",
            "Bürgerschaftliches Engagement funktioniert am besten (hyper)lokal → eigene Betroffenheit",
            "Haltungsänderung: Verwaltung als Ermöglicher (Rahmenbedingungen) → Kontextsteuerung",
            "Welche Gelingensbedingungen für eine gute Zusammenarbeit zwischen Kommune und "
            "Zivilgesellschaft gibt es?",
        ],
    ),
    (
        "Spannungsfelder",
        [
            "Wie stehen Zeit, Geld, politische Ausrichtung und Zielumsetzung im Verhältnis? → Spannungsfeld?",
            "Bürger/innen als Ressource oder Partner?",
            "Ist Empowerment steuerbar? Trennung Ehrenamt und Profis",
            "Stadt nutzt vorhandene Potentiale nicht → Zuständigkeitschaos",
            "„Auffinden“ der relevanten Initiativen als Herausforderung",
            "Wie kann Kontinuität in der Kommune funktionieren? Bzw. Kommunikation",
            "Anknüpfungspunkte für Kommunikation mit der Kommune",
        ],
    ),
    (
        "Steuerung und Empowerment",
        [
            "Die Verknüpfung muss zielgerichtet sein",
            "Es dürfen keine Doppelstrukturen entstehen",
            "Erfahrungen weitergeben",
        ],
    ),
    ("Handlungsansätze", []),
    ("Erforderliche Kompetenzen", []),
]

BOARD_2 = "Erfahrungsaustausch zu selbstgewählten Themen"
BOARD_2_CLUSTERS: list[tuple[str, list[str]]] = [
    (
        "Grundhaltung/ Haltungsänderung",
        [
            "Gemeines Denken, gemeinsam gestalten → Steuerung gemeinsam",
            "Gemeinsame Praxis → Bewegung",
            "Leitsätze erstellen",
            "Rollenklarheit schaffen",
        ],
    ),
    (
        "Handwerkszeug/ Techniken/ Tools",
        [
            "Sind Leitlinien wünschenswert?",
            "Materialienkoffer zur Verfügung haben",
            "Führungskräftebildung in „Beteiligung“",
            "Temporäre AGs zu Spezialthema (Sponsoring, etc.)",
            "Auch Einbindung externer Moderation",
        ],
    ),
    (
        "Dialoggestaltung (Zeitpunkt, Auftrag, Personenkreis)",
        [
            "Keine Beteiligung an Ohnmacht!",
            "Schlüsselpersonen einbeziehen",
            "Erfolge sichtbar machen: Imagefilm, Logo, Bänke, Urban Gardening",
            "Transparenz darstellen",
            "Zeitplan präsentieren",
            "Feedback geben",
            "Zielgruppenorientiert Handeln: richtige Sprache wählen, lebenslagenorientiert",
            "Andere, zielgruppenorientierte Formate finden",
            "Rahmenbedingungen von Anfang an klar benennen",
            "Mut haben, Dinge zu beenden",
        ],
    ),
    (
        "Einbezug von Wirtschaft und Investoren",
        [
            "Spende vs. Partnerschaft",
            "an Kernkompetenz des Unternehmens ausgerichtet",
            "Nutzen, Auftrag, Bewusstsein",
            "Dialog, Verständnis, Haltung",
            "Bürgerbeteiligung als Voraussetzung für Auftragsvergabe",
            "Ziele können verschieden sein",
            "Handlungslogiken kennen",
            "Ermächtigung haben",
        ],
    ),
]

ALL_CARD_TEXTS = [text for _, texts in BOARD_1_CLUSTERS + BOARD_2_CLUSTERS for text in texts]
NAMES = ["Anna", "Bernd", "Cem", "Dana", ""]  # the last one stays anonymous


@dataclass
class BuiltWorkshop:
    id: str
    moderator_key: str
    join_code: str
    board_ids: list[int]


def ok(ack: Any) -> Any:
    assert isinstance(ack, dict) and ack.get("ok") is True, ack
    return ack["data"]


def build_duesseldorf(client: Any, socket_client: Any) -> BuiltWorkshop:
    created = client.post(
        "/api/workshops",
        json={
            "title": TITLE,
            "event": EVENT,
            "language": "de",
            "boards": [{"title": BOARD_1, "clusters": [name for name, _ in BOARD_1_CLUSTERS]}],
        },
    )
    assert created.status_code == 201, created.get_json()
    workshop = created.get_json()
    moderator = socket_client({"workshop": workshop["id"], "moderator_key": workshop["moderator_key"]})
    # The moderator fills in the rest of the title block and the agenda on the console.
    ok(moderator.emit("workshop:update", {"date": DATE, "place": PLACE, "agenda": AGENDA}, callback=True))
    snapshot = ok(moderator.emit("sync", {}, callback=True))["snapshot"]
    board_1 = snapshot["boards"][0]
    board_1_clusters = [cluster["id"] for cluster in board_1["clusters"]]

    phones = []
    for name in NAMES:
        joined = client.post("/api/join", json={"code": workshop["join_code"].lower(), "name": name})
        assert joined.status_code == 200, joined.get_json()
        token = joined.get_json()["participant_token"]
        phones.append(socket_client({"workshop": workshop["id"], "token": token}))

    def post(phone_index: int, board_id: int, text: str, cluster_id: int | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {"client_id": uuid.uuid4().hex, "board_id": board_id, "text": text}
        if cluster_id is not None:
            payload["cluster_id"] = cluster_id
        return ok(phones[phone_index].emit("card:create", payload, callback=True))  # type: ignore[no-any-return]

    # Board 1: the participants post, the moderator sorts the cards into the clusters.
    posted = 0
    for cluster_id, (_, texts) in zip(board_1_clusters, BOARD_1_CLUSTERS, strict=True):
        for text in texts:
            card = post(posted % len(phones), board_1["id"], text)
            posted += 1
            ok(moderator.emit("card:move", {"card_id": card["id"], "cluster_id": cluster_id}, callback=True))
    # A card posted by mistake and taken back again by its author leaves no trace.
    mistake = post(0, board_1["id"], "Tippfehler, bitte löschen")
    ok(phones[0].emit("card:delete", {"card_id": mistake["id"]}, callback=True))
    # An author corrects a typo after posting.
    typo = post(1, board_1["id"], "Erfahrungen weitergebn")
    ok(
        phones[1].emit(
            "card:update", {"card_id": typo["id"], "text": "Erfahrungen weitergeben"}, callback=True
        )
    )
    ok(moderator.emit("card:delete", {"card_id": typo["id"]}, callback=True))  # a duplicate: removed

    # Board 2: topics chosen by the participants, numbered; 3.4 is lettered.
    board_2 = ok(
        moderator.emit(
            "board:create",
            {
                "title": BOARD_2,
                "clusters": [name for name, _ in BOARD_2_CLUSTERS],
                "numbered_clusters": True,
                "participants_choose_cluster": True,
            },
            callback=True,
        )
    )
    board_2_clusters = [cluster["id"] for cluster in board_2["clusters"]]
    ok(moderator.emit("board:activate", {"board_id": board_2["id"]}, callback=True))
    ok(
        moderator.emit(
            "cluster:update", {"cluster_id": board_2_clusters[3], "list_style": "letter"}, callback=True
        )
    )
    for cluster_id, (name, texts) in zip(board_2_clusters, BOARD_2_CLUSTERS, strict=True):
        for text in texts:
            if name.startswith("Einbezug"):
                payload = {
                    "client_id": uuid.uuid4().hex,
                    "board_id": board_2["id"],
                    "cluster_id": cluster_id,
                    "text": text,
                }
                ok(moderator.emit("card:create", payload, callback=True))
            else:
                post(posted % len(phones), board_2["id"], text, cluster_id)
                posted += 1
    ok(moderator.emit("board:update", {"board_id": board_1["id"], "locked": True}, callback=True))
    return BuiltWorkshop(
        workshop["id"], workshop["moderator_key"], workshop["join_code"], [board_1["id"], board_2["id"]]
    )
