"""Each layer of the contract emitter on its own: fields, schemas, errors, components,
operations, paths and the document, checked by what clients of the contract rely on.

Schemas are checked by validating values against them (jsonschema, draft 2020-12), not by
comparing dicts: the golden files already pin the exact text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from generator.contract.components import ComponentEmitter
from generator.contract.emit import emit_contract
from generator.contract.errors import ErrorEmitter
from generator.contract.fields import FieldEmitter
from generator.contract.operations import OperationEmitter
from generator.contract.paths import PathEmitter
from generator.contract.schemas import SchemaEmitter
from generator.domain.model import Domain, Entity, Field
from generator.load import load_domain

DOMAIN = """\
scaffold: 1
service: {{name: shop, title: Shop, version: 1.0.0}}
auth: {{scheme: {scheme}}}
enums:
  Color: [red, green]
entities:
  Part:
    fields:
      name: {{type: string, max_length: 40, unique: true}}
      color: {{type: Color, required: false, nullable: true}}
      price: {{type: decimal, max_digits: 8, decimal_places: 2}}
      secret: {{type: string, write_only: true, required: false, nullable: true}}
      contact: email
    relations:
      maker: {{to: Maker, kind: many_to_one}}
    list:
      filter: [color, price]
      sort: [name]
  Maker:
    operations: [list, read, create]
    fields:
      name: string
"""


def shop(tmp_path: Path, scheme: str = "jwt") -> Domain:
    path = tmp_path / "shop.yaml"
    path.write_text(DOMAIN.format(scheme=scheme), encoding="utf-8")
    return load_domain(path)


@pytest.fixture
def domain(tmp_path: Path) -> Domain:
    return shop(tmp_path)


def entity(domain: Domain, name: str) -> Entity:
    return next(e for e in domain.entities if e.name == name)


def field(domain: Domain, entity_name: str, name: str) -> Field:
    return next(f for f in entity(domain, entity_name).fields if f.name == name)


def accepts(schema: dict[str, Any], value: Any, components: dict[str, Any] | None = None) -> bool:
    """Whether `value` is valid against `schema`, resolving `#/components/...` references."""
    document = {"components": components or {}, **schema}
    return bool(jsonschema.Draft202012Validator(document, format_checker=jsonschema.FormatChecker()).is_valid(value))


# --- fields.py: the schema of one member ----------------------------------------------------


def test_a_string_member_has_its_bounds_and_refuses_nul(domain: Domain) -> None:
    schema = FieldEmitter(domain).value_schema(field(domain, "Part", "name"))
    assert accepts(schema, "x" * 40)
    assert not accepts(schema, "x" * 41)
    assert not accepts(schema, "a\x00b")


def test_a_decimal_member_is_a_string_with_its_digits_and_places(domain: Domain) -> None:
    schema = FieldEmitter(domain).value_schema(field(domain, "Part", "price"))
    assert accepts(schema, "123456.78")
    assert not accepts(schema, "1.234"), "three places"
    assert not accepts(schema, "1234567.0"), "seven digits before the point"
    assert not accepts(schema, 1.5), "a JSON number loses precision"


def test_a_nullable_member_accepts_null_and_a_required_one_does_not(domain: Domain) -> None:
    emitter = FieldEmitter(domain)
    part = entity(domain, "Part")
    components = {"schemas": {"Color": SchemaEmitter(domain).enum_schema(domain.enums[0])}}
    color = emitter.field_property(part, field(domain, "Part", "color"), "read")
    assert accepts(color, None, components)
    assert accepts(color, "red", components)
    assert not accepts(color, "blue", components)
    assert not accepts(emitter.field_property(part, field(domain, "Part", "name"), "read"), None)


def test_an_email_member_has_the_email_format(domain: Domain) -> None:
    schema = FieldEmitter(domain).value_schema(field(domain, "Part", "contact"))
    assert schema["format"] == "email"
    assert accepts(schema, "ann@example.com")
    assert not accepts(schema, "ann.example.com")


# --- schemas.py: the read, create, update and page schemas of an entity ----------------------


def test_the_read_schema_never_shows_a_write_only_member(domain: Domain) -> None:
    read = SchemaEmitter(domain).read_schema(entity(domain, "Part"))
    assert "secret" not in read["properties"]
    assert {"id", "version", "created_at", "updated_at", "maker_id"} <= set(read["required"])


def test_the_create_schema_requires_exactly_the_required_members(domain: Domain) -> None:
    create = SchemaEmitter(domain).create_schema(entity(domain, "Part"))
    assert set(create["required"]) == {"name", "price", "contact", "maker_id"}
    assert "secret" in create["properties"]
    assert not {"id", "version", "created_at"} & set(create["properties"])


def test_the_update_schema_is_a_merge_patch_with_nothing_required(domain: Domain) -> None:
    update = SchemaEmitter(domain).update_schema(entity(domain, "Part"))
    assert "required" not in update
    assert update.get("additionalProperties") is False


def test_the_page_schema_holds_items_and_a_cursor(domain: Domain) -> None:
    page = SchemaEmitter(domain).page_schema(entity(domain, "Part"))
    assert set(page["required"]) == {"items", "next_cursor"}
    assert page["properties"]["items"]["items"] == {"$ref": "#/components/schemas/Part"}


# --- errors.py: the one problem shape -------------------------------------------------------


def test_every_problem_example_fits_the_problem_schema(domain: Domain) -> None:
    emitter = ErrorEmitter(domain)
    components = {"schemas": emitter.shared_schemas()}
    for status in (400, 401, 403, 404, 409, 412, 413, 429, 500, 503):
        example = emitter.problem_example(status)
        assert example["status"] == status
        assert accepts({"$ref": "#/components/schemas/Problem"}, example, components), status


# --- components.py: security schemes by auth scheme ------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [("jwt", {"BearerAuth": "http"}), ("api_key", {"ApiKeyAuth": "apiKey"}), ("none", {})],
)
def test_the_security_scheme_follows_auth_scheme(tmp_path: Path, scheme: str, expected: dict[str, str]) -> None:
    schemes = ComponentEmitter(shop(tmp_path, scheme)).security_schemes()
    assert {name: value["type"] for name, value in schemes.items()} == expected


# --- operations.py: parameters and security of operations ------------------------------------


def test_list_parameters_hold_paging_sorting_and_every_filter(domain: Domain) -> None:
    parameters = OperationEmitter(domain).list_parameters(entity(domain, "Part"))
    names = {parameter.get("name") or parameter["$ref"].rsplit("/", 1)[1] for parameter in parameters}
    assert {"limit", "Cursor", "sort", "color", "price", "price_min", "price_max"} <= names
    assert all(parameter.get("in", "query") == "query" for parameter in parameters)


def test_an_operation_requires_its_scope_unless_auth_is_none(tmp_path: Path) -> None:
    assert OperationEmitter(shop(tmp_path)).security("parts:read") == [{"BearerAuth": ["parts:read"]}]
    assert OperationEmitter(shop(tmp_path, "none")).security("parts:read") == []


# --- paths.py: one path per collection and item, health without auth ------------------------


def test_paths_follow_the_operations_each_entity_has(domain: Domain) -> None:
    paths = PathEmitter(domain).paths()
    assert set(paths["/api/v1/parts/{id}"]) >= {"get", "patch", "delete"}
    assert set(paths["/api/v1/makers/{id}"]) & {"get", "patch", "delete"} == {"get"}
    assert set(paths["/api/v1/makers"]) & {"get", "post"} == {"get", "post"}


def test_health_paths_need_no_credentials(domain: Domain) -> None:
    paths = PathEmitter(domain).paths()
    for path in ("/healthz", "/readyz"):
        assert paths[path]["get"]["security"] == []


# --- emit.py: the document -------------------------------------------------------------------


def test_the_document_keeps_only_referenced_components(domain: Domain) -> None:
    document = emit_contract(domain)
    text = str(document["paths"])
    for name in document["components"]["parameters"]:
        assert f"#/components/parameters/{name}" in text, name
    assert document["openapi"].startswith("3.1")
    assert document["info"]["version"] == "1.0.0"
