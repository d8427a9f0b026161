"""HTML pages."""

from __future__ import annotations

from flask import Blueprint, render_template

blueprint = Blueprint("pages", __name__)


@blueprint.get("/")
def start() -> str:
    return render_template("start.html")
