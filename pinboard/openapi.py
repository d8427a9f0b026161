"""The OpenAPI 3 description of the HTTP API, generated from the marshmallow schemas (apispec).

Served at GET /api/openapi.json. Request bodies and query parameters are the schemas the views
validate with (pinboard/schemas.py, pinboard/export_views.py, the workshop file's schema);
answers are the outbound schemas, completed here by a few schemas that only describe (the
snapshot's nesting, the answers built as plain dicts, errors). `OPERATIONS` names every route;
tests/test_openapi.py fails when the app has an /api route that is not described here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema, fields, validate

from . import schemas
from .actors import Role
from .export_views import ExportQuery, QueryFlag
from .exports import FORMATS, MIMETYPES
from .exports.workshop_json import WorkshopFileIn

VERSION = "1"
ERROR_CODES = ("invalid", "unauthorized", "forbidden", "not_found", "too_large")

# ---- schemas that only describe -------------------------------------------------------------


class CardDoc(schemas.CardOut):
    """A card; a hidden card the reader may not see is a placeholder (no text, colour, author)."""

    color = fields.String(allow_none=True)
    author_name = fields.String()
    # The cards stacked onto this one (a stack's top), in order; each without a stack of its own.
    stack = fields.List(fields.Nested(lambda: CardDoc(exclude=("stack",))))


class ClusterDoc(schemas.ClusterOut):
    cards = fields.List(fields.Nested(CardDoc))


class VoteDoc(Schema):
    board_id = fields.Integer()
    round_id = fields.Integer()
    budget = fields.Integer()
    per_card_cap = fields.Integer()
    show_live = fields.Boolean()
    open = fields.Boolean()
    votes_cast = fields.Integer()
    tally = fields.Dict(keys=fields.String(), values=fields.Integer(), allow_none=True)
    ranking = fields.List(fields.Integer(), allow_none=True)
    mine = fields.Dict(keys=fields.String(), values=fields.Integer(), allow_none=True)
    dots_left = fields.Integer(allow_none=True)
    wall = fields.Dict(keys=fields.String(), values=fields.Integer(), allow_none=True)


class TimerDoc(Schema):
    board_id = fields.Integer()
    state = fields.String(validate=validate.OneOf(("running", "paused", "ended")))
    seconds = fields.Integer()
    ends_at = fields.DateTime(allow_none=True)
    remaining = fields.Float()
    lock_on_end = fields.Boolean()
    server_time = fields.DateTime()


class BoardDoc(schemas.BoardOut):
    settings = fields.Nested(schemas.BoardSettingsOut)
    clusters = fields.List(fields.Nested(ClusterDoc))
    unsorted = fields.List(fields.Nested(CardDoc))
    done_count = fields.Integer()
    done = fields.Boolean()
    vote = fields.Nested(VoteDoc, allow_none=True)
    timer = fields.Nested(TimerDoc, allow_none=True)


class YouDoc(Schema):
    role = fields.String(validate=validate.OneOf([role.value for role in Role]))
    participant_id = fields.Integer(allow_none=True)


class HistoryDoc(Schema):
    can_undo = fields.Boolean()
    can_redo = fields.Boolean()
    undo_label = fields.String(allow_none=True)
    redo_label = fields.String(allow_none=True)


class SnapshotDoc(Schema):
    seq = fields.Integer()
    history = fields.Nested(HistoryDoc)
    workshop = fields.Nested(schemas.WorkshopOut)
    you = fields.Nested(YouDoc)
    participant_count = fields.Integer()
    boards = fields.List(fields.Nested(BoardDoc))


class LinksDoc(Schema):
    participant = fields.Url()
    projector = fields.Url()
    moderator = fields.Url()
    assistant = fields.Url()


class CreatedDoc(Schema):
    id = fields.String()
    join_code = fields.String()
    moderator_key = fields.String()
    projector_key = fields.String()
    assistant_key = fields.String()
    links = fields.Nested(LinksDoc)


class WorkshopLinksDoc(Schema):
    join_code = fields.String()
    projector_key = fields.String()
    assistant_key = fields.String()
    links = fields.Nested(LinksDoc)


class JoinedDoc(Schema):
    workshop_id = fields.String()
    participant_id = fields.Integer()
    participant_token = fields.String()


class DeletedDoc(Schema):
    deleted = fields.String()


class HealthDoc(Schema):
    status = fields.String(validate=validate.OneOf(("ok", "error")))
    database = fields.String(validate=validate.OneOf(("ok", "unreachable")))


class ErrorBodyDoc(Schema):
    code = fields.String(validate=validate.OneOf(ERROR_CODES))
    message = fields.String()
    fields = fields.Dict(metadata={"description": "the messages per field, where there are any"})


class ErrorDoc(Schema):
    error = fields.Nested(ErrorBodyDoc, required=True)


# ---- operations -------------------------------------------------------------------------------

STATUS_TEXT = {
    400: "The body or a parameter is not valid (`invalid`).",
    401: "No valid credential for this workshop (`unauthorized`).",
    403: "The credential may not do this (`forbidden`).",
    404: "No such workshop (`not_found`).",
    405: "The method is not allowed on this path (`invalid`).",
    413: "The request body is over 4 MB (`too_large`).",
}
MODERATOR = [{"moderatorKey": []}]
ANY_CREDENTIAL = [{"moderatorKey": []}, {"projectorKey": []}, {"participantToken": []}]
ORGANISER = [{}, {"organiserPassword": []}]


@dataclass(frozen=True)
class Operation:
    summary: str
    answer: type[Schema] | None  # the JSON answer; None: `content` (else any JSON object)
    status: int = 200
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    security: list[dict[str, list[str]]] = field(default_factory=list)
    errors: tuple[int, ...] = ()
    content: dict[str, Any] | None = None  # instead of a JSON answer
    extra: dict[int, str] = field(default_factory=dict)  # more statuses with the same answer


_BINARY = {"schema": {"type": "string", "format": "binary"}}
EXPORT_CONTENT = {
    **{MIMETYPES[name].split(";")[0]: _BINARY for name in FORMATS},
    MIMETYPES["json"]: {"schema": WorkshopFileIn},  # the workshop file, as import reads it
}

# (Flask rule, method) -> what it does. Every /api rule of the app must be here.
OPERATIONS: dict[tuple[str, str], Operation] = {
    ("/api/workshops", "POST"): Operation(
        "Create a workshop; its keys are in this answer only.",
        CreatedDoc,
        201,
        body=schemas.WorkshopCreate,
        security=ORGANISER,
        errors=(400, 403, 413),
    ),
    ("/api/join", "POST"): Operation(
        "Join an open workshop with its join code.",
        JoinedDoc,
        body=schemas.JoinRequest,
        errors=(400, 404, 413),
    ),
    ("/api/workshops/<workshop_id>", "GET"): Operation(
        "The snapshot of the workshop as the credential's role may see it.",
        SnapshotDoc,
        security=ANY_CREDENTIAL,
        errors=(401, 404),
    ),
    ("/api/workshops/<workshop_id>", "DELETE"): Operation(
        "Delete the workshop with everything in it, for good.",
        DeletedDoc,
        security=MODERATOR,
        errors=(401, 404),
    ),
    ("/api/workshops/<workshop_id>/links", "GET"): Operation(
        "The workshop's join code, projector key and links again.",
        WorkshopLinksDoc,
        security=MODERATOR,
        errors=(401, 404),
    ),
    ("/api/workshops/<workshop_id>/export", "GET"): Operation(
        "The results document, card table, board picture or workshop file (see docs/export.md).",
        None,
        query=ExportQuery,
        security=MODERATOR,
        errors=(400, 401, 404),
        content=EXPORT_CONTENT,
    ),
    ("/api/workshops/import", "POST"): Operation(
        "Create a new workshop from a workshop file (as exported with format=json).",
        CreatedDoc,
        201,
        body=WorkshopFileIn,
        security=ORGANISER,
        errors=(400, 403, 413),
    ),
    ("/api/openapi.json", "GET"): Operation("This description of the HTTP API (OpenAPI 3.0).", None),
    ("/healthz", "GET"): Operation(
        "Whether the server and its database answer.",
        HealthDoc,
        extra={503: "The database does not answer."},
    ),
}

SECURITY_SCHEMES = {
    "moderatorKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "`Authorization: Bearer <moderator_key>` (from creating the workshop).",
    },
    "projectorKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "`Authorization: Bearer <projector_key>`: the read-only projector.",
    },
    "participantToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "`Authorization: Bearer <participant_token>` (from POST /api/join).",
    },
    "organiserPassword": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Organiser-Password",
        "description": "Needed only where the server has an organiser password "
        "(or send `organiser_password` in the body).",
    },
}


# ---- the custom fields ------------------------------------------------------------------------


def _char_class(chars: list[str]) -> str:
    """Characters as the ranges of a regular-expression class (\\uXXXX escapes, BMP only)."""
    codes = sorted(ord(char) for char in chars)
    parts, start = [], 0
    for index in range(1, len(codes) + 1):
        if index == len(codes) or codes[index] != codes[index - 1] + 1:
            low, high = codes[start], codes[index - 1]
            parts.append(f"\\u{low:04x}" if low == high else f"\\u{low:04x}-\\u{high:04x}")
            start = index
    return "".join(parts)


# What str.strip() removes, and the control characters Text refuses (but line breaks and tabs in
# multi-line text). Spelled out, since `\s` means other things to other regular-expression engines.
_WHITESPACE = _char_class([chr(code) for code in range(0x10000) if chr(code).isspace()])
_CONTROL = [chr(code) for code in range(0x10000) if unicodedata.category(chr(code)) == "Cc"]
_REFUSED = _char_class(_CONTROL)
_REFUSED_MULTI_LINE = _char_class([char for char in _CONTROL if char not in "\n\t"])


def text_pattern(field: schemas.Text) -> str:
    """What Text accepts, as one regular expression: after trimming, 1 to max_length characters
    (0 for OptionalText), none of them refused. (Unpaired surrogates, refused too, cannot be
    written in a pattern; UTF-8 has no such thing, only a JSON \\u escape does.)"""
    refused = _REFUSED if field.single_line else _REFUSED_MULTI_LINE
    edge, inner = f"[^{_WHITESPACE}{refused}]", f"[^{refused}]"
    trimmed = f"{edge}(?:{inner}{{0,{field.max_length - 2}}}{edge})?"
    if isinstance(field, schemas.OptionalText):
        trimmed = f"(?:{trimmed})?"
    return f"^[{_WHITESPACE}]*{trimmed}[{_WHITESPACE}]*$"


def _custom_fields(converter: Any, field: fields.Field, **_: Any) -> dict[str, Any]:
    """What apispec cannot see in pinboard's own fields: text limits and strict JSON types."""
    if isinstance(field, schemas.Text):
        low = 0 if isinstance(field, schemas.OptionalText) else 1
        lines = "one line" if field.single_line else "line breaks and tabs allowed"
        return {
            "pattern": text_pattern(field),
            "description": f"{low}–{field.max_length} characters after trimming; {lines}; "
            "no control characters",
        }
    if isinstance(field, QueryFlag):
        return {"type": "string", "enum": sorted(field.truthy | field.falsy)}
    return {}


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: <workshop_id> -> {workshop_id}."""
    return rule.replace("<", "{").replace(">", "}")


def _path_parameters(rule: str) -> list[dict[str, Any]]:
    if "<workshop_id>" not in rule:
        return []
    return [
        {
            "name": "workshop_id",
            "in": "path",
            "required": True,
            "schema": {"type": "string"},
            "description": "The workshop's id (12 characters `A-Za-z0-9_-`).",
        }
    ]


def _responses(operation: Operation, rule: str) -> dict[str, Any]:
    answer = (
        {"application/json": {"schema": operation.answer}}
        if operation.answer is not None
        else operation.content or {"application/json": {"schema": {"type": "object"}}}
    )
    responses: dict[str, Any] = {str(operation.status): {"description": operation.summary, "content": answer}}
    for status, text in operation.extra.items():
        responses[str(status)] = {"description": text, "content": answer}
    for status in sorted({*operation.errors, *((404, 405) if rule.startswith("/api/") else ())}):
        responses[str(status)] = {
            "description": STATUS_TEXT[status],
            "content": {"application/json": {"schema": ErrorDoc}},
        }
    return responses


def _operation(plugin: MarshmallowPlugin, operation: Operation, rule: str, method: str) -> dict[str, Any]:
    words = rule.strip("/").replace("<", "").replace(">", "").replace(".", "_").split("/")
    described: dict[str, Any] = {
        "summary": operation.summary,
        "operationId": "_".join([method.lower(), *words]),
        "responses": _responses(operation, rule),
        "parameters": _path_parameters(rule),
        "security": operation.security,
    }
    if operation.query is not None:
        assert plugin.converter is not None
        described["parameters"] += plugin.converter.schema2parameters(operation.query, location="query")
    if operation.body is not None:
        described["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": operation.body}},
        }
    return described


def build_spec(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.0 description of the app's HTTP API (the routes named in OPERATIONS)."""
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="pinboard HTTP API",
        version=VERSION,
        openapi_version="3.0.3",
        plugins=[plugin],
        info={
            "description": "Create and join workshops, read snapshots, export and import. Everything "
            "live goes over Socket.IO (docs/protocol.md).",
        },
    )
    assert plugin.converter is not None
    plugin.converter.add_attribute_function(_custom_fields)
    for name, scheme in SECURITY_SCHEMES.items():
        spec.components.security_scheme(name, scheme)
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        operations = {}
        for method in sorted(rule.methods or ()):
            operation = OPERATIONS.get((rule.rule, method))
            if operation is not None:
                operations[method.lower()] = _operation(plugin, operation, rule.rule, method)
        if operations:
            spec.path(path=openapi_path(rule.rule), operations=operations)
    return spec.to_dict()


def described_operations(app: Flask) -> set[tuple[str, str]]:
    """(OpenAPI path, METHOD) of every /api route and /healthz the app serves (HEAD, OPTIONS aside)."""
    return {
        (openapi_path(rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") or rule.rule == "/healthz"
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
