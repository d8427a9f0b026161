"""The JSON HTTP API: a thin adapter that validates, calls the domain, commits and answers."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from marshmallow import Schema, ValidationError
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from . import credentials, retention, workshops
from .config import Settings
from .database import Database
from .errors import DomainError, Forbidden, Invalid, Unauthorized
from .network import public_base_url
from .realtime import workshop_room
from .schemas import JoinRequest, WorkshopCreate
from .snapshots import build_snapshot

blueprint = Blueprint("api", __name__)

_workshop_create = WorkshopCreate()
_join_request = JoinRequest()


def database() -> Database:
    return current_app.extensions["pinboard.db"]  # type: ignore[no-any-return]


def settings() -> Settings:
    return current_app.config["PINBOARD"]  # type: ignore[no-any-return]


def _load(schema: Schema) -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Invalid("The request body must be a JSON object.")
    try:
        return schema.load(body)  # type: ignore[no-any-return]
    except ValidationError as error:
        raise Invalid("Some fields are not valid.", error.normalized_messages()) from None


def bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("Send the moderator key, projector key or participant token as a Bearer token.")
    return secret.strip()


def absolute_url(path: str) -> str:
    return f"{public_base_url(request, settings())}{path}"


def workshop_links(
    workshop_id: str, join_code: str, moderator_key: str, projector_key: str, assistant_key: str
) -> dict[str, str]:
    return {
        "participant": absolute_url(f"/j/{join_code}"),
        "projector": absolute_url(f"/p/{workshop_id}#key={projector_key}"),
        "moderator": absolute_url(f"/m/{workshop_id}#key={moderator_key}"),
        "assistant": absolute_url(f"/a/{workshop_id}#key={assistant_key}"),
    }


@blueprint.post("/api/workshops")
def create_workshop() -> tuple[Response, int]:
    payload = _load(_workshop_create)
    require_organiser_password(payload.pop("organiser_password", None))
    with database().write() as session:
        created = workshops.create_workshop(session, **payload)
    return jsonify(created_answer(created)), 201


def require_organiser_password(given: Any) -> None:
    """Where the server has an organiser password, creating or importing a workshop needs it,
    in the body or the X-Organiser-Password header."""
    required = settings().organiser_password
    if not required:
        return
    password = given or request.headers.get("X-Organiser-Password", "")
    if not isinstance(password, str) or not hmac.compare_digest(
        password.encode("utf-8", "surrogatepass"), required.encode()
    ):
        raise Forbidden("Creating a workshop on this server needs the organiser password.")


def created_answer(created: workshops.NewWorkshop) -> dict[str, Any]:
    """The answer to creating (or importing) a workshop: its keys and links, shown only now."""
    workshop = created.workshop
    join_code = workshop.join_code or ""
    return {
        "id": workshop.id,
        "join_code": join_code,
        "moderator_key": created.moderator_key,
        "projector_key": created.projector_key,
        "assistant_key": created.assistant_key,
        "links": workshop_links(
            workshop.id, join_code, created.moderator_key, created.projector_key, created.assistant_key
        ),
    }


@blueprint.post("/api/join")
def join() -> Response:
    payload = _load(_join_request)
    with database().write() as session:
        joined = workshops.join(session, **payload)
        body = {
            "workshop_id": joined.participant.workshop_id,
            "participant_id": joined.participant.id,
            "participant_token": joined.token,
        }
    current_app.extensions["pinboard.realtime"].participant_joined(body["workshop_id"])
    return jsonify(body)


@blueprint.get("/api/workshops/<workshop_id>")
def snapshot(workshop_id: str) -> Response:
    secret = bearer()
    with database().read() as session:
        actor = workshops.authenticate_bearer(session, workshop_id, secret)
        return jsonify(build_snapshot(session, actor))


@blueprint.get("/api/workshops/<workshop_id>/links")
def links(workshop_id: str) -> Response:
    """The workshop's links again, for the moderator (who presents the moderator key)."""
    secret = bearer()
    with database().write() as session:
        actor = workshops.authenticate(session, workshop_id, moderator_key=secret)
        workshop = workshops.find_open_workshop(session, actor.workshop_id)
        join_code = workshop.join_code or ""
        assistant_key = workshops.assistant_key(session, actor, secret)
    projector_key = credentials.derive_secret(secret, workshops.PROJECTOR)
    return jsonify(
        {
            "join_code": join_code,
            "projector_key": projector_key,
            "assistant_key": assistant_key,
            "links": workshop_links(workshop_id, join_code, secret, projector_key, assistant_key),
        }
    )


@blueprint.delete("/api/workshops/<workshop_id>")
def delete_workshop(workshop_id: str) -> tuple[Response, int]:
    """Delete the workshop with everything in it, for good (moderator key)."""
    secret = bearer()
    with database().write() as session:
        actor = workshops.authenticate(session, workshop_id, moderator_key=secret)
        retention.delete_workshop(session, actor)
    socketio = current_app.extensions["socketio"]
    socketio.emit("workshop_deleted", {"workshop_id": workshop_id}, to=workshop_room(workshop_id))
    return jsonify({"deleted": workshop_id}), 200


@blueprint.get("/api/openapi.json")
def openapi_description() -> Response:
    """The OpenAPI description of this API, generated from the schemas (pinboard/openapi.py)."""
    from .openapi import build_spec  # imports the export views, which import this module

    if "pinboard.openapi" not in current_app.extensions:
        current_app.extensions["pinboard.openapi"] = build_spec(current_app)
    return jsonify(current_app.extensions["pinboard.openapi"])


@blueprint.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        with database().read() as session:
            session.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
        current_app.logger.warning("health check failed: %s", type(error).__name__)
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"}), 200


@blueprint.errorhandler(DomainError)
def domain_error(error: DomainError) -> tuple[Response, int]:
    return jsonify({"error": error.to_dict()}), error.http_status


@blueprint.app_errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response | HTTPException:
    if not request.path.startswith("/api/"):
        return error
    status = error.code or 400
    code = {404: "not_found", 413: "too_large"}.get(status, "internal" if status >= 500 else "invalid")
    response = jsonify({"error": {"code": code, "message": error.description}})
    response.status_code = status
    return response
