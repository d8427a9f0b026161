"""A moderator corrects a participant's hidden card during a hidden card query: the author's
phone shows the correction live (board-model.js applies the whole event and drops the
placeholder that follows with the same seq), another phone never sees it. Real server, real
Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, create_workshop, screenshot
from tests.browser.test_card_query import call, moderator_socket, open_phone
from tests.browser.test_participant import my_card, post

pytestmark = pytest.mark.browser

TYPO = "Mehr Zeit für den Austausch zwischen den Ämtren"
CORRECTED = "Mehr Zeit für den Austausch zwischen den Ämtern"


def test_the_authors_phone_shows_the_moderators_correction_of_a_hidden_card(
    server: Any, open_page: Any
) -> None:
    workshop = create_workshop(
        server, boards=[{"title": "Einstieg", "clusters": ["Rahmenbedingungen"], "hidden": True}]
    )
    anna = open_phone(open_page, workshop, "Anna")
    ben = open_phone(open_page, workshop, "Ben")
    post(anna, TYPO)
    expect(my_card(anna, TYPO)).to_contain_text("Hidden until the moderator reveals it")

    moderator = moderator_socket(server, workshop)
    try:
        snapshot = call(moderator, "sync", {})["snapshot"]
        [card] = snapshot["boards"][0]["unsorted"]
        call(moderator, "card:update", {"card_id": card["id"], "text": CORRECTED})
        # Anna's phone follows at once, without reloading: her card now reads as corrected.
        expect(my_card(anna, CORRECTED)).to_be_visible()
        expect(anna.locator("#my-cards")).not_to_contain_text(TYPO)
        expect(my_card(anna, CORRECTED)).to_contain_text("Hidden until the moderator reveals it")
        # Recolouring it leaves her card whole: the placeholder that follows does not blank it.
        call(moderator, "card:update", {"card_id": card["id"], "color": "green"})
        expect(my_card(anna, CORRECTED)).to_have_attribute("data-color", "green")
    finally:
        moderator.disconnect()
    my_card(anna, CORRECTED).scroll_into_view_if_needed()
    screenshot(anna, "phone-hidden-card-corrected")
    assert axe_violations(anna) == []
    # Ben's phone never had either text.
    assert TYPO not in ben.content() and CORRECTED not in ben.content()
