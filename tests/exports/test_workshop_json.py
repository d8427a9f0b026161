"""The workshop file: complete, versioned, and importing it makes an identical new workshop."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from pinboard.config import Settings
from pinboard.errors import Invalid
from pinboard.exports.workshop_json import FORMAT, VERSION, import_workshop, load_workshop_file
from pinboard.results import load_workshop
from tests.exports.duesseldorf import ALL_CARD_TEXTS, TITLE, build_duesseldorf
from tests.exports.helpers import MARKUP_TEXTS, export_response, make_markup_workshop


def workshop_file(client: Any, workshop_id: str, key: str) -> dict[str, Any]:
    response = export_response(client, workshop_id, key, "json")
    assert response.content_type == "application/json"
    return json.loads(response.get_data(as_text=True))


def without_ids_and_times(content: dict[str, Any]) -> dict[str, Any]:
    content = copy.deepcopy(content)
    content.pop("exported_at")
    content["workshop"].pop("id")
    content["workshop"].pop("created_at")
    return content


def all_cards(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        card
        for board in content["boards"]
        for container in [*(cluster["cards"] for cluster in board["clusters"]), board["unsorted"]]
        for card in container
    ]


def test_the_file_holds_the_whole_workshop(client, socket_client) -> None:
    built = build_duesseldorf(client, socket_client)
    content = workshop_file(client, built.id, built.moderator_key)
    assert content["format"] == FORMAT == "pinboard-workshop" and content["version"] == VERSION == 1
    assert content["workshop"]["id"] == built.id
    assert content["workshop"]["title"] == TITLE
    assert content["workshop"]["date"] == "2017-06-14" and content["workshop"]["place"] == "Düsseldorf"
    assert content["workshop"]["active_board"] == 1
    assert [p["name"] for p in content["participants"]] == ["Anna", "Bernd", "Cem", "Dana", ""]
    assert [p["ref"] for p in content["participants"]] == [1, 2, 3, 4, 5]
    first, second = content["boards"]
    assert first["settings"] == {
        "locked": True, "participants_can_move": False, "participants_choose_cluster": False,
        "numbered_clusters": False,
    }  # fmt: skip
    assert second["settings"]["numbered_clusters"] and second["settings"]["participants_choose_cluster"]
    assert [c["list_style"] for c in second["clusters"]] == ["bullet", "bullet", "bullet", "letter"]
    assert [c["cards"] for c in first["clusters"][3:]] == [[], []]  # the two empty clusters
    cards = all_cards(content)
    assert [card["text"] for card in cards] == ALL_CARD_TEXTS
    assert set(cards[0]) == {
        "position", "text", "color", "author_role", "author_ref", "author_name", "created_at", "updated_at",
    }  # fmt: skip
    assert cards[0]["author_ref"] == 1 and cards[0]["author_name"] == "Anna"
    assert cards[-1]["author_role"] == "moderator" and cards[-1]["author_ref"] is None
    assert cards[0]["created_at"].endswith("Z")
    # No credential of any kind, and no join code, is in the file.
    raw = json.dumps(content)
    assert built.moderator_key not in raw and built.join_code not in raw and "token" not in raw


def test_export_import_export_gives_the_same_file(client, socket_client, app_db) -> None:
    built = build_duesseldorf(client, socket_client)
    first = workshop_file(client, built.id, built.moderator_key)
    imported = client.post("/api/workshops/import", json=first)
    assert imported.status_code == 201, imported.get_json()
    answer = imported.get_json()
    assert set(answer) == {"id", "join_code", "moderator_key", "projector_key", "assistant_key", "links"}
    assert answer["id"] != built.id and answer["join_code"] != built.join_code
    assert answer["moderator_key"] != built.moderator_key
    assert answer["links"]["moderator"].endswith(f"/m/{answer['id']}#key={answer['moderator_key']}")
    second = workshop_file(client, answer["id"], answer["moderator_key"])
    assert without_ids_and_times(second) == without_ids_and_times(first)
    # The documents read the same too.
    for fmt in ("md", "csv"):
        old = export_response(client, built.id, built.moderator_key, fmt).get_data()
        new = export_response(client, answer["id"], answer["moderator_key"], fmt).get_data()
        assert old == new
    # The new workshop works like any other: its participants' old tokens do not exist, new people join.
    joined = client.post("/api/join", json={"code": answer["join_code"], "name": "Eva"})
    assert joined.status_code == 200
    with app_db.read() as session:
        assert len(load_workshop(session, answer["id"]).participants) == 6


def test_markup_round_trips_exactly(app_db, client) -> None:
    workshop = make_markup_workshop(app_db, language="en")
    first = workshop_file(client, workshop.id, workshop.moderator_key)
    assert [card["text"] for card in all_cards(first)] == [*MARKUP_TEXTS, "Spende vs. Partnerschaft"]
    answer = client.post("/api/workshops/import", json=first).get_json()
    second = workshop_file(client, answer["id"], answer["moderator_key"])
    assert without_ids_and_times(second) == without_ids_and_times(first)
    assert second["workshop"]["language"] == "en"


def test_import_follows_the_organiser_password_rule(tmp_path, database_url) -> None:
    from pinboard.app import create_app, database_of

    settings = Settings(
        instance_path=str(tmp_path / "instance"), database_url=database_url, secret_key="x",
        async_mode="threading", organiser_password="geheim",
    )  # fmt: skip
    app = create_app(settings, test_config={"TESTING": True})
    try:
        client = app.test_client()
        created = client.post(
            "/api/workshops", json={"title": "Quelle", "organiser_password": "geheim"}
        ).get_json()
        content = workshop_file(client, created["id"], created["moderator_key"])
        refused = client.post("/api/workshops/import", json=content)
        assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
        wrong = client.post("/api/workshops/import", json={**content, "organiser_password": "falsch"})
        assert wrong.status_code == 403
        in_body = client.post("/api/workshops/import", json={**content, "organiser_password": "geheim"})
        assert in_body.status_code == 201
        in_header = client.post(
            "/api/workshops/import", json=content, headers={"X-Organiser-Password": "geheim"}
        )
        assert in_header.status_code == 201
    finally:
        database_of(app).dispose()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda c: c.update(format="something-else"), "format"),
        (lambda c: c.update(version=2), "version"),
        (lambda c: c.update(extra=1), "extra"),
        (lambda c: c["workshop"].update(title=""), "workshop"),
        (lambda c: c["workshop"].update(language="fr"), "workshop"),
        (lambda c: c["workshop"].update(active_board=7), "workshop"),
        (lambda c: c["boards"][0]["clusters"][0]["cards"][0].update(color="purple"), "boards"),
        (lambda c: c["boards"][0]["clusters"][0]["cards"][0].update(text="a\x00b"), "boards"),
        (lambda c: c["boards"][0]["clusters"][0]["cards"][0].update(author_ref=99), "boards"),
        (lambda c: c["boards"][0]["clusters"][0].update(list_style="roman"), "boards"),
        (lambda c: c["boards"][0]["settings"].update(locked="yes"), "boards"),
        (lambda c: c["participants"].append({"ref": 1, "name": "twice"}), "participants"),
    ],
)
def test_a_broken_file_is_refused_with_the_field(db, change, field) -> None:
    workshop = make_markup_workshop(db)
    with db.read() as session:
        from pinboard.exports.workshop_json import workshop_file as build_file

        content = json.loads(json.dumps(build_file(load_workshop(session, workshop.id))))
    change(content)
    with pytest.raises(Invalid) as refused:
        load_workshop_file(content)
    assert field in (refused.value.fields or {}), refused.value.fields


def test_a_minimal_file_imports_with_defaults(db) -> None:
    content = load_workshop_file(
        {"format": "pinboard-workshop", "version": 1, "workshop": {"title": "Nur ein Titel"},
         "boards": [{"title": "Tafel", "unsorted": [{"text": "Karte"}], "clusters": [{"name": "Leer"}]}]}
    )  # fmt: skip
    with db.write() as session:
        created = import_workshop(session, content)
        workshop_id = created.workshop.id
    with db.read() as session:
        data = load_workshop(session, workshop_id)
        board = data.boards[0]
        assert data.workshop.language == "de" and data.workshop.active_board_id == board.id  # the first
        assert [c.name for c in data.clusters_of(board)] == ["Leer"]
        card = data.cards_in(board, None)[0]
        assert (card.text, card.color, card.author_id, card.author_role) == (
            "Karte",
            "yellow",
            None,
            "participant",
        )


def test_import_answers_json_errors(client) -> None:
    not_json = client.post("/api/workshops/import", data="nope", content_type="application/json")
    assert not_json.status_code == 400 and not_json.get_json()["error"]["code"] == "invalid"
    wrong = client.post("/api/workshops/import", json={"format": "pinboard-workshop", "version": 9})
    assert wrong.status_code == 400
    assert wrong.get_json()["error"]["fields"] == {"version": ["Must be 1."]}
    too_large = client.post(
        "/api/workshops/import", data=b"x" * (4 * 1024 * 1024 + 1), content_type="application/json"
    )
    assert too_large.status_code == 413 and too_large.get_json()["error"]["code"] == "too_large"
