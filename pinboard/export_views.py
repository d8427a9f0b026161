"""HTTP adapter for exporting and importing workshops: validates, calls pinboard.exports, answers.

    GET  /api/workshops/<id>/export?format=docx|pdf|html|md|json|csv|svg|png[&authors=1][&board=<id>]
    POST /api/workshops/import      (body: a workshop file, as exported with format=json)

Exports need the moderator key as `Authorization: Bearer`; keys never go in URLs, so a `key`
query parameter is refused outright.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from . import workshops
from .api import bearer, created_answer, database, require_organiser_password
from .errors import DomainError, Invalid
from .exports import FORMATS, ExportOptions, collect, render
from .exports.workshop_json import import_workshop, load_workshop_file
from .schemas import MAX_ID

blueprint = Blueprint("exports", __name__)

CREDENTIAL_PARAMETERS = ("key", "moderator_key", "projector_key", "token", "participant_token")


class QueryFlag(fields.Boolean):
    """A yes/no query parameter: 1/0, true/false, yes/no, on/off."""

    truthy = {"1", "true", "yes", "on"}
    falsy = {"0", "false", "no", "off"}


class ExportQuery(Schema):
    class Meta:
        unknown = RAISE

    format = fields.String(required=True, metadata={"enum": list(FORMATS), "description": "any case"})
    authors = QueryFlag(load_default=False)
    board = fields.Integer(
        validate=validate.Range(1, MAX_ID),
        load_default=None,
        metadata={"description": "the board of a picture: required for svg and png, refused otherwise"},
    )
    pictures = QueryFlag(load_default=True)


_export_query = ExportQuery()


def _export_options() -> ExportOptions:
    try:
        query = _export_query.load(request.args.to_dict())
    except ValidationError as error:
        raise Invalid("Some query parameters are not valid.", error.normalized_messages()) from None
    return ExportOptions(
        format=query["format"].lower(),
        authors=query["authors"],
        board_id=query["board"],
        pictures=query["pictures"],
    ).validated()


@blueprint.get("/api/workshops/<workshop_id>/export")
def export(workshop_id: str) -> Response:
    if any(name in request.args for name in CREDENTIAL_PARAMETERS):
        raise Invalid("Keys never go in URLs: send the moderator key as 'Authorization: Bearer <key>'.")
    secret = bearer()
    with database().read() as session:
        workshops.authenticate(session, workshop_id, moderator_key=secret)
        options = _export_options()
        collected = collect(session, workshop_id, options)
    exported = render(collected, options)
    response = Response(exported.content, content_type=exported.mimetype)
    response.headers["Content-Disposition"] = exported.content_disposition
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.post("/api/workshops/import")
def import_file() -> tuple[Response, int]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Invalid("The request body must be a workshop file (a JSON object).")
    require_organiser_password(body.get("organiser_password"))
    content = load_workshop_file(body)
    with database().write() as session:
        created = import_workshop(session, content)
    return jsonify(created_answer(created)), 201


@blueprint.errorhandler(DomainError)
def domain_error(error: DomainError) -> tuple[Response, int]:
    return jsonify({"error": error.to_dict()}), error.http_status
