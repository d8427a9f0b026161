"""GET /api/openapi.json: the OpenAPI description generated from the marshmallow schemas."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from pinboard import schemas
from pinboard.openapi import OPERATIONS, build_spec, described_operations, text_pattern


@pytest.fixture
def spec(client) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()  # type: ignore[no-any-return]


def test_every_api_route_of_the_app_is_described(app, spec: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """A new route in pinboard/api.py or export_views.py fails here until OPERATIONS describes it."""
    served = described_operations(app)
    assert ("/api/workshops/{workshop_id}/export", "GET") in served  # the export views are seen too
    described = {(path, method.upper()) for path, item in spec["paths"].items() for method in item}
    assert served - described == set(), "routes without a description in pinboard/openapi.py"
    assert described - served == set(), "descriptions of routes the app does not have"


def test_the_description_is_valid_openapi(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.0")
    schema = schemathesis.openapi.from_dict(spec)
    schema.validate()  # against the OpenAPI 3.0 meta-schema
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == sum(len(item) for item in spec["paths"].values())


def test_bodies_come_from_the_schemas_the_views_validate_with(spec: dict[str, Any]) -> None:
    components = spec["components"]["schemas"]
    create = spec["paths"]["/api/workshops"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/WorkshopCreate"
    }
    workshop = components["WorkshopCreate"]
    assert workshop["required"] == ["title"]
    assert workshop["additionalProperties"] is False  # unknown fields are refused
    assert workshop["properties"]["language"]["enum"] == list(schemas.LANGUAGES)
    assert workshop["properties"]["title"]["pattern"] == text_pattern(
        schemas.WorkshopCreate().fields["title"]
    )
    assert components["WorkshopFileIn"]["properties"]["version"]["enum"] == [1, 2]
    card = components["CardIn"]["properties"]
    assert card["stack"]["items"] == {"$ref": "#/components/schemas/StackedCardIn"}
    assert "stack" not in components["StackedCardIn"]["properties"]
    assert {"hidden", "participants_choose_color"} <= set(components["SettingsIn"]["properties"])
    assert components["BoardIn"]["properties"]["vote_rounds"]["items"] == {
        "$ref": "#/components/schemas/VoteRoundIn"
    }
    export = spec["paths"]["/api/workshops/{workshop_id}/export"]["get"]
    query = {parameter["name"]: parameter for parameter in export["parameters"] if parameter["in"] == "query"}
    assert set(query) == {"format", "authors", "board", "pictures"}
    assert query["format"]["required"] is True


def test_credentials_are_security_schemes(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert {name: scheme["type"] for name, scheme in schemes.items()} == {
        "moderatorKey": "http",
        "projectorKey": "http",
        "participantToken": "http",
        "organiserPassword": "apiKey",
    }
    paths = spec["paths"]
    assert paths["/api/workshops/{workshop_id}/links"]["get"]["security"] == [{"moderatorKey": []}]
    assert paths["/api/workshops/{workshop_id}"]["delete"]["security"] == [{"moderatorKey": []}]
    assert len(paths["/api/workshops/{workshop_id}"]["get"]["security"]) == 3
    assert paths["/api/join"]["post"]["security"] == []
    assert {} in paths["/api/workshops"]["post"]["security"]  # the organiser password is optional


def test_errors_are_described(spec: dict[str, Any]) -> None:
    links = spec["paths"]["/api/workshops/{workshop_id}/links"]["get"]["responses"]
    assert set(links) == {"200", "401", "404", "405"}
    error = links["401"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorDoc"}


def test_the_description_is_built_once(app, client) -> None:  # type: ignore[no-untyped-def]
    first = client.get("/api/openapi.json").get_json()
    assert client.get("/api/openapi.json").get_json() == first == build_spec(app)


TEXT_FIELDS = [schemas.Text(10), schemas.Text(10, single_line=False), schemas.OptionalText(10)]
# Characters around the edges of what Text accepts: whitespace it trims, controls it refuses.
EDGE_CHARACTERS = " \t\n\r\x0b\x1c\x85\xa0\u2003\u3000\u200ba\x00\x7f\x89é中😀"


@pytest.mark.parametrize("field", TEXT_FIELDS, ids=["single line", "multi-line", "optional"])
@settings(max_examples=400, deadline=None)
@given(value=st.text(alphabet=st.sampled_from(EDGE_CHARACTERS) | st.characters(codec="utf-8"), max_size=14))
def test_a_text_pattern_accepts_exactly_what_the_field_accepts(field: schemas.Text, value: str) -> None:
    """The pattern in the description agrees with the validator, in Python's and in the JSON
    Schema validator's regular expressions (so generated requests are valid when they should be)."""
    try:
        field.deserialize(value)
        accepted = True
    except ValidationError:
        accepted = False
    pattern = text_pattern(field)
    assert (re.search(pattern, value) is not None) == accepted
    assert jsonschema_rs.validator_for({"type": "string", "pattern": pattern}).is_valid(value) == accepted


def test_protocol_md_documents_every_described_route() -> None:
    protocol = (Path(__file__).resolve().parent.parent / "docs" / "protocol.md").read_text()
    for rule, method in OPERATIONS:
        assert f"`{method} {rule.replace('<workshop_id>', '<id>')}`" in protocol, (method, rule)
