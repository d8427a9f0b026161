"""German and English user interface through Flask-Babel.

A page that belongs to a workshop speaks the workshop's language; other pages follow the
browser's preference, falling back to German. Source strings are English; the German
catalogue is pinboard/translations/de/LC_MESSAGES/messages.po (compiled to .mo).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request
from flask_babel import Babel, get_locale

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def use_language(language: str) -> None:
    """Make the current request render in `language` (a workshop's language)."""
    if language in LANGUAGES:
        g.page_language = language


def select_locale() -> str:
    chosen = g.get("page_language")
    if chosen:
        return str(chosen)
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE


def init_i18n(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS))
    app.jinja_env.globals["get_locale"] = get_locale
