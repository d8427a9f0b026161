"""The workshop file: complete, versioned, and importing it makes an identical new workshop."""

from __future__ import annotations

import copy
import json
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from pinboard.config import Settings
from pinboard.database import Database
from pinboard.errors import Invalid
from pinboard.exports.workshop_json import (
    FORMAT,
    VERSION,
    import_workshop,
    load_vote_rounds,
    load_workshop_file,
)
from pinboard.exports.workshop_json import workshop_file as build_file
from pinboard.models import Vote, VoteRound
from pinboard.results import load_workshop
from tests.exports.duesseldorf import ALL_CARD_TEXTS, TITLE, build_duesseldorf
from tests.exports.helpers import MARKUP_TEXTS, export_response, make_markup_workshop
from tests.exports.metaplan import HEADLINES, HIDDEN_TEXT, STACKED, build_metaplan
from tests.replica import Replica


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
    assert content["format"] == FORMAT == "pinboard-workshop" and content["version"] == VERSION == 2
    assert content["workshop"]["id"] == built.id
    assert content["workshop"]["title"] == TITLE
    assert content["workshop"]["date"] == "2017-06-14" and content["workshop"]["place"] == "Düsseldorf"
    assert content["workshop"]["active_board"] == 1
    assert [p["name"] for p in content["participants"]] == ["Anna", "Bernd", "Cem", "Dana", ""]
    assert [p["ref"] for p in content["participants"]] == [1, 2, 3, 4, 5]
    first, second = content["boards"]
    assert first["settings"] == {
        "locked": True, "participants_can_move": False, "participants_choose_cluster": False,
        "numbered_clusters": False, "participants_choose_color": False, "hidden": False,
    }  # fmt: skip
    assert [c["headline"] for c in first["clusters"]] == [""] * 5
    assert first["vote_rounds"] == [] and second["vote_rounds"] == []
    assert second["settings"]["numbered_clusters"] and second["settings"]["participants_choose_cluster"]
    assert [c["list_style"] for c in second["clusters"]] == ["bullet", "bullet", "bullet", "letter"]
    assert [c["cards"] for c in first["clusters"][3:]] == [[], []]  # the two empty clusters
    cards = all_cards(content)
    assert [card["text"] for card in cards] == ALL_CARD_TEXTS
    assert set(cards[0]) == {
        "ref", "position", "text", "color", "hidden", "on_paper", "author_role", "author_ref",
        "author_name", "created_at", "updated_at", "stack",
    }  # fmt: skip
    assert [card["ref"] for card in cards] == list(range(1, len(cards) + 1))
    assert {(card["hidden"], card["on_paper"], len(card["stack"])) for card in cards} == {(False, False, 0)}
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
        (lambda c: c.update(version=3), "version"),
        (lambda c: c.update(version=True), "version"),
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
        content = json.loads(json.dumps(build_file(load_workshop(session, workshop.id))))
    change(content)
    with pytest.raises(Invalid) as refused:
        load_workshop_file(content)
    assert field in (refused.value.fields or {}), refused.value.fields


def test_a_minimal_file_imports_with_defaults(db) -> None:
    """A version 1 file, as written before version 2, and as short as it may be."""
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
    assert wrong.get_json()["error"]["fields"] == {"version": ["Must be 1 or 2."]}
    too_large = client.post(
        "/api/workshops/import", data=b"x" * (4 * 1024 * 1024 + 1), content_type="application/json"
    )
    assert too_large.status_code == 413 and too_large.get_json()["error"]["code"] == "too_large"


# ---- version 2: the Metaplan methods ----------------------------------------------------------


def board_cards(board: dict[str, Any]) -> list[dict[str, Any]]:
    """A board's cards in file order, each stack's cards right after its top."""
    return [
        one
        for container in [*(cluster["cards"] for cluster in board["clusters"]), board["unsorted"]]
        for card in container
        for one in (card, *card["stack"])
    ]


def test_version_2_holds_what_the_results_document_shows(client, socket_client) -> None:
    built = build_metaplan(client, socket_client)
    content = workshop_file(client, built.id, built.moderator_key)
    first, second = content["boards"]
    assert [c["headline"] for c in first["clusters"]] == HEADLINES
    assert second["settings"]["hidden"] and second["settings"]["participants_choose_color"]
    assert not first["settings"]["hidden"] and not first["settings"]["participants_choose_color"]
    cards = {card["text"]: card for board in content["boards"] for card in board_cards(board)}
    assert [card["ref"] for card in cards.values()] == list(range(1, 9))
    top = first["clusters"][0]["cards"][0]
    assert (top["text"], top["color"]) == ("Leitsätze erstellen", "pink")
    assert [(c["text"], c["position"], c["on_paper"], c["author_role"]) for c in top["stack"]] == [
        (STACKED[0], 0, False, "participant"),
        (STACKED[1], 1, True, "moderator"),
    ]
    assert all("stack" not in card for card in top["stack"])  # a stack holds no stacks
    assert [c["text"] for c in first["clusters"][0]["cards"]] == [
        "Leitsätze erstellen",
        "Rollenklarheit schaffen",
    ]
    assert {text for text, card in cards.items() if card["on_paper"]} == {
        STACKED[1], "Transparenz darstellen", "Mut haben, Dinge zu beenden",
    }  # fmt: skip
    hidden = cards[HIDDEN_TEXT]
    assert (hidden["hidden"], hidden["color"], hidden["author_name"]) == (True, "orange", "Anna")
    assert sum(card["hidden"] for card in cards.values()) == 1
    [round_] = first["vote_rounds"]
    assert {key: round_[key] for key in ("budget", "per_card_cap", "show_live", "open")} == {
        "budget": 3, "per_card_cap": 2, "show_live": False, "open": False,
    }  # fmt: skip
    assert round_["opened_at"].endswith("Z") and round_["closed_at"].endswith("Z")
    ref = {text: card["ref"] for text, card in cards.items()}
    assert round_["dots"] == [
        {"card": ref["Leitsätze erstellen"], "phone": 3, "wall": 2},  # Bernd's dot on the stack counts
        {"card": ref["Rollenklarheit schaffen"], "phone": 1, "wall": 0},
        {"card": ref["Transparenz darstellen"], "phone": 1, "wall": 5},
    ]
    assert second["vote_rounds"] == []
    raw = json.dumps(content)
    assert "focus" not in raw and "token" not in raw and built.moderator_key not in raw


def test_stacks_votes_wall_dots_paper_cards_and_headlines_survive_export_import_export(
    client, socket_client, app_db
) -> None:
    built = build_metaplan(client, socket_client)
    first = workshop_file(client, built.id, built.moderator_key)
    imported = client.post("/api/workshops/import", json=first)
    assert imported.status_code == 201, imported.get_json()
    answer = imported.get_json()
    second = workshop_file(client, answer["id"], answer["moderator_key"])
    assert without_ids_and_times(second) == without_ids_and_times(first)
    for fmt in ("md", "csv", "html"):
        old = export_response(client, built.id, built.moderator_key, fmt).get_data()
        new = export_response(client, answer["id"], answer["moderator_key"], fmt).get_data()
        assert old.replace(built.id.encode(), b"") == new.replace(answer["id"].encode(), b""), fmt
    # The board looks the same on the projector: stacks, tally, the hidden card's placeholder.
    old = board_view(snapshot(client, built.id, first_projector_key(client, built)))
    new = board_view(snapshot(client, answer["id"], answer["projector_key"]))
    assert old == new
    assert old[0][-1] == {"Leitsätze erstellen": 5, "Rollenklarheit schaffen": 1, "Transparenz darstellen": 6}
    assert old[1][3] == [("", None, True, [])]  # the hidden card
    # The phones' dots went to the imported participants (who cannot log in), within budget and cap.
    with app_db.read() as session:
        dots = session.execute(
            select(Vote.participant_id, Vote.card_id, VoteRound.budget, VoteRound.per_card_cap)
            .join(VoteRound)
            .where(VoteRound.workshop_id == answer["id"])
        ).all()
    per_voter = Counter(voter for voter, *_ in dots)
    assert sorted(per_voter.values()) == [2, 3] and max(per_voter.values()) <= dots[0].budget
    assert max(Counter((voter, card) for voter, card, *_ in dots).values()) <= dots[0].per_card_cap


def board_view(snapshot: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The boards of a snapshot without ids: clusters, cards with their stacks, the tally by text."""

    def cards(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [(c["text"], c["color"], c["hidden"], [s["text"] for s in c["stack"]]) for c in items]

    texts = {card["id"]: card["text"] for card in Replica(snapshot).cards()}
    return [
        (
            board["title"],
            board["settings"],
            [(c["name"], c["headline"], c["list_style"], cards(c["cards"])) for c in board["clusters"]],
            cards(board["unsorted"]),
            board["vote"] and {texts[int(card_id)]: n for card_id, n in board["vote"]["tally"].items()},
        )
        for board in snapshot["boards"]
    ]


def first_projector_key(client: Any, built: Any) -> str:
    response = client.get(
        f"/api/workshops/{built.id}/links", headers={"Authorization": f"Bearer {built.moderator_key}"}
    )
    return response.get_json()["projector_key"]  # type: ignore[no-any-return]


def snapshot(client: Any, workshop_id: str, key: str) -> dict[str, Any]:
    response = client.get(f"/api/workshops/{workshop_id}", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    return response.get_json()  # type: ignore[no-any-return]


V2_FIELDS = {"ref", "hidden", "on_paper", "stack", "headline", "participants_choose_color", "vote_rounds"}


def as_version_1(value: Any) -> Any:
    """The file as version 1 wrote it: none of the fields version 2 added."""
    if isinstance(value, dict):
        added = V2_FIELDS if "text" in value else V2_FIELDS - {"ref"}  # participants keep their ref
        return {key: as_version_1(item) for key, item in value.items() if key not in added}
    if isinstance(value, list):
        return [as_version_1(item) for item in value]
    return value


def test_a_version_1_file_still_imports(app_db, client) -> None:
    workshop = make_markup_workshop(app_db, language="en")
    current = workshop_file(client, workshop.id, workshop.moderator_key)
    old = {**as_version_1(current), "version": 1}
    assert set(old["boards"][0]["settings"]) == {
        "locked", "participants_can_move", "participants_choose_cluster", "numbered_clusters",
    }  # fmt: skip
    imported = client.post("/api/workshops/import", json=old)
    assert imported.status_code == 201, imported.get_json()
    answer = imported.get_json()
    again = workshop_file(client, answer["id"], answer["moderator_key"])
    assert without_ids_and_times(again) == without_ids_and_times(current)


def metaplan_file(app_db: Database, client: Any, socket_client: Any) -> dict[str, Any]:
    built = build_metaplan(client, socket_client)
    with app_db.read() as session:
        content = build_file(load_workshop(session, built.id), load_vote_rounds(session, built.id))
    return json.loads(json.dumps(content))  # type: ignore[no-any-return]


def _round(content: dict[str, Any]) -> dict[str, Any]:
    return content["boards"][0]["vote_rounds"][0]  # type: ignore[no-any-return]


def _set_phone_dots(content: dict[str, Any], *counts: int) -> None:
    for dots, count in zip(_round(content)["dots"], counts, strict=True):
        dots["phone"] = count


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda c: _round(c)["dots"][0].update(card=99), id="dots on an unknown card"),
        pytest.param(lambda c: _round(c)["dots"][0].update(card=8), id="dots on another board's card"),
        pytest.param(lambda c: _round(c)["dots"].append(dict(_round(c)["dots"][0])), id="a card twice"),
        pytest.param(lambda c: _set_phone_dots(c, 5, 0, 0), id="more than the cap allows two people"),
        pytest.param(lambda c: _set_phone_dots(c, 4, 1, 2), id="more than two budgets"),
        pytest.param(lambda c: _round(c).update(wall=1000), id="unknown field"),
        pytest.param(lambda c: _round(c)["dots"][0].update(wall=1000), id="too many wall dots"),
        pytest.param(lambda c: _round(c)["dots"][0].update(phone=True), id="a flag for a count"),
        pytest.param(lambda c: _round(c).update(per_card_cap=4), id="cap over budget"),
        pytest.param(lambda c: _round(c).update(open=True), id="open with a closing time"),
        pytest.param(
            lambda c: c["boards"][0]["vote_rounds"].insert(0, {**_round(c), "open": True, "closed_at": None}),
            id="an open round before the last",
        ),
        pytest.param(lambda c: c["boards"][0]["unsorted"][0].update(ref=1), id="a card ref twice"),
        pytest.param(
            lambda c: c["boards"][0]["clusters"][0]["cards"][0]["stack"][0].update(stack=[]),
            id="a stack on a stacked card",
        ),
        pytest.param(lambda c: c["boards"][0]["unsorted"][0].update(author_role="robot"), id="author role"),
        pytest.param(lambda c: c["boards"][1]["settings"].update(hidden="yes"), id="a flag as text"),
        pytest.param(lambda c: c["boards"][0]["clusters"][0].update(headline="x" * 121), id="long headline"),
    ],
)
def test_a_broken_version_2_file_is_refused(app_db, client, socket_client, change) -> None:
    content = metaplan_file(app_db, client, socket_client)
    load_workshop_file(copy.deepcopy(content))  # as exported: valid
    change(content)
    with pytest.raises(Invalid) as refused:
        load_workshop_file(content)
    assert "boards" in (refused.value.fields or {}), refused.value.fields
