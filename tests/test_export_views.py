"""GET /api/workshops/<id>/export: who may export, which parameters, file names, errors as JSON."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

import pytest

from pinboard.exports import ascii_filename, content_disposition, filename_part
from tests.conftest import make_participant, make_workshop

ALL_FORMATS = ["docx", "pdf", "html", "md", "json", "csv"]


def get(client, workshop_id: str, bearer: str | None = None, **params):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    return client.get(f"/api/workshops/{workshop_id}/export", query_string=params, headers=headers)


def error_code(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_json()["error"]["code"]  # type: ignore[no-any-return]


def test_only_the_moderator_key_may_export(app_db, client) -> None:
    workshop = make_workshop(app_db)
    _, token = make_participant(app_db, workshop, "Anna")
    for key in (None, workshop.projector_key, token, "wrong"):
        response = get(client, workshop.id, key, format="md")
        assert response.status_code == 401 and error_code(response) == "unauthorized", key
    other = make_workshop(app_db)
    assert get(client, workshop.id, other.moderator_key, format="md").status_code == 401
    assert get(client, "no-such-workshop", workshop.moderator_key, format="md").status_code == 401
    assert get(client, workshop.id, workshop.moderator_key, format="md").status_code == 200


def test_keys_never_go_in_urls(app_db, client) -> None:
    workshop = make_workshop(app_db)
    for name in ("key", "moderator_key"):
        response = get(client, workshop.id, None, format="md", **{name: workshop.moderator_key})
        assert response.status_code == 400 and error_code(response) == "invalid"
        assert "Authorization" in response.get_json()["error"]["message"]
    # Even together with a valid header: a key in the URL is refused, not silently ignored.
    response = get(client, workshop.id, workshop.moderator_key, format="md", key=workshop.moderator_key)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"format": "odt"}, "format"),
        ({}, "format"),
        ({"format": "md", "authors": "maybe"}, "authors"),
        ({"format": "md", "colour": "red"}, "colour"),
        ({"format": "svg"}, "board"),
        ({"format": "png", "board": "abc"}, "board"),
        ({"format": "docx", "board": "1"}, "board"),
    ],
)
def test_bad_parameters_are_400_with_the_field(app_db, client, params, field) -> None:
    workshop = make_workshop(app_db)
    response = get(client, workshop.id, workshop.moderator_key, **params)
    assert response.status_code == 400 and error_code(response) == "invalid"
    assert field in response.get_json()["error"]["fields"]


def test_a_board_of_another_workshop_is_not_found(app_db, client) -> None:
    workshop, other = make_workshop(app_db), make_workshop(app_db)
    response = get(client, workshop.id, workshop.moderator_key, format="svg", board=other.board_ids[0])
    assert response.status_code == 404 and error_code(response) == "not_found"


def test_every_format_downloads_with_a_file_name(app_db, client) -> None:
    workshop = make_workshop(
        app_db, title="Straßenfest: Bürger*innen / „Nachbarn“?", date=dt.date(2017, 6, 14)
    )
    for fmt in ALL_FORMATS:
        response = get(client, workshop.id, workshop.moderator_key, format=fmt)
        assert response.status_code == 200, fmt
        assert response.headers["Cache-Control"] == "no-store"
        disposition = response.headers["Content-Disposition"]
        prefix = {"json": "Workshop", "csv": "Karten"}.get(fmt, "Ergebnisdokumentation")
        assert disposition == (
            f'attachment; filename="{prefix}_Strassenfest_Buerger_innen_Nachbarn_2017-06-14.{fmt}"; '
            f"filename*=UTF-8''{prefix}_Stra%C3%9Fenfest_B%C3%BCrger_innen_Nachbarn_2017-06-14.{fmt}"
        )
    for fmt, signature in (("svg", b"<svg"), ("png", b"\x89PNG\r\n\x1a\n")):
        response = get(client, workshop.id, workshop.moderator_key, format=fmt, board=workshop.board_ids[1])
        assert response.status_code == 200 and response.get_data().startswith(signature)
        assert response.content_type == {"svg": "image/svg+xml", "png": "image/png"}[fmt]
        name = unquote(response.headers["Content-Disposition"].split("UTF-8''")[1])
        assert (
            name == f"Fotoprotokoll_Straßenfest_Bürger_innen_Nachbarn_3-Erfahrungsaustausch_2017-06-14.{fmt}"
        )


def test_file_names_are_safe_and_keep_umlauts() -> None:
    assert (
        filename_part("Workshop - Kommunale Steuerung: Wie passt das?")
        == "Workshop-Kommunale_Steuerung_Wie_passt_das"
    )
    assert filename_part('../..\\a<b>:"c"|d?*e') == "a_b_c_d_e"
    assert filename_part("  ...  ") == ""
    assert len(filename_part("x" * 300)) == 80
    assert ascii_filename("Übersicht_Größe_é.docx") == "Uebersicht_Groesse_e.docx"
    assert content_disposition("plain.md") == 'attachment; filename="plain.md"'
    assert "filename*=UTF-8''%C3%84.md" in content_disposition("Ä.md")


def test_authors_appear_only_on_request(app_db, client) -> None:
    from pinboard import cards as card_ops
    from tests.conftest import new_client_id

    workshop = make_workshop(app_db)
    actor, _ = make_participant(app_db, workshop, "Anna")
    with app_db.write() as session:
        card_ops.create_card(
            session, actor, client_id=new_client_id(), board_id=workshop.board_ids[0], text="Hallo"
        )
    plain = get(client, workshop.id, workshop.moderator_key, format="md").get_data(as_text=True)
    named = get(client, workshop.id, workshop.moderator_key, format="md", authors="1").get_data(as_text=True)
    assert "- Hallo\n" in plain and "Anna" not in plain
    assert "- Hallo (Anna)\n" in named
    for no in ("0", "false", "no", "off"):
        assert "Anna" not in get(
            client, workshop.id, workshop.moderator_key, format="md", authors=no
        ).get_data(as_text=True)
