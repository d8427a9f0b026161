"""HTML pages: thin views that pick the language and hand the page module its data."""

from __future__ import annotations

import io

import segno
from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from .config import Settings
from .credentials import is_join_code, is_workshop_id, normalise_join_code
from .database import Database
from .i18n import use_language
from .models import Workshop
from .network import public_base_url

blueprint = Blueprint("pages", __name__)


@blueprint.after_request
def revalidate(response: Response) -> Response:
    """Pages name the static files' version: browsers ask again each time, and a 304 is enough."""
    response.headers.setdefault("Cache-Control", "no-cache")
    if request.method in ("GET", "HEAD") and response.status_code == 200 and not response.is_streamed:
        response.add_etag()
        response.make_conditional(request)
    return response


def _db() -> Database:
    return current_app.extensions["pinboard.db"]  # type: ignore[no-any-return]


def _settings() -> Settings:
    return current_app.config["PINBOARD"]  # type: ignore[no-any-return]


def _open_workshop_language(workshop_id: str) -> str:
    if not is_workshop_id(workshop_id):
        abort(404)
    with _db().read() as session:
        workshop = session.get(Workshop, workshop_id)
        if workshop is None or workshop.closed_at is not None:
            abort(404)
        return workshop.language


def _workshop_by_code(code: str) -> Workshop | None:
    if not is_join_code(code):
        return None
    with _db().read() as session:
        return session.scalars(
            select(Workshop).where(Workshop.join_code == code, Workshop.closed_at.is_(None))
        ).one_or_none()


def join_url(code: str) -> str:
    return f"{public_base_url(request, _settings())}/j/{code}"


@blueprint.get("/")
def start() -> str:
    return render_template(
        "start.html",
        script="start.js",
        page_data={"passwordRequired": bool(_settings().organiser_password)},
    )


@blueprint.get("/j")
def join_form() -> Response | str:
    code = request.args.get("code", "")
    if code:
        return redirect(url_for("pages.participant", code=normalise_join_code(code)))  # type: ignore[return-value]
    return render_template("join.html", script="join.js", page_data={}, code="", unknown=False)


@blueprint.get("/j/<code>")
def participant(code: str) -> tuple[str, int] | str:
    normalised = normalise_join_code(code)
    workshop = _workshop_by_code(normalised)
    if workshop is None:
        page = render_template("join.html", script="join.js", page_data={}, code=normalised, unknown=True)
        return page, 404
    use_language(workshop.language)
    return render_template(
        "participant.html",
        workshop_title=workshop.title,
        script="participant.js",
        page_data={"joinCode": normalised, "workshopId": workshop.id},
    )


@blueprint.get("/j/<code>/qr.svg")
def join_qr(code: str) -> Response:
    normalised = normalise_join_code(code)
    if _workshop_by_code(normalised) is None:
        abort(404)
    qr = segno.make(join_url(normalised), error="m")
    svg = io.BytesIO()
    # A standalone file (unlike svg_inline) keeps the SVG namespace and an intrinsic size,
    # without which browsers show nothing in an <img>.
    qr.save(svg, kind="svg", xmldecl=False, scale=8, border=2, dark="#111111", light="#ffffff")
    response = Response(svg.getvalue(), mimetype="image/svg+xml")
    response.cache_control.max_age = 300
    return response


def _board_page_data(workshop_id: str, role: str) -> dict[str, str]:
    return {"workshopId": workshop_id, "role": role, "publicBaseUrl": public_base_url(request, _settings())}


@blueprint.get("/p/<workshop_id>")
def projector(workshop_id: str) -> str:
    use_language(_open_workshop_language(workshop_id))
    return render_template(
        "board.html", script="board.js", page_data=_board_page_data(workshop_id, "projector")
    )


@blueprint.get("/m/<workshop_id>/board")
def moderator_board(workshop_id: str) -> str:
    use_language(_open_workshop_language(workshop_id))
    return render_template(
        "board.html", script="board.js", page_data=_board_page_data(workshop_id, "moderator")
    )


@blueprint.get("/m/<workshop_id>")
def console(workshop_id: str) -> str:
    use_language(_open_workshop_language(workshop_id))
    return render_template("console.html", script="console.js", page_data={"workshopId": workshop_id})


@blueprint.get("/a/<workshop_id>")
def assistant(workshop_id: str) -> str:
    """The assistant's page: paper cards and wall dots (the key comes from the URL fragment)."""
    use_language(_open_workshop_language(workshop_id))
    return render_template("assistant.html", script="assistant.js", page_data={"workshopId": workshop_id})


@blueprint.app_errorhandler(404)
def not_found(error: Exception) -> Response | tuple[str, int]:
    if request.path.startswith("/api/"):
        from .api import http_error

        return http_error(error)  # type: ignore[arg-type]
    return render_template("not_found.html", script=None, page_data={}), 404
