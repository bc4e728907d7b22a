"""The OpenAPI contract: one test per construct of the domain format.

Domains are written as YAML and loaded through the real loader, so each test reads like the
domain file a user would write and checks what a client of the contract would see.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from generator.contract import (
    RESERVED_SCHEMA_NAMES,
    dump_json,
    dump_yaml,
    emit_contract,
    validate_contract,
)
from generator.contract.common import MAX_JSON_DEPTH
from generator.domain.model import Domain
from generator.load import load_domain

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "specs" / "examples").glob("*.yaml"))
INT64_MAX = 2**63 - 1
METHODS = ("get", "post", "patch", "delete", "put")
RATE_LIMIT_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")

LIBRARY = """
scaffold: 1
service: {name: library, title: Library API, version: 2.0.0}
auth:
  scheme: jwt
  scopes:
    lib:read: Read the library
    lib:write: Change the library
enums:
  Format: [hardcover, paperback]
entities:
  Author:
    fields:
      name: {type: string, max_length: 120}
  Member:
    description: A card holder.
    fields:
      name: string
      secret_pin: {type: string, max_length: 8, write_only: true, required: false}
      card_number: {type: string, pattern: "^C[0-9]{6}$", immutable: true}
      score: {type: integer, read_only: true, required: false, default: 0}
      nickname: string?
      born_on: date?
      fee: {type: decimal, max_digits: 6, decimal_places: 2, minimum: 0}
      balance: {type: decimal, max_digits: 8, decimal_places: 3}
      rating: {type: number, minimum: 0, maximum: 5}
      visits: {type: integer, minimum: 0, maximum: 1000}
      active: {type: boolean, default: true}
      format: Format
      backup_format: Format?
      profile: json?
      homepage: url?
      email: email?
      seen_at: datetime?
    relations:
      favourite_author: {to: Author, kind: many_to_one, required: false, on_delete: set_null,
                         inverse: fans}
      authors: {to: Author, kind: many_to_many, inverse: readers}
    list:
      filter: [name, visits, born_on, favourite_author]
      sort: [name, visits]
      default_sort: "-visits"
      search: [name]
      page_size: 10
      max_page_size: 50
    auth: {read: lib:read, write: lib:write}
"""


def load(tmp_path: Path, text: str) -> Domain:
    path = tmp_path / "domain.yaml"
    path.write_text(textwrap.dedent(text))
    return load_domain(path)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return emit_contract(load(tmp_path_factory.mktemp("library"), LIBRARY))


def schemas(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["components"]["schemas"]  # type: ignore[no-any-return]


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def operation(doc: dict[str, Any], operation_id: str) -> dict[str, Any]:
    return next(op for _, _, op in operations(doc) if op["operationId"] == operation_id)


def deref(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = doc
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def parameter_names(doc: dict[str, Any], op: dict[str, Any]) -> list[str]:
    return [deref(doc, p)["name"] for p in op.get("parameters", [])]


def parameter(doc: dict[str, Any], op: dict[str, Any], name: str) -> dict[str, Any]:
    return next(deref(doc, p) for p in op["parameters"] if deref(doc, p)["name"] == name)


def walk_schemas(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every dict that is a schema (has `type`), with its location; not what a `not` refuses."""
    if isinstance(node, dict):
        if "type" in node and isinstance(node.get("type"), str | list):
            yield where, node
        for key, value in node.items():
            if key not in ("example", "examples", "default", "enum", "const", "not"):
                yield from walk_schemas(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk_schemas(value, f"{where}/{index}")


# --------------------------------------------------------------------------- document


def test_document_header(library: dict[str, Any]) -> None:
    assert library["openapi"] == "3.1.0"
    assert library["jsonSchemaDialect"] == "https://spec.openapis.org/oas/3.1/dialect/base"
    assert library["info"]["title"] == "Library API"
    assert library["info"]["version"] == "2.0.0"
    assert library["info"]["contact"]["name"]
    assert library["info"]["license"]["name"]
    # Full paths, the host root as the server: what FastAPI serves and every stock tool reads.
    assert library["servers"][0]["url"] == "/"
    assert all(
        path.startswith("/api/v1/") for path in library["paths"] if path not in ("/healthz", "/readyz", "/metrics")
    )
    assert [tag["name"] for tag in library["tags"]] == ["Author", "Member", "Operations"]
    assert library["tags"][1]["description"] == "A card holder."
    assert validate_contract(library) == []


def test_contact_and_license_come_from_the_service(tmp_path: Path) -> None:
    domain = load(
        tmp_path,
        """
        scaffold: 1
        service:
          name: shop
          contact: {name: Shop team, email: shop@example.com}
          license: {name: Apache 2.0, identifier: Apache-2.0}
        entities:
          Item: {fields: {name: string}}
        """,
    )
    info = emit_contract(domain)["info"]
    assert info["contact"] == {"name": "Shop team", "email": "shop@example.com"}
    assert info["license"] == {"name": "Apache 2.0", "identifier": "Apache-2.0"}


# --------------------------------------------------------------------------- schemas


def test_read_schema_has_server_fields_and_omits_write_only(library: dict[str, Any]) -> None:
    member = schemas(library)["Member"]
    props = member["properties"]
    assert "secret_pin" not in props
    for name in ("id", "version", "created_at", "updated_at"):
        assert props[name]["readOnly"] is True
    assert props["score"]["readOnly"] is True
    assert set(member["required"]) == set(props)
    assert props["id"]["format"] == "uuid"
    assert props["created_at"]["format"] == "date-time"


def test_create_schema(library: dict[str, Any]) -> None:
    create = schemas(library)["MemberCreate"]
    props = create["properties"]
    assert create["additionalProperties"] is False
    assert props["secret_pin"]["writeOnly"] is True
    assert "score" not in props  # read_only
    assert not {"id", "version", "created_at", "updated_at"} & set(props)
    assert "card_number" in props  # immutable fields are set on creation
    assert props["active"]["default"] is True
    required = set(create["required"])
    assert {"name", "card_number", "fee", "format"} <= required
    assert not {"nickname", "secret_pin", "active", "favourite_author_id", "author_ids"} & required


def test_update_schema_is_all_optional_without_immutable(library: dict[str, Any]) -> None:
    update = schemas(library)["MemberUpdate"]
    props = update["properties"]
    assert "required" not in update
    assert "card_number" not in props
    assert "score" not in props
    assert props["secret_pin"]["writeOnly"] is True
    assert all("default" not in schema for schema in props.values())
    assert update["additionalProperties"] is False


def test_relations_on_the_wire(library: dict[str, Any]) -> None:
    for name in ("Member", "MemberCreate", "MemberUpdate"):
        props = schemas(library)[name]["properties"]
        assert "authors" not in props
        ids = props["author_ids"]
        assert ids["type"] == "array"
        assert ids["maxItems"] == 1000
        assert ids["items"] == {"type": "string", "format": "uuid", "maxLength": 36}
        assert props["favourite_author_id"]["type"] == ["string", "null"]


def test_nullability_uses_type_arrays_and_never_nullable(library: dict[str, Any]) -> None:
    props = schemas(library)["Member"]["properties"]
    assert props["nickname"]["type"] == ["string", "null"]
    assert props["born_on"]["type"] == ["string", "null"]
    assert props["name"]["type"] == "string"
    assert props["backup_format"]["anyOf"] == [
        {"$ref": "#/components/schemas/Format"},
        {"type": "null"},
    ]
    assert props["format"] == {"$ref": "#/components/schemas/Format"}
    assert "nullable" not in dump_json(library).replace("nullable value", "")


def test_field_constraints(library: dict[str, Any]) -> None:
    props = schemas(library)["MemberCreate"]["properties"]
    assert props["name"]["maxLength"] == 255
    assert props["card_number"]["pattern"] == "^C[0-9]{6}$"
    assert props["visits"] == {
        "type": "integer",
        "format": "int64",
        "minimum": 0,
        "maximum": 1000,
        **{k: v for k, v in props["visits"].items() if k == "description"},
    }
    assert props["rating"]["minimum"] == 0 and props["rating"]["maximum"] == 5
    assert props["homepage"]["format"] == "uri"
    url = Draft202012Validator(props["homepage"])
    assert url.is_valid("https://example.com/a?b=c") and url.is_valid(None)
    assert not url.is_valid("not a url") and not url.is_valid("/relative")
    assert props["email"]["format"] == "email"
    assert props["seen_at"]["format"] == "date-time"
    assert props["born_on"]["format"] == "date"
    assert schemas(library)["Format"] == {
        "type": "string",
        "enum": ["hardcover", "paperback"],
        "examples": ["hardcover"],
    }


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [
        ("fee", ["0", "12.5", "1234.56", "9999.99"], ["-1", "12.345", "12345.6", "1e3", "01", ""]),
        ("balance", ["-3.125", "12345", "0.5"], ["123456.7", "1.2345", "+1", ".5", "1."]),
    ],
)
def test_decimals_are_strings_with_a_digit_pattern(
    library: dict[str, Any], field: str, good: list[str], bad: list[str]
) -> None:
    schema = schemas(library)["MemberCreate"]["properties"][field]
    assert schema["type"] == "string"
    assert schema["format"] == "decimal"
    validator = Draft202012Validator(schema)
    for value in good:
        assert validator.is_valid(value), value
        assert len(value) <= schema["maxLength"]
    for value in bad:
        assert not validator.is_valid(value), value
    assert not validator.is_valid(12.5)


def test_json_fields_are_bounded_any_values(library: dict[str, Any]) -> None:
    props = schemas(library)["Member"]["properties"]
    assert props["profile"]["anyOf"][0] == {"$ref": "#/components/schemas/JsonValue"}
    validator = component_validator(library, "JsonValue")
    assert validator.is_valid({"a": [1, 2.5, "x", None, True, {"b": {}}]})
    assert not validator.is_valid({"a": "x" * 65536})
    assert not validator.is_valid({"a": {"b": list(range(1001))}})
    assert not validator.is_valid(2**53)
    assert validator.is_valid(2**53 - 1)


def test_page_schema(library: dict[str, Any]) -> None:
    page = schemas(library)["MemberPage"]
    assert page["required"] == ["items", "next_cursor"]
    assert page["properties"]["items"]["items"] == {"$ref": "#/components/schemas/Member"}
    assert page["properties"]["items"]["maxItems"] == 50
    assert page["properties"]["next_cursor"]["type"] == ["string", "null"]


def test_problem_schemas(library: dict[str, Any]) -> None:
    problem = schemas(library)["Problem"]
    assert set(problem["properties"]) == {
        "type",
        "title",
        "status",
        "detail",
        "instance",
        "code",
        "request_id",
        "errors",  # validation failures, and the members of a clashing unique constraint
        "constraint",  # the database constraint of a 409
    }
    assert "errors" not in problem["required"] and "constraint" not in problem["required"]
    validation = schemas(library)["ValidationProblem"]
    assert validation["allOf"][0] == {"$ref": "#/components/schemas/Problem"}
    errors = validation["allOf"][1]["properties"]["errors"]
    assert errors["items"] == {"$ref": "#/components/schemas/FieldError"}
    assert set(schemas(library)["FieldError"]["required"]) == {"pointer", "message", "code"}
    assert set(RESERVED_SCHEMA_NAMES) <= set(schemas(library))


def component_validator(doc: dict[str, Any], name: str) -> Draft202012Validator:
    registry: Registry[Any] = Registry().with_resource(
        "urn:contract", Resource.from_contents(doc, default_specification=DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": f"urn:contract#/components/schemas/{name}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


@pytest.mark.parametrize("example", [None, *EXAMPLES], ids=lambda p: p.stem if p else "library")
def test_every_schema_has_a_valid_example(library: dict[str, Any], example: Path | None) -> None:
    doc = library if example is None else emit_contract(load_domain(example))
    for name, schema in schemas(doc).items():
        assert schema.get("examples"), name
        validator = component_validator(doc, name)
        for example in schema["examples"]:
            errors = [e.message for e in validator.iter_errors(example)]
            assert errors == [], (name, errors)


def test_every_string_integer_and_array_is_bounded(library: dict[str, Any]) -> None:
    found = [*walk_schemas(library["paths"]), *walk_schemas(library["components"])]
    assert len(found) > 100
    for where, schema in found:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if "string" in types:
            assert {"maxLength", "enum", "const"} & set(schema), where
        if "integer" in types:
            assert "minimum" in schema and "maximum" in schema and "format" in schema, where
        if "array" in types:
            assert "maxItems" in schema, where


# --------------------------------------------------------------------------- operations


def test_operation_ids_and_paths(library: dict[str, Any]) -> None:
    ids = {(path, method): op["operationId"] for path, method, op in operations(library)}
    assert ids[("/api/v1/members", "get")] == "list_members"
    assert ids[("/api/v1/members", "post")] == "create_member"
    assert ids[("/api/v1/members/{id}", "get")] == "get_member"
    assert ids[("/api/v1/members/{id}", "patch")] == "update_member"
    assert ids[("/api/v1/members/{id}", "delete")] == "delete_member"
    assert ids[("/api/v1/authors/{id}/fans", "get")] == "list_author_fans"
    assert ids[("/api/v1/authors/{id}/readers", "get")] == "list_author_readers"
    assert len(set(ids.values())) == len(ids)


def test_list_parameters(library: dict[str, Any]) -> None:
    op = operation(library, "list_members")
    names = parameter_names(library, op)
    assert names[:4] == ["limit", "cursor", "sort", "q"]
    assert set(names[4:]) == {
        "name",
        "visits",
        "visits_min",
        "visits_max",
        "born_on",
        "born_on_min",
        "born_on_max",
        "favourite_author_id",
    }
    limit = parameter(library, op, "limit")["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 50, 10)
    sort = parameter(library, op, "sort")["schema"]
    assert sort["default"] == "-visits"
    assert {"name", "-name", "visits", "-visits", "created_at", "-created_at"} <= set(sort["enum"])
    assert parameter(library, op, "visits_min")["schema"]["maximum"] == 1000
    assert parameter(library, op, "born_on_max")["schema"]["format"] == "date"
    assert parameter(library, op, "q")["schema"]["maxLength"] == 255
    page = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert page == {"$ref": "#/components/schemas/MemberPage"}


def test_q_only_when_search_is_set(library: dict[str, Any]) -> None:
    assert "q" not in parameter_names(library, operation(library, "list_authors"))


def test_create_operation(library: dict[str, Any]) -> None:
    op = operation(library, "create_member")
    assert parameter_names(library, op) == ["Idempotency-Key"]
    body = op["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/MemberCreate"}
    created = op["responses"]["201"]
    assert deref(library, created["headers"]["Location"])["required"] is True
    assert set(created["links"]) == {"get_member", "update_member", "delete_member"}
    link = created["links"]["get_member"]
    assert link == {**link, "operationId": "get_member", "parameters": {"id": "$response.body#/id"}}
    assert {"400", "401", "403", "409", "413", "415", "422", "429", "500"} <= set(op["responses"])


def test_read_operation_returns_an_etag(library: dict[str, Any]) -> None:
    op = operation(library, "get_member")
    ok = op["responses"]["200"]
    assert "ETag" in ok["headers"]
    assert "404" in op["responses"]
    assert library["paths"]["/api/v1/members/{id}"]["parameters"] == [{"$ref": "#/components/parameters/Id"}]


def test_update_is_a_merge_patch_with_if_match(library: dict[str, Any]) -> None:
    op = operation(library, "update_member")
    content = op["requestBody"]["content"]
    assert list(content) == ["application/merge-patch+json", "application/json"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/MemberUpdate"}
    assert parameter_names(library, op) == ["If-Match"]
    assert {"404", "409", "412", "413", "415", "422"} <= set(op["responses"])


def test_delete_returns_204(library: dict[str, Any]) -> None:
    op = operation(library, "delete_member")
    assert "204" in op["responses"]
    assert "content" not in op["responses"]["204"]


def test_inverse_listing_uses_the_source_page(library: dict[str, Any]) -> None:
    op = operation(library, "list_author_fans")
    schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/MemberPage"}
    assert parameter_names(library, op) == ["limit", "cursor"]
    assert parameter(library, op, "limit")["schema"]["maximum"] == 50
    assert op["security"] == [{"BearerAuth": ["lib:read"]}]


def test_every_error_is_a_problem_with_rate_limit_headers(library: dict[str, Any]) -> None:
    for path, method, op in operations(library):
        for status, response in op["responses"].items():
            response = deref(library, response)
            probe = path in ("/healthz", "/readyz", "/metrics")
            if status.startswith(("2", "4")) and not probe:
                assert set(RATE_LIMIT_HEADERS) <= set(response["headers"]), (path, method, status)
            if status[0] in "45":
                content = response["content"]
                assert list(content) == ["application/problem+json"], (path, method, status)
        if not path.startswith(("/healthz", "/readyz", "/metrics")):
            assert {"429", "500"} <= set(op["responses"])
    too_many = library["components"]["responses"]["TooManyRequests"]
    assert "Retry-After" in too_many["headers"]
    unprocessable = library["components"]["responses"]["UnprocessableContent"]
    assert unprocessable["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationProblem"
    }


# --------------------------------------------------------------------------- security


def test_jwt_scopes_per_operation(library: dict[str, Any]) -> None:
    scheme = library["components"]["securitySchemes"]["BearerAuth"]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")
    assert "lib:read" in scheme["description"] and "RFC8725" in scheme["description"]
    expected = {
        "list_members": "lib:read",
        "get_member": "lib:read",
        "create_member": "lib:write",
        "update_member": "lib:write",
        "delete_member": "lib:write",
        "list_authors": "authors:read",
        "create_author": "authors:write",
    }
    for operation_id, scope in expected.items():
        assert operation(library, operation_id)["security"] == [{"BearerAuth": [scope]}]
    assert "security" not in library  # per operation only
    for path, _, op in operations(library):
        if not path.startswith(("/healthz", "/readyz", "/metrics")):
            assert "401" in op["responses"] and "403" in op["responses"]


def test_api_key_scheme(tmp_path: Path) -> None:
    doc = emit_contract(
        load(
            tmp_path,
            """
            scaffold: 1
            service: {name: keys}
            auth: {scheme: api_key}
            entities:
              Item: {fields: {name: string}}
            """,
        )
    )
    assert doc["components"]["securitySchemes"] == {
        "ApiKeyAuth": {
            **doc["components"]["securitySchemes"]["ApiKeyAuth"],
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
        }
    }
    assert operation(doc, "create_item")["security"] == [{"ApiKeyAuth": ["items:write"]}]


def test_no_security_for_scheme_none(tmp_path: Path) -> None:
    doc = emit_contract(
        load(
            tmp_path,
            """
            scaffold: 1
            service: {name: open}
            auth: {scheme: none}
            entities:
              Item: {fields: {name: string}}
            """,
        )
    )
    assert "securitySchemes" not in doc["components"]
    assert "security" not in doc
    for _, _, op in operations(doc):
        assert op["security"] == []
        assert "401" not in op["responses"] and "403" not in op["responses"]
    assert "Unauthorized" not in doc["components"]["responses"]
    assert validate_contract(doc) == []


def test_health_endpoints_are_public_and_outside_the_base_path(library: dict[str, Any]) -> None:
    for path in ("/healthz", "/readyz", "/metrics"):
        item = library["paths"][path]
        assert "servers" not in item  # the path is the full path: no server of its own
        assert item["get"]["security"] == []
    metrics = library["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert list(metrics) == ["text/plain"]


# --------------------------------------------------------------------------- narrowing


def test_operations_narrow_paths_and_components(tmp_path: Path) -> None:
    doc = emit_contract(
        load(
            tmp_path,
            """
            scaffold: 1
            service: {name: audit, id_type: integer}
            entities:
              Event:
                fields: {name: string}
                operations: [list, read]
            """,
        )
    )
    assert list(doc["paths"]["/api/v1/events"]) == ["get"]
    assert list(doc["paths"]["/api/v1/events/{id}"]) == ["parameters", "get"]
    assert {"Event", "EventPage"} <= set(schemas(doc))
    assert not {"EventCreate", "EventUpdate"} & set(schemas(doc))
    assert not {"IdempotencyKey", "IfMatch"} & set(doc["components"]["parameters"])
    assert "PreconditionFailed" not in doc["components"]["responses"]
    id_param = doc["components"]["parameters"]["Id"]["schema"]
    assert id_param == {"type": "integer", "format": "int64", "minimum": 1, "maximum": INT64_MAX}
    assert validate_contract(doc) == []


# --------------------------------------------------------------------------- validation


def test_validate_contract_reports_every_error(library: dict[str, Any]) -> None:
    broken = yaml.safe_load(dump_yaml(library))
    del broken["info"]["title"]
    broken["paths"]["/api/v1/members"]["get"]["responses"] = "nope"
    problems = validate_contract(broken)
    assert len(problems) >= 2
    assert any("title" in p for p in problems)
    assert any("nope" in p for p in problems)


@pytest.mark.parametrize(
    ("schema", "word"),
    [({"type": "strin"}, "strin"), ({"maxLength": -1}, "-1"), ({"discriminator": {}}, "propertyName")],
)
def test_validate_contract_checks_every_schema_against_the_dialect(
    library: dict[str, Any], schema: dict[str, Any], word: str
) -> None:
    broken = yaml.safe_load(dump_yaml(library))
    broken["components"]["schemas"]["Member"]["properties"]["name"] = schema
    problems = validate_contract(broken)
    assert len(problems) == 1 and word in problems[0], problems


def test_validate_contract_reports_a_dangling_ref(library: dict[str, Any]) -> None:
    broken = yaml.safe_load(dump_yaml(library))
    broken["components"]["schemas"]["Member"]["properties"]["name"] = {"$ref": "#/components/schemas/Missing"}
    problems = validate_contract(broken)
    assert problems == ["components.schemas.Member.properties.name: unresolvable $ref '#/components/schemas/Missing'"]


# --------------------------------------------------------------------------- output


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_examples_give_valid_deterministic_contracts(example: Path) -> None:
    first = emit_contract(load_domain(example))
    assert validate_contract(first) == []
    text = dump_yaml(first)
    assert text == dump_yaml(emit_contract(load_domain(example)))
    assert yaml.safe_load(text) == first
    assert "&id" not in text and "*id" not in text  # no YAML anchors
    assert dump_json(first) == dump_json(emit_contract(load_domain(example)))


def big_domain(count: int) -> str:
    lines = ["scaffold: 1", "service: {name: big}", "entities:"]
    for index in range(count):
        lines += [
            f"  Thing{index}:",
            "    fields:",
            "      name: {type: string, max_length: 80}",
            "      size: {type: integer, minimum: 0}",
            "      price: {type: decimal, max_digits: 12, decimal_places: 2}",
            "      note: text?",
            "      due_on: date?",
        ]
        if index:
            lines += [
                "    relations:",
                f"      parent: {{to: Thing{index - 1}, kind: many_to_one, inverse: children}}",
            ]
        lines += ["    list: {filter: [name, size], sort: [name], search: [name]}"]
    return "\n".join(lines) + "\n"


def test_a_200_entity_domain_gives_a_valid_contract(tmp_path: Path) -> None:
    """Its speed is a benchmark (`nox -s bench`); here, that a large chain of relations stays valid."""
    doc = emit_contract(load(tmp_path, big_domain(200)))
    assert len(schemas(doc)) >= 800
    assert validate_contract(doc) == []


def test_reserved_names_match_a_readable_pattern() -> None:
    for name in RESERVED_SCHEMA_NAMES:
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", name)


def test_the_service_enforces_the_json_depth_the_contract_states() -> None:
    """JSON Schema cannot bound nesting: the contract says it in words, the template's deps.py enforces it."""
    deps = ROOT / "cookiecutter-service" / "{{cookiecutter.project_slug}}" / "src"
    deps = deps / "{{cookiecutter._domain.service.package}}" / "api" / "deps.py"
    assert f"\nJSON_MAX_DEPTH = {MAX_JSON_DEPTH}\n" in deps.read_text(encoding="utf-8")
    doc = emit_contract(load_domain(ROOT / "specs" / "examples" / "helpdesk.yaml"))
    assert f"nested at most {MAX_JSON_DEPTH} deep" in doc["components"]["schemas"]["JsonValue"]["description"]
