"""The migration steps `scaffold update` derives from two domain models (`update.schema_diff`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.domain.model import Domain
from generator.load import load_domain
from generator.update.revisions import column_types
from generator.update.schema_diff import SchemaChange, UnsafeChange, schema_change

BEFORE = """\
scaffold: 1
service: {name: shop}
enums:
  Color: [red, green]
entities:
  Part:
    fields:
      name: {type: string, max_length: 40, unique: true}
      color: Color
      note: text?
    relations:
      maker: {to: Maker, kind: many_to_one, required: false}
  Maker:
    fields:
      name: string
  Bin:
    fields:
      code: string
"""


def domain(tmp_path: Path, text: str, name: str) -> Domain:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return load_domain(path)


def change(tmp_path: Path, after: str) -> SchemaChange:
    return schema_change(domain(tmp_path, BEFORE, "before"), domain(tmp_path, after, "after"), column_types())


def ops(steps: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    return [
        (step["op"], step.get("table", step.get("entity", {}).get("table", "")), step.get("column", ""))
        for step in steps
    ]


def test_the_same_domain_changes_nothing(tmp_path: Path) -> None:
    assert change(tmp_path, BEFORE).upgrade == []


def test_a_new_field_with_a_default_is_added_with_that_default_for_existing_rows(tmp_path: Path) -> None:
    after = BEFORE.replace("      note: text?\n", "      note: text?\n      stock: {type: integer, default: 5}\n")
    result = change(tmp_path, after)
    (step,) = result.upgrade
    assert (step["op"], step["table"], step["field"]["name"], step["server_default"]) == (
        "add_column",
        "parts",
        "stock",
        'sa.text("5")',
    )
    assert ops(result.downgrade) == [("drop_column", "parts", "stock")]


def test_a_new_required_field_without_default_is_refused_with_what_to_do(tmp_path: Path) -> None:
    after = BEFORE.replace("      note: text?\n", "      note: text?\n      weight: integer\n")
    with pytest.raises(UnsafeChange) as caught:
        change(tmp_path, after)
    assert "Part.weight is a new required field without a default" in str(caught.value)
    assert "`required: false`" in str(caught.value)


def test_renamed_from_renames_the_column_and_its_unique_constraint(tmp_path: Path) -> None:
    after = BEFORE.replace(
        "      name: {type: string, max_length: 40, unique: true}",
        "      title: {type: string, max_length: 40, unique: true, renamed_from: name}",
    )
    steps = change(tmp_path, after).upgrade
    assert steps[0]["op"] == "alter_column"
    assert (steps[0]["column"], steps[0]["new_name"], steps[0]["type"]) == ("name", "title", None)
    assert [(s["name"], s["add"]) for s in steps[1:]] == [("uq_parts_name", False), ("uq_parts_title", True)]


def test_without_renamed_from_a_renamed_field_is_a_drop_and_an_add(tmp_path: Path) -> None:
    after = BEFORE.replace("      note: text?", "      remark: text?")
    assert ops(change(tmp_path, after).upgrade) == [("add_column", "parts", ""), ("drop_column", "parts", "note")]


def test_a_longer_string_and_new_enum_values_change_the_column_and_its_check(tmp_path: Path) -> None:
    after = BEFORE.replace("max_length: 40", "max_length: 80").replace("[red, green]", "[red, green, ultramarine]")
    string, enum = change(tmp_path, after).upgrade
    assert (string["column"], string["existing_type"], string["type"]) == ("name", "sa.String(40)", "sa.String(80)")
    assert (enum["op"], enum["check"], enum["values"]) == (
        "enum_values",
        "ck_parts_color",
        ["red", "green", "ultramarine"],
    )
    assert (enum["existing_length"], enum["length"]) == (5, 11)


def test_entities_added_renamed_and_removed(tmp_path: Path) -> None:
    after = BEFORE.replace("  Bin:\n    fields:\n      code: string\n", "").replace(
        "  Maker:\n", "  Supplier:\n    fields:\n      name: string\n  Maker:\n"
    )
    after = after.replace("  Maker:\n    fields:", "  Vendor:\n    renamed_from: Maker\n    fields:")
    after = after.replace("to: Maker", "to: Vendor")
    result = change(tmp_path, after)
    assert [step["op"] for step in result.upgrade][:2] == ["create_table", "rename_table"]
    assert (result.upgrade[1]["old"], result.upgrade[1]["new"]) == ("makers", "vendors")
    assert result.upgrade[-1] == {"op": "drop_table", "table": "bins"}
    assert result.downgrade[0]["op"] == "create_table" and result.downgrade[0]["entity"]["table"] == "bins"


def test_an_optional_relation_added_and_one_removed(tmp_path: Path) -> None:
    after = BEFORE.replace(
        "      maker: {to: Maker, kind: many_to_one, required: false}",
        "      bin: {to: Bin, kind: many_to_one, required: false}",
    )
    steps = change(tmp_path, after).upgrade
    assert [(s["op"], s.get("column") or s["relation"]["fk_name"]) for s in steps] == [
        ("add_foreign_key", "bin_id"),
        ("drop_column", "maker_id"),
    ]
    assert steps[1]["foreign_key"] == "fk_parts_maker_id_makers"


def test_a_new_required_relation_is_refused(tmp_path: Path) -> None:
    after = BEFORE.replace(
        "      maker: {to: Maker, kind: many_to_one, required: false}",
        "      maker: {to: Maker, kind: many_to_one, required: false}\n      bin: {to: Bin, kind: many_to_one}",
    )
    with pytest.raises(UnsafeChange, match=r"Part\.bin is a new required relation"):
        change(tmp_path, after)


def test_a_field_made_required_with_a_default_fills_the_empty_rows_first(tmp_path: Path) -> None:
    after = BEFORE.replace("      note: text?", "      note: {type: text, default: none given}")
    (step,) = change(tmp_path, after).upgrade
    assert (step["op"], step["nullable"], step["backfill"]) == ("alter_column", False, '"none given"')


def test_composite_uniques_and_on_delete_changes(tmp_path: Path) -> None:
    before = BEFORE.replace(
        "    relations:\n      maker:", "    unique_together: [[name, color]]\n    relations:\n      maker:"
    )
    after = BEFORE.replace("required: false}", "required: false, on_delete: cascade}")
    result = schema_change(domain(tmp_path, before, "b"), domain(tmp_path, after, "a"), column_types())
    assert [(s["op"], s.get("on_delete"), s.get("add")) for s in result.upgrade] == [
        ("foreign_key_action", "cascade", None),
        ("unique_together", None, False),
    ]
    assert result.upgrade[1]["columns"] == ["name", "color"]
    assert [(s["op"], s.get("on_delete"), s.get("add")) for s in result.downgrade] == [
        ("unique_together", None, True),
        ("foreign_key_action", "restrict", None),
    ]
