"""API models generated from each example contract import and validate real payloads.

The generated service's `schemas.py` is this code, so these tests pin what the service
accepts: the contract's examples, and not the lax coercions pydantic would otherwise allow.
"""

from __future__ import annotations

import copy
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from generator.contract import emit_contract, generate_api_models
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
