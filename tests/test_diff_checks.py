"""One domain edit per case (tests/diff/base.yaml changed by text replacement), and the checks it
must raise: code, level, layer and the place in the file (old file for removals)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.diff import CHECKS, diff_documents
from generator.load.source import parse_document

BASE = (Path(__file__).parent / "diff" / "base.yaml").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Expect:
    code: str
    anchor: str  # a unique text of the file the location is in
    token: str  # the location is the first `token` at or after the anchor
    old: bool = False  # the location is in the old file (a removal)


@dataclass(frozen=True)
class Case:
    name: str
    edits: tuple[tuple[str, str], ...]  # (text of base.yaml, its replacement), each must occur once
    expect: tuple[Expect, ...]


def _field(name: str, old: str, new: str) -> tuple[str, str]:
    return (f"      {name}: {old}\n", f"      {name}: {new}\n")


CASES = [
    Case(
        "entity removed",
        (("  Gadget:\n    fields:\n      serial: string\n", ""),),
        (
            Expect("api-path-removed", "  Gadget:", "Gadget", old=True),
            Expect("db-table-dropped", "  Gadget:", "Gadget", old=True),
        ),
    ),
    Case(
        "entity added",
        (("  Gadget:\n", "  Widget:\n    fields:\n      size: integer?\n  Gadget:\n"),),
        (Expect("api-path-added", "  Widget:", "Widget"), Expect("db-table-added", "  Widget:", "Widget")),
    ),
    Case(
        "operation removed",
        (("  Gadget:\n", "  Gadget:\n    operations: [list, read, create, update]\n"),),
        (Expect("api-operation-removed", "  Gadget:", "operations"),),
    ),
    Case(
        "operation added",
        (("operations: [list, read]", "operations: [list, read, create]"),),
        (Expect("api-operation-added", "  Tag:", "operations"),),
    ),
    Case(
        "entity renamed, its paths move",
        (("  Gadget:\n", "  Gizmo:\n    renamed_from: Gadget\n"),),
        (
            Expect("api-entity-renamed", "  Gizmo:", "renamed_from"),
            Expect("db-table-renamed", "  Gizmo:", "renamed_from"),
        ),
    ),
    Case(
        "entity renamed, its plural kept",
        (("  Gadget:\n", "  Gizmo:\n    renamed_from: Gadget\n    plural: gadgets\n"),),
        (
            Expect("api-entity-renamed", "  Gizmo:", "renamed_from"),
            Expect("api-operation-id-changed", "  Gizmo:", "Gizmo"),
        ),
    ),
    Case(
        "base path",
        (("base_path: /api/v1", "base_path: /api/v2"),),
        (Expect("api-base-path-changed", "base_path", "base_path"),),
    ),
    Case(
        "id type",
        (("id_type: uuid", "id_type: integer"),),
        (Expect("api-id-type-changed", "id_type", "id_type"), Expect("db-id-type-changed", "id_type", "id_type")),
    ),
    Case(
        "read scope",
        (("{read: parts:read,", "{read: admin,"),),
        (Expect("api-security-scope-changed", "{read: admin", "read"),),
    ),
    Case(
        "auth scheme",
        (("scheme: jwt", "scheme: api_key"),),
        (Expect("api-security-scheme-changed", "scheme", "scheme"),),
    ),
    Case(
        "auth off",
        (
            ("scheme: jwt\n  scopes:\n", "scheme: none\n  scopes_removed:\n"),
            ("  scopes_removed:\n    parts:read: Read parts\n    parts:write: Change parts\n", ""),
            ("    admin: Administer everything\n", ""),
            ("    auth: {read: parts:read, write: parts:write}\n", ""),
        ),
        (Expect("api-security-removed", "scheme", "scheme"),),
    ),
    Case(
        "new required field",
        (_field("country", "string?", "string?\n      founded: integer"),),
        (
            Expect("new-required-request-property", "founded", "founded"),
            Expect("response-property-added", "founded", "founded"),
            Expect("db-not-null-column-without-default", "founded", "founded"),
        ),
    ),
    Case(
        "new optional field",
        (_field("country", "string?", "string?\n      founded: integer?"),),
        (
            Expect("new-optional-request-property", "founded", "founded"),
            Expect("response-property-added", "founded", "founded"),
            Expect("db-column-added", "founded", "founded"),
        ),
    ),
    Case(
        "optional field made required",
        (
            (
                "weight: {type: number, minimum: 0, maximum: 1000, required: false}",
                "weight: {type: number, minimum: 0, maximum: 1000, required: true}",
            ),
        ),
        (
            Expect("request-property-became-required", "weight:", "required"),
            Expect("request-property-became-not-nullable", "weight:", "weight"),
            Expect("response-property-became-not-nullable", "weight:", "weight"),
            Expect("db-not-null-added", "weight:", "weight"),
        ),
    ),
    Case(
        "required field made optional",
        (_field("code", "{type: string, max_length: 20}", "{type: string, max_length: 20, required: false}"),),
        (
            Expect("request-property-became-optional", "code:", "required"),
            Expect("request-property-became-nullable", "code:", "code"),
            Expect("response-property-became-nullable", "code:", "code"),
            Expect("db-null-allowed", "code:", "code"),
        ),
    ),
    Case(
        "field removed",
        (("      country: string?\n", ""),),
        (
            Expect("request-property-removed", "country", "country", old=True),
            Expect("response-property-removed", "country", "country", old=True),
            Expect("db-column-dropped", "country", "country", old=True),
        ),
    ),
    Case(
        "field renamed without renamed_from: a drop and an add",
        (("      code: {type: string, max_length: 20}\n", "      sku: {type: string, max_length: 20}\n"),),
        (
            Expect("request-property-removed", "code:", "code", old=True),
            Expect("new-required-request-property", "sku:", "sku"),
            Expect("db-column-dropped", "code:", "code", old=True),
            Expect("db-not-null-column-without-default", "sku:", "sku"),
        ),
    ),
    Case(
        "field renamed with renamed_from",
        (
            (
                "      code: {type: string, max_length: 20}\n",
                "      sku: {type: string, max_length: 20, renamed_from: code}\n",
            ),
        ),
        (
            Expect("api-property-renamed", "sku:", "renamed_from"),
            Expect("db-column-renamed", "sku:", "renamed_from"),
        ),
    ),
    Case(
        "field retyped",
        (("count: {type: integer,", "count: {type: number,"),),
        (
            Expect("request-property-type-changed", "count:", "type"),
            Expect("response-property-type-changed", "count:", "type"),
            Expect("db-column-type-changed", "count:", "type"),
        ),
    ),
    Case(
        "max length decreased",
        (("min_length: 2, max_length: 80", "min_length: 2, max_length: 60"),),
        (
            Expect("request-property-max-length-decreased", "label:", "max_length"),
            Expect("db-column-length-decreased", "label:", "max_length"),
        ),
    ),
    Case(
        "max length increased",
        (("min_length: 2, max_length: 80", "min_length: 2, max_length: 120"),),
        (
            Expect("request-property-widened", "label:", "label"),
            Expect("db-column-widened", "label:", "max_length"),
        ),
    ),
    Case(
        "min length increased",
        (("min_length: 2, max_length: 80", "min_length: 3, max_length: 80"),),
        (Expect("request-property-min-length-increased", "label:", "min_length"),),
    ),
    Case(
        "maximum decreased",
        (("maximum: 1000", "maximum: 500"),),
        (Expect("request-property-max-decreased", "weight:", "maximum"),),
    ),
    Case(
        "minimum increased",
        (("count: {type: integer, minimum: 0", "count: {type: integer, minimum: 1"),),
        (Expect("request-property-min-increased", "count:", "minimum"),),
    ),
    Case(
        "decimal places decreased",
        (("decimal_places: 2", "decimal_places: 1"),),
        (
            Expect("request-property-precision-decreased", "price:", "decimal_places"),
            Expect("db-column-type-changed", "price:", "price"),
        ),
    ),
    Case(
        "pattern changed",
        (('pattern: "^[A-Z]"', 'pattern: "^[A-Z][a-z]"'),),
        (Expect("request-property-pattern-changed", "label:", "pattern"),),
    ),
    Case(
        "enum value removed",
        (("Color: [red, green, blue]", "Color: [red, green]"),),
        (
            Expect("request-property-enum-value-removed", "Color", "Color"),
            Expect("request-parameter-enum-value-removed", "filter: [", "color"),
            Expect("db-enum-value-removed", "Color", "Color"),
        ),
    ),
    Case(
        "enum value added",
        (("Color: [red, green, blue]", "Color: [red, green, blue, black]"),),
        (
            Expect("request-property-enum-value-added", "Color", "Color"),
            Expect("response-property-enum-value-added", "Color", "Color"),
            Expect("request-parameter-enum-value-added", "filter: [", "color"),
            Expect("db-enum-value-added", "Color", "Color"),
        ),
    ),
    Case(
        "default changed",
        (("maximum: 100, default: 1}", "maximum: 100, default: 2}"),),
        (Expect("request-property-default-changed", "count:", "default"),),
    ),
    Case(
        "search removed",
        (("      search: [label]\n", ""),),
        (Expect("request-parameter-removed", "search", "search", old=True),),
    ),
    Case(
        "filter removed",
        (("filter: [color, maker, weight]", "filter: [color, maker]"),),
        (Expect("request-parameter-removed", "filter: [", "weight", old=True),),
    ),
    Case(
        "filter added",
        (("filter: [color, maker, weight]", "filter: [color, maker, weight, count]"),),
        (
            Expect("request-parameter-added", "filter: [", "count"),
            Expect("db-index-added", "count:", "count"),
        ),
    ),
    Case(
        "filtered field retyped",
        (("weight: {type: number,", "weight: {type: integer,"),),
        (Expect("request-parameter-type-changed", "filter: [", "weight"),),
    ),
    Case(
        "sort key removed",
        (("sort: [label, weight]", "sort: [label]"),),
        (Expect("request-parameter-enum-value-removed", "sort: [label]", "sort"),),
    ),
    Case(
        "sort key added",
        (("sort: [label, weight]", "sort: [label, weight, count]"),),
        (Expect("request-parameter-enum-value-added", "sort: [", "sort"),),
    ),
    Case(
        "max page size decreased",
        (("max_page_size: 100", "max_page_size: 50"),),
        (Expect("request-parameter-max-decreased", "max_page_size", "max_page_size"),),
    ),
    Case(
        "page size changed",
        (("      page_size: 20\n", "      page_size: 10\n"),),
        (Expect("request-parameter-default-value-changed", "      page_size", "page_size"),),
    ),
    Case(
        "description changed",
        (("Who makes parts.", "Who builds parts."),),
        (Expect("api-documentation-changed", "  Maker:", "description"),),
    ),
    Case(
        "link relation removed",
        (("      tags: {to: Tag, kind: many_to_many}\n", ""),),
        (
            Expect("request-property-removed", "tags:", "tags", old=True),
            Expect("db-link-table-dropped", "tags:", "tags", old=True),
        ),
    ),
    Case(
        "unique added",
        (("name: {type: string, max_length: 50}", "name: {type: string, max_length: 50, unique: true}"),),
        (Expect("db-unique-added", "  Tag:", "unique"),),
    ),
    Case(
        "index added",
        (("name: {type: string, max_length: 50}", "name: {type: string, max_length: 50, index: true}"),),
        (Expect("db-index-added", "  Tag:", "index"),),
    ),
    Case(
        "unique dropped",
        (("max_length: 100, unique: true}", "max_length: 100}"),),
        (Expect("db-constraint-dropped", "  Maker:", "name"),),
    ),
    Case(
        "unique together added",
        (("      country: string?\n", "      country: string?\n    unique_together: [[name, country]]\n"),),
        (Expect("db-unique-together-added", "unique_together: [[name", "[name"),),
    ),
    Case(
        "on_delete changed",
        (("on_delete: restrict", "on_delete: cascade"),),
        (Expect("db-on-delete-changed", "maker:", "on_delete"),),
    ),
    Case(
        "version not bumped",
        (("      country: string?\n", ""),),
        (Expect("service-version-bump-too-small", "version:", "version"),),
    ),
]


def _apply(edits: tuple[tuple[str, str], ...]) -> str:
    text = BASE
    for old, new in edits:
        assert text.count(old) == 1, f"edit anchor {old!r} must occur once in base.yaml"
        text = text.replace(old, new)
    return text


def _location(name: str, text: str, expect: Expect) -> str:
    assert text.count(expect.anchor) >= 1, f"anchor {expect.anchor!r} not in {name}"
    start = text.index(expect.anchor)
    offset = text.index(expect.token, start)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{name}:{line}:{column}"


def _report(new_text: str):  # type: ignore[no-untyped-def]
    return diff_documents(parse_document(BASE.encode(), "old.yaml"), parse_document(new_text.encode(), "new.yaml"))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_check_reports_its_level_layer_and_place(case: Case) -> None:
    new_text = _apply(case.edits)
    report = _report(new_text)
    found = {(change.code, change.location) for change in report.changes}
    for expect in case.expect:
        location = _location("old.yaml", BASE, expect) if expect.old else _location("new.yaml", new_text, expect)
        listed = "\n".join(f"  {c.code} {c.location} {c.message}" for c in report.changes)
        assert (expect.code, location) in found, f"expected {expect.code} at {location}; found:\n{listed}"
        change = next(c for c in report.changes if c.code == expect.code and c.location == location)
        assert change.level == CHECKS[expect.code].level
        assert change.layer == CHECKS[expect.code].layer
        assert change.layer == ("db" if expect.code.startswith("db-") else "api")


def test_every_check_code_has_a_case() -> None:
    covered = {expect.code for case in CASES for expect in case.expect}
    assert covered == set(CHECKS)


def test_the_format_docs_list_exactly_the_check_codes_with_their_level_and_layer() -> None:
    docs = (Path(__file__).parent.parent / "specs" / "diff-checks.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z-]+)` \| (api|db) \| (breaking|warning|info) \| (\w+) \| (.+) \|$", docs, re.M)
    listed = {code: (layer, level, bump, meaning) for code, layer, level, bump, meaning in rows}
    assert len(rows) == len(listed), "a code is listed twice"
    expected = {c.code: (c.layer, c.level, c.bump, c.meaning.replace("|", "\\|")) for c in CHECKS.values()}
    assert listed == expected
