"""Every user-visible string has its German translation, and the compiled catalogue is current."""

from __future__ import annotations

from io import BytesIO

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.conftest import ROOT

CATALOGUE = ROOT / "pinboard" / "translations" / "de" / "LC_MESSAGES"
METHODS = [("pinboard/**.py", "python"), ("templates/**.html", "jinja2")]


def source_strings() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), METHODS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_the_user_interface_marks_its_strings_for_translation() -> None:
    assert len(source_strings()) > 50


def test_every_string_has_a_german_translation() -> None:
    with (CATALOGUE / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale="de")
    translated = {m.id for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(source_strings() - translated)
    assert not missing, f"untranslated strings: {missing}"


def test_the_compiled_catalogue_matches_the_source_catalogue() -> None:
    with (CATALOGUE / "messages.po").open("rb") as handle:
        source = {m.id: m.string for m in read_po(handle, locale="de") if m.id}
    compiled = read_mo(BytesIO((CATALOGUE / "messages.mo").read_bytes()))
    assert {m.id: m.string for m in compiled if m.id} == source


def test_pages_speak_the_workshops_language(client, app_db) -> None:
    from tests.conftest import make_workshop

    german = make_workshop(app_db, language="de")
    english = make_workshop(app_db, language="en")
    headers = {"Accept-Language": "en"}
    assert 'lang="de"' in client.get(f"/j/{german.join_code}", headers=headers).get_data(as_text=True)
    assert 'lang="en"' in client.get(f"/j/{english.join_code}", headers={"Accept-Language": "de"}).get_data(
        as_text=True
    )


def test_other_pages_follow_the_browser_with_german_as_fallback(client) -> None:
    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(
        as_text=True
    )
    assert 'lang="de"' in client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert 'lang="de"' in client.get("/", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
