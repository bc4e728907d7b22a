"""API models generated from each example contract import and validate real payloads.

The generated service's `schemas.py` is this code, so these tests pin what the service
accepts: the contract's examples, and not the lax coercions pydantic would otherwise allow.
"""

from __future__ import annotations

import copy
import datetime
import json
import math
import sys
import types
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from generator.contract import attribute_aliases, emit_contract, generate_api_models
from generator.errors import DomainError
from generator.load import load_domain

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "specs" / "examples").glob("*.yaml"))


def import_models(name: str, code: str) -> types.ModuleType:
    module = types.ModuleType(name)
    sys.modules[name] = module  # pydantic resolves forward references through sys.modules
    try:
        exec(compile(code, f"<{name}>", "exec"), module.__dict__)
    finally:
        del sys.modules[name]
    return module


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda p: p.stem)
def generated(request: pytest.FixtureRequest) -> tuple[dict[str, Any], types.ModuleType]:
    doc = emit_contract(load_domain(request.param))
    code = generate_api_models(doc)
    return doc, import_models(f"contract_models_{request.param.stem.replace('-', '_')}", code)


def test_every_component_schema_has_a_model(generated: tuple[dict[str, Any], types.ModuleType]) -> None:
    doc, module = generated
    for name in doc["components"]["schemas"]:
        assert hasattr(module, name), name


def test_models_accept_the_contract_examples(generated: tuple[dict[str, Any], types.ModuleType]) -> None:
    doc, module = generated
    for name, schema in doc["components"]["schemas"].items():
        model = getattr(module, name)
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue  # enums
        for example in schema["examples"]:
            model.model_validate(example)


def test_models_reject_lax_coercions(generated: tuple[dict[str, Any], types.ModuleType]) -> None:
    doc, module = generated
    checked = 0
    for entity in (e for e in doc["components"]["schemas"] if e + "Create" in doc["components"]["schemas"]):
        create = doc["components"]["schemas"][entity + "Create"]
        model = getattr(module, entity + "Create")
        base = create["examples"][0]
        for field, schema in create["properties"].items():
            kind = schema.get("type")
            wrong: Any
            if kind == "integer":
                wrong = str(base.get(field, 1))  # "1" for 1
            elif kind == "boolean":
                wrong = 1  # 1 for true
            elif kind == "number":
                wrong = False  # false for 0.0
            elif kind == "string" and schema.get("format") == "decimal":
                wrong = 1  # a JSON number where the contract promises a string
            elif kind == "string" and "format" not in schema:
                wrong = 1
            else:
                continue
            payload = copy.deepcopy(base)
            payload[field] = wrong
            with pytest.raises(ValidationError):
                model.model_validate(payload)
            checked += 1
    assert checked > 0


def test_models_enforce_bounds_and_unknown_members(generated: tuple[dict[str, Any], types.ModuleType]) -> None:
    doc, module = generated
    schemas = doc["components"]["schemas"]
    for entity in (e for e in schemas if e + "Create" in schemas):
        create = schemas[entity + "Create"]
        model = getattr(module, entity + "Create")
        base = create["examples"][0]
        with pytest.raises(ValidationError):
            model.model_validate({**base, "not_a_field": 1})
        for field, schema in create["properties"].items():
            if schema.get("type") == "string" and "maxLength" in schema and "pattern" not in schema:
                if schema.get("format"):
                    continue
                with pytest.raises(ValidationError):
                    model.model_validate({**base, field: "x" * (schema["maxLength"] + 1)})


def test_contract_and_models_refuse_nul_in_strings(generated: tuple[dict[str, Any], types.ModuleType]) -> None:
    """U+0000, which PostgreSQL cannot store in text, is outside the contract and the models alike."""
    doc, module = generated
    schemas = doc["components"]["schemas"]
    nul = {"type": "string", "pattern": "\\x00"}
    if "JsonValue" in schemas:
        assert schemas["JsonValue"]["not"] == nul
        assert schemas["JsonValue"]["propertyNames"] == {"not": nul}
    checked = 0
    for entity in (e for e in schemas if e + "Create" in schemas):
        create = schemas[entity + "Create"]
        model = getattr(module, entity + "Create")
        base = create["examples"][0]
        for field, schema in create["properties"].items():
            free_text = schema.get("format") in (None, "email", "uri")
            if schema.get("type") not in ("string", ["string", "null"]) or not free_text:
                continue
            assert schema["not"] == nul, (entity, field)
            if "pattern" in schema:
                continue  # the `wire` module's Text refuses these (test_wire_types_read_json_as_json_schema_does)
            with pytest.raises(ValidationError):
                model.model_validate({**base, field: "a\x00"})
            checked += 1
    assert checked > 0


def test_nul_exclusion_is_not_a_pattern_folded_with_max_length() -> None:
    """schemathesis folds `maxLength` into a pattern's quantifier (`[^\\x00]{0,65535}`), which
    its Rust regex engine compiles to ~100 MB per validator: the contract says it with `not`."""
    doc = emit_contract(load_domain(ROOT / "specs" / "examples" / "helpdesk.yaml"))
    text = doc["components"]["schemas"]["GroupCreate"]["properties"]["description"]
    assert text["maxLength"] == 65535
    assert "pattern" not in text


def test_models_keep_values_unchanged(tmp_path: Path) -> None:
    """What a client sends is what it reads back: no URL or number rewriting."""
    domain = tmp_path / "domain.yaml"
    domain.write_text(
        "scaffold: 1\n"
        "service: {name: links}\n"
        "entities:\n"
        "  Link:\n"
        "    fields:\n"
        "      target: url\n"
        "      weight: {type: decimal, max_digits: 6, decimal_places: 2}\n"
        "      extra: json?\n"
    )
    module = import_models("contract_models_links", generate_api_models(emit_contract(load_domain(domain))))
    payload = {"target": "https://example.com", "weight": "10.50", "extra": {"n": 1, "x": [1.5, None]}}
    assert module.LinkCreate.model_validate(payload).model_dump(mode="json") == payload
    with pytest.raises(ValidationError):
        module.LinkCreate.model_validate({**payload, "weight": "10.505"})
    with pytest.raises(ValidationError):
        module.LinkCreate.model_validate({**payload, "extra": {"n": 2**53}})


WIRE_MODULE = "scaffold_template_wire"
WIRE_FILE = ROOT / "cookiecutter-service" / "{{cookiecutter.project_slug}}" / "src"
WIRE_FILE = WIRE_FILE / "{{cookiecutter._domain.service.package}}" / "wire.py"


@pytest.fixture(scope="module")
def wire_models() -> Iterator[dict[str, types.ModuleType]]:
    """Each example's models typed with the template's `wire` module, as the service has them."""
    wire = types.ModuleType(WIRE_MODULE)
    exec(compile(WIRE_FILE.read_text(encoding="utf-8"), str(WIRE_FILE), "exec"), wire.__dict__)
    sys.modules[WIRE_MODULE] = wire
    try:
        yield {
            path.stem: import_models(
                f"wire_models_{path.stem.replace('-', '_')}",
                generate_api_models(emit_contract(load_domain(path)), wire_module=WIRE_MODULE),
            )
            for path in EXAMPLES
        }
    finally:
        del sys.modules[WIRE_MODULE]


# Special-use domains (RFC 6761) and the rarer forms of RFC 5321: pydantic's EmailStr refuses most.
EMAILS = ["ann@clinic.test", "ops@host.local", "a@b", "x!#$%&'*+-/=?^_`{|}~@example.invalid", '"ann smith"@example.com']
EMAILS += ["ann@[192.0.2.1]", "ann@[IPv6:2001:db8::1]"]


@pytest.mark.parametrize(
    ("example", "model", "member", "accepted", "refused"),
    [
        # Dates and date-times are RFC 3339 strings: no Unix timestamps, no date-time for a date.
        ("bookstore", "AuthorCreate", "born_on", ["2024-01-15", None], [0, "0", "86400", "2024-01-15T00:00:00Z"]),
        (
            "clinic",
            "AppointmentCreate",
            "starts_at",
            ["2024-01-15T09:30:00Z"],
            # RFC 3339 date-times whose UTC instant is outside the years 0001-9999: no database stores them
            [0, "0.5", "2024-01-15", "2024-01-15T09:30:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"],
        ),
        # An integer is a JSON number without a fraction (JSON Schema: 3.0 is an integer).
        ("clinic", "RoomCreate", "floor", [3, 3.0], ["3", True, 3.5]),
        ("clinic", "ClinicianCreate", "supervisor_id", [1, 1.0, None], ["1", False, 0, 1.5]),
        # A number is finite: Python's JSON reader gives inf for `1e400` and takes NaN and Infinity.
        ("clinic", "MedicationCreate", "strength_mg", [0, 2.5, 10**300], ["2.5", True, math.inf, math.nan, 10**400]),
        # An email is JSON Schema's `email` (RFC 5321 mailbox syntax), deliverable or not.
        (
            "bookstore",
            "AuthorCreate",
            "email",
            EMAILS,
            ["", "ann", "ann@", "@example.com", "a..b@example.com", "ann@-example.com", "ann@example.com.", 3],
        ),
        ("feature-flags", "FlagCreate", "owner_email", [*EMAILS, None], ["", "ann example.com", "a@[300.1.2.3]"]),
        # A required nullable email (the response model): its length bound applies to the string alone.
        ("feature-flags", "Flag", "owner_email", [None, "ann@clinic.test"], ["", "a" * 250 + "@b.cd", 3]),
        # No U+0000 in strings, with or without a pattern of the member's own, nor in JSON values.
        ("helpdesk", "CustomerCreate", "locale", ["en-US"], ["en\x00", "\x00", "e\x00-US"]),
        ("helpdesk", "CustomerCreate", "organization", ["Acme", None], ["Ac\x00me"]),
        ("helpdesk", "TicketCreate", "metadata", [{"a": ["b"]}, "c"], [{"a": "b\x00"}, {"a\x00": 1}, [["\x00"]]]),
    ],
)
def test_wire_types_read_json_as_json_schema_does(
    wire_models: dict[str, types.ModuleType],
    example: str,
    model: str,
    member: str,
    accepted: list[Any],
    refused: list[Any],
) -> None:
    doc = emit_contract(load_domain(ROOT / "specs" / "examples" / f"{example}.yaml"))
    payload = doc["components"]["schemas"][model]["examples"][0]
    cls = getattr(wire_models[example], model)
    for value in accepted:
        cls.model_validate({**payload, member: value})
    for value in refused:
        with pytest.raises(ValidationError):
            cls.model_validate({**payload, member: value})


def test_date_datetime_and_uuid_defaults_are_values_in_the_models(tmp_path: Path) -> None:
    """The contract's default is the wire string; the model's default is the value it stands for."""
    domain = tmp_path / "domain.yaml"
    domain.write_text(
        "scaffold: 1\n"
        "service: {name: defaults}\n"
        "entities:\n"
        "  Event:\n"
        "    fields:\n"
        "      day: {type: date, required: false, default: '2020-01-02'}\n"
        "      at: {type: datetime, required: false, default: '2020-01-02T03:04:05+02:00'}\n"
        "      ref: {type: uuid, required: false, default: 6f1c2a4e-3b5d-4e8f-9a0b-1c2d3e4f5a6b}\n"
    )
    doc = emit_contract(load_domain(domain))
    members = doc["components"]["schemas"]["EventCreate"]["properties"]
    wire = {"day": "2020-01-02", "at": "2020-01-02T03:04:05+02:00", "ref": "6f1c2a4e-3b5d-4e8f-9a0b-1c2d3e4f5a6b"}
    assert {name: members[name]["default"] for name in wire} == wire
    code = generate_api_models(doc)
    assert "import datetime\n" in code
    created = import_models("contract_models_defaults", code).EventCreate.model_validate({})
    assert created.day == datetime.date(2020, 1, 2)
    assert created.at == datetime.datetime(2020, 1, 2, 1, 4, 5, tzinfo=datetime.UTC)
    assert created.ref == uuid.UUID(wire["ref"])
    assert created.model_dump(mode="json") == wire
    assert members["day"]["default"] == "2020-01-02"  # the contract given to the generator is unchanged


def test_members_named_like_the_types_get_the_attributes_of_the_domain_model() -> None:
    """`int`, `list`, `datetime` ... become `int_` ... as in the table models; the wire keeps the name."""
    domain = load_domain(ROOT / "tests" / "regression_domains" / "builtin-names.yaml")
    aliases = attribute_aliases(domain)
    assert aliases["Thing.int"] == aliases["ThingCreate.int"] == aliases["ThingUpdate.int"] == "int_"
    assert "Thing.date" not in aliases  # `date` is no name a class body reads
    module = import_models("contract_models_builtin_names", generate_api_models(emit_contract(domain), aliases=aliases))
    for entity in domain.entities:
        for schema in (entity.name, entity.create_schema, entity.update_schema):
            fields = getattr(module, schema).model_fields
            for field in entity.fields:
                assert fields[field.attr].alias == (None if field.attr == field.name else field.name), (schema, field)
    payload = {"int": 3, "str": "a", "list": [1, "x"], "datetime": "2024-01-15T09:30:00Z", "kind": "small"}
    created = module.ThingCreate.model_validate(payload)
    assert created.int_ == 3
    assert created.model_dump(mode="json", by_alias=True, exclude_unset=True) == payload


def test_an_email_keeps_its_local_part_and_lower_cases_its_domain(
    wire_models: dict[str, types.ModuleType],
) -> None:
    """Domains are case-insensitive, local parts need not be: the unique column and filters see this form."""
    doc = emit_contract(load_domain(ROOT / "specs" / "examples" / "bookstore.yaml"))
    payload = doc["components"]["schemas"]["AuthorCreate"]["examples"][0]
    cls = wire_models["bookstore"].AuthorCreate
    assert cls.model_validate({**payload, "email": "Ann.Lee@Example.COM"}).email == "Ann.Lee@example.com"
    assert cls.model_validate({**payload, "email": "ann@[IPv6:2001:DB8::1]"}).email == "ann@[IPv6:2001:DB8::1]"


EMAILS_REFUSED = ["", "ann", "ann@", "@example.com", "a..b@example.com", "ann@-example.com", "ann@example.com."]
EMAILS_REFUSED += ["ann example.com", "a@[300.1.2.3]", "a@[IPv6:fe80::1%eth0]", "a@[IPv6:nonsense]", "ann@exa mple.com"]


@pytest.mark.parametrize("address", EMAILS + EMAILS_REFUSED)
def test_an_email_example_fits_the_domain_exactly_when_the_service_accepts_it(
    wire_models: dict[str, types.ModuleType], tmp_path: Path, address: str
) -> None:
    """The generator checks examples and defaults by the service's own rule, so neither refuses the other's."""
    domain = tmp_path / "domain.yaml"
    domain.write_text(
        f"scaffold: 1\nservice: {{name: mail}}\nentities:\n  Contact:\n    fields:\n"
        f"      email: {{type: email, example: {json.dumps(address)}}}\n"
    )
    try:
        load_domain(domain)
        generator_accepts = True
    except DomainError as error:
        assert "is not an email address" in str(error.problems)
        generator_accepts = False
    doc = emit_contract(load_domain(ROOT / "specs" / "examples" / "bookstore.yaml"))
    payload = doc["components"]["schemas"]["AuthorCreate"]["examples"][0]
    try:
        wire_models["bookstore"].AuthorCreate.model_validate({**payload, "email": address})
        service_accepts = True
    except ValidationError:
        service_accepts = False
    assert generator_accepts == service_accepts == (address in EMAILS)
