"""The members `scaffold diff` compares are the members of the emitted contract: for every
example, each entity's read, create and update schema, member by member (type, format,
nullability, bounds, pattern, enum values, default, required)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.contract import emit_contract
from generator.diff.surface import Surface
from generator.load import load_domain

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = [*sorted((ROOT / "specs" / "examples").glob("*.yaml")), ROOT / "tests" / "diff" / "base.yaml"]


@pytest.mark.parametrize("path", DOMAINS, ids=[d.stem for d in DOMAINS])
def test_the_compared_members_are_the_contract_members(path: Path) -> None:
    domain = load_domain(path)
    schemas = emit_contract(domain)["components"]["schemas"]
    surface = Surface(domain)
    compared = 0
    for entity in domain.entities:
        for mode, name in (("read", entity.name), ("create", entity.create_schema), ("update", entity.update_schema)):
            if name not in schemas:
                continue
            schema = schemas[name]
            required = set(schema.get("required", ()))
            expected = {
                member: (surface.wire(prop), member in required)
                for member, prop in schema["properties"].items()
                if member not in ("version", "created_at", "updated_at")
            }
            members = surface.members(entity, mode)
            assert {member: (m.wire, m.required) for member, m in members.items()} == expected, name
            compared += len(members)
    assert compared > 10
