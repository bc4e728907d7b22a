"""Property test: any valid domain gives a valid contract whose examples satisfy its schemas."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from generator.contract import emit_contract, validate_contract
from generator.errors import DomainError
from generator.load import load_domain

TYPES = ["string", "text", "integer", "number", "decimal", "boolean", "date", "datetime", "uuid",
         "email", "url", "json", "Colour"]  # fmt: skip


@st.composite
def field_specs(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(TYPES))
    spec: dict[str, Any] = {"type": kind}
    if draw(st.booleans()):
        spec["required"] = False
    if kind in ("string", "text") and draw(st.booleans()):
        low = draw(st.integers(0, 5))
        spec.update(min_length=low, max_length=draw(st.integers(max(low, 1), 300)))
    if kind == "string" and draw(st.booleans()):
        spec["pattern"] = draw(st.sampled_from(["^[A-Z]{3}$", "^[a-z]+-[0-9]{2}$", "^x?y+$"]))
        spec.pop("min_length", None), spec.pop("max_length", None)
    if kind in ("integer", "number") and draw(st.booleans()):
        low = draw(st.integers(-1000, 1000))
        spec.update(minimum=low, maximum=draw(st.integers(low, low + 10**6)))
    if kind == "decimal":
        digits = draw(st.integers(1, 20))
        spec.update(max_digits=digits, decimal_places=draw(st.integers(0, digits)))
        if draw(st.booleans()):
            spec["minimum"] = 0
    for flag in ("read_only", "write_only", "immutable"):
        if draw(st.integers(0, 5)) == 0 and not any(spec.get(f) for f in ("read_only", "write_only")):
            spec[flag] = True
    if spec.get("read_only"):
        spec["required"] = False
    return spec


@st.composite
def domains(draw: st.DrawFn) -> str:
    names = ["alpha", "beta", "class", "from", "gamma", "delta", "model_x", "json"]
    fields = {name: draw(field_specs()) for name in draw(st.lists(st.sampled_from(names), min_size=1, unique=True))}
    scheme = draw(st.sampled_from(["jwt", "api_key", "none"]))
    id_type = draw(st.sampled_from(["uuid", "integer"]))
    relations = {"owner": {"to": "Owner", "kind": "many_to_one", "required": draw(st.booleans()),
                           "on_delete": "set_null", "inverse": "things"},
                 "peers": {"to": "Owner", "kind": "many_to_many", "inverse": "peer_things"}}  # fmt: skip
    if relations["owner"]["required"]:
        relations["owner"]["on_delete"] = "cascade"
    operations = draw(
        st.lists(st.sampled_from(["list", "create", "read", "update", "delete"]), min_size=1, unique=True)
    )
    domain = {
        "scaffold": 1,
        "service": {"name": "prop", "id_type": id_type},
        "auth": {"scheme": scheme},
        "enums": {"Colour": ["red", "green"]},
        "entities": {
            "Owner": {"fields": {"name": "string"}},
            "Thing": {"fields": fields, "relations": relations, "operations": sorted(operations)},
        },
    }
    return json.dumps(domain)  # JSON is YAML


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(domains())
def test_any_domain_gives_a_valid_contract(text: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "domain.yaml"
        path.write_text(text)
        try:
            domain = load_domain(path)
        except DomainError:
            assume(False)
            raise
    doc = emit_contract(domain)
    assert validate_contract(doc) == []
    registry: Registry[Any] = Registry().with_resource(
        "urn:c", Resource.from_contents(doc, default_specification=DRAFT202012)
    )
    for name, schema in doc["components"]["schemas"].items():
        validator = Draft202012Validator({"$ref": f"urn:c#/components/schemas/{name}"}, registry=registry)
        for example in schema["examples"]:
            assert [e.message for e in validator.iter_errors(example)] == [], name
