"""The moderator downloads the results from the console with one click."""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import socketio
from docx import Document
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, create_workshop, path_of, screenshot


def post_cards(server: Any, workshop: dict[str, Any], texts: list[str]) -> None:
    client = socketio.Client()
    client.connect(
        server.url,
        auth={"workshop": workshop["id"], "moderator_key": workshop["moderator_key"]},
        transports=["websocket"],
    )
    board = client.call("sync", {})["data"]["snapshot"]["boards"][0]
    for text, cluster in zip(texts, board["clusters"] + [None] * len(texts), strict=False):
        reply = client.call(
            "card:create",
            {
                "client_id": uuid.uuid4().hex,
                "board_id": board["id"],
                "cluster_id": cluster and cluster["id"],
                "text": text,
            },
        )
        assert reply["ok"], reply
    client.disconnect()


def test_one_click_gives_the_results_document(server: Any, open_page: Any) -> None:
    workshop = create_workshop(server, language="de")
    texts = [
        "Augenhöhe herstellen → Kontextsteuerung",
        "„Auffinden“ der Initiativen",
        "Akteur*innen vernetzen",
    ]
    post_cards(server, workshop, texts)
    console = open_page(path_of(workshop["links"]["moderator"]), LAPTOP)
    panel = console.locator("#export-panel")
    panel.scroll_into_view_if_needed()

    with console.expect_download() as docx_download:
        panel.get_by_role("button", name="Word-Dokument (DOCX)").click()
    download = docx_download.value
    assert download.suggested_filename.startswith("Ergebnisdokumentation_")
    assert download.suggested_filename.endswith(".docx")
    document = Document(io.BytesIO(download.path().read_bytes()))
    paragraphs = [p.text for p in document.paragraphs]
    assert "Ergebnisdokumentation" in paragraphs
    for text in texts:
        assert text in paragraphs
    expect(panel.get_by_role("status")).to_contain_text(download.suggested_filename)

    with console.expect_download() as json_download:
        panel.get_by_role("button", name="Workshop-Datei (JSON)").click()
    workshop_file = json.loads(json_download.value.path().read_text(encoding="utf-8"))
    assert workshop_file["format"] == "pinboard-workshop"

    with console.expect_download() as picture_download:
        panel.get_by_role("button", name="Bild (PNG)").click()
    assert picture_download.value.path().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    screenshot(console, "console-export")
