"""The JSON Schema of the domain format, its examples and its documentation agree.

The schema (specs/domain.schema.json) is what editors use through yaml-language-server and
the structural layer of `scaffold validate`; these tests use plain `jsonschema` so that they
hold for any editor or tool that reads the schema, independently of scaffold's own loader.
"""

from __future__ import annotations

import copy
import json
import keyword
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
SCHEMA_PATH = SPECS / "domain.schema.json"
EXAMPLES = sorted((SPECS / "examples").glob("*.yaml"))
SCHEMA_COMMENT = "# yaml-language-server: $schema=../domain.schema.json"

BUILTIN_TYPES = {
    "string",
    "text",
    "integer",
    "number",
    "decimal",
    "boolean",
    "date",
    "datetime",
    "uuid",
    "email",
    "url",
    "json",
}


def load_yaml(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema)


@pytest.fixture(scope="module")
def examples() -> dict[str, Any]:
    return {path.name: load_yaml(path.read_text(encoding="utf-8")) for path in EXAMPLES}


# --- the schema itself -------------------------------------------------------------------


def test_schema_is_a_valid_2020_12_schema(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://scaffold.dev/schemas/domain-1.json"
    assert schema["title"]
    Draft202012Validator.check_schema(schema)


def _subschemas(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _subschemas(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _subschemas(value, f"{where}/{index}")


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node and "description" not in node:
        node = schema["$defs"][node["$ref"].removeprefix("#/$defs/")]
    return node


def test_every_property_is_documented_for_hover_help(schema: dict[str, Any]) -> None:
    undocumented = [
        f"{where}/{name}"
        for where, node in _subschemas(schema)
        if isinstance(node.get("properties"), dict) and not where.endswith("/properties")
        for name, prop in node["properties"].items()
        if prop is not False and not _resolve(schema, prop).get("description")
    ]
    assert undocumented == []


def test_every_object_rejects_unknown_keys(schema: dict[str, Any]) -> None:
    open_objects = [
        where
        for where, node in _subschemas(schema)
        if node.get("type") == "object" and "additionalProperties" not in node
    ]
    assert open_objects == []


def test_alternatives_use_if_then_else_not_oneof(schema: dict[str, Any]) -> None:
    # oneOf/anyOf errors are unreadable once turned into messages; if/then/else reports the
    # errors of the branch that applies.
    combinators = [
        where
        for where, node in _subschemas(schema)
        if {"oneOf", "anyOf"} & node.keys() and not where.endswith("/properties")
    ]
    assert combinators == []


# --- the examples ------------------------------------------------------------------------


def test_there_are_the_reference_example_and_at_least_two_more() -> None:
    names = {path.name for path in EXAMPLES}
    assert "bookstore.yaml" in names
    assert len(names) >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_example_validates_against_the_schema(path: Path, validator: Draft202012Validator) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == SCHEMA_COMMENT
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(load_yaml(text))
    ]
    assert errors == []


def _yaml_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```$", markdown, flags=re.M | re.S)


def test_readme_complete_example_is_the_bookstore_example() -> None:
    readme = (SPECS / "README.md").read_text(encoding="utf-8")
    bookstore = (SPECS / "examples" / "bookstore.yaml").read_text(encoding="utf-8")
    assert bookstore in _yaml_blocks(readme)


def test_readme_documents_the_editor_schema_comment() -> None:
    readme = (SPECS / "README.md").read_text(encoding="utf-8")
    assert "# yaml-language-server: $schema=" in readme


def _fields(examples: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for domain in examples.values():
        for entity in domain["entities"].values():
            yield from entity["fields"].items()


def _relations(examples: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for domain in examples.values():
        for entity_name, entity in domain["entities"].items():
            for name, relation in (entity.get("relations") or {}).items():
                yield entity_name, name, relation


def _type_of(definition: Any) -> str:
    return definition.rstrip("?") if isinstance(definition, str) else definition["type"]


def _keys_used(values: Iterator[Any]) -> set[str]:
    return {key for value in values if isinstance(value, dict) for key in value}


def test_examples_use_every_type(examples: dict[str, Any]) -> None:
    used = {_type_of(definition) for _, definition in _fields(examples)}
    enum_names = {name for domain in examples.values() for name in domain.get("enums", {})}
    assert used >= BUILTIN_TYPES
    assert used & enum_names, "no field has an enum type"


def test_examples_use_both_field_forms_and_both_enum_forms(examples: dict[str, Any]) -> None:
    shorthands = [d for _, d in _fields(examples) if isinstance(d, str)]
    assert any(d.endswith("?") for d in shorthands)
    assert any(not d.endswith("?") for d in shorthands)
    enums = [e for domain in examples.values() for e in domain.get("enums", {}).values()]
    assert any(isinstance(e, list) for e in enums)
    assert any(isinstance(e, dict) and "description" in e for e in enums)


def _schema_keys(schema: dict[str, Any], definition: str) -> set[str]:
    return set(schema["$defs"][definition]["properties"])


def test_examples_use_every_key_of_the_format(schema: dict[str, Any], examples: dict[str, Any]) -> None:
    domains = list(examples.values())
    entities = [e for d in domains for e in d["entities"].values()]
    used = {
        "": _keys_used(iter(domains)),
        "service": _keys_used(d["service"] for d in domains),
        "contact": _keys_used(d["service"].get("contact") for d in domains),
        "license": _keys_used(d["service"].get("license") for d in domains),
        "auth": _keys_used(d.get("auth") for d in domains),
        "entity": _keys_used(iter(entities)),
        "fieldObject": _keys_used(definition for _, definition in _fields(examples)),
        "relation": _keys_used(relation for _, _, relation in _relations(examples)),
        "listOptions": _keys_used(e.get("list") for e in entities),
        "entityAuth": _keys_used(e.get("auth") for e in entities),
        "rateLimit": _keys_used(e.get("rate_limit") for e in entities),
    }
    missing = {
        definition: sorted((set(schema["properties"]) if definition == "" else _schema_keys(schema, definition)) - keys)
        for definition, keys in used.items()
    }
    # license.identifier and license.url exclude each other, so both appear, in two files
    assert {definition: keys for definition, keys in missing.items() if keys} == {}


def test_examples_use_every_allowed_value(schema: dict[str, Any], examples: dict[str, Any]) -> None:
    domains = list(examples.values())
    defs = schema["$defs"]
    assert {r["kind"] for _, _, r in _relations(examples)} == set(defs["relation"]["properties"]["kind"]["enum"])
    assert {r["on_delete"] for _, _, r in _relations(examples) if "on_delete" in r} == set(
        defs["relation"]["properties"]["on_delete"]["enum"]
    )
    assert {d.get("auth", {}).get("scheme", "jwt") for d in domains} == set(
        defs["auth"]["properties"]["scheme"]["enum"]
    )
    assert {d["service"].get("id_type", "uuid") for d in domains} == set(
        defs["service"]["properties"]["id_type"]["enum"]
    )
    assert any(d["service"].get("base_path", "/api/v1") != "/api/v1" for d in domains)
    assert any("base_path" not in d["service"] for d in domains)


def test_examples_cover_relations_scopes_and_narrowing(examples: dict[str, Any]) -> None:
    relations = list(_relations(examples))
    self_kinds = {r["kind"] for source, _, r in relations if r["to"] == source}
    assert {"many_to_one", "many_to_many"} <= self_kinds
    assert any("inverse" in r for _, _, r in relations)
    assert any(r["kind"] == "one_to_one" and "inverse" in r for _, _, r in relations)

    entities = [e for d in examples.values() for e in d["entities"].values()]
    assert any(set(e.get("operations", [])) < {"list", "create", "read", "update", "delete"} for e in entities)
    assert any("unique_together" in e for e in entities)
    assert any(e.get("list", {}).get("default_sort", "").startswith("-") for e in entities)
    # custom scopes in one domain, default scopes (no auth.scopes) in another
    assert any(d.get("auth", {}).get("scopes") for d in examples.values())
    assert any(
        "scopes" not in d.get("auth", {}) and any("auth" in e for e in d["entities"].values())
        for d in examples.values()
    )


def test_examples_use_keywords_builtins_and_sql_words_as_names(
    examples: dict[str, Any],
) -> None:
    field_names = {name for name, _ in _fields(examples)}
    relation_names = {name for _, name, _ in _relations(examples)}
    entity_names = {n for d in examples.values() for n in d["entities"]}
    assert {"class", "from", "global"} <= {n for n in field_names if keyword.iskeyword(n)}
    assert "match" in field_names  # a soft keyword
    assert {"type", "order", "select", "where", "metadata"} <= field_names
    assert "group" in relation_names
    assert "Group" in entity_names


# --- bad input the schema rejects ---------------------------------------------------------


def _bookstore() -> dict[str, Any]:
    return load_yaml((SPECS / "examples" / "bookstore.yaml").read_text(encoding="utf-8"))


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split("/")

    def mutate(doc: dict[str, Any]) -> None:
        node = doc
        for part in parents:
            node = node[part]
        node[last] = value

    return mutate


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split("/")

    def mutate(doc: dict[str, Any]) -> None:
        node = doc
        for part in parents:
            node = node[part]
        del node[last]

    return mutate


def _rename(path: str, new_name: str) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split("/")

    def mutate(doc: dict[str, Any]) -> None:
        node = doc
        for part in parents:
            node = node[part]
        node[new_name] = node.pop(last)

    return mutate


BOOK = "entities/Book"

# (id, mutation, path of the error, failing keyword, offending value or key)
BAD_INPUTS: list[tuple[str, Callable[[dict[str, Any]], None], str, str, Any]] = [
    ("format version 2", _set("scaffold", 2), "scaffold", "const", 2),
    ("unknown top-level key", _set("entites", {}), "", "additionalProperties", None),
    (
        "unknown field key",
        _set(f"{BOOK}/fields/title/maxlength", 5),
        f"{BOOK}/fields/title",
        "additionalProperties",
        None,
    ),
    (
        "unknown relation key",
        _set(f"{BOOK}/relations/author/cascade", True),
        f"{BOOK}/relations/author",
        "additionalProperties",
        None,
    ),
    ("unknown service key", _set("service/owner", "team"), "service", "additionalProperties", None),
    (
        "bad relation kind",
        _set(f"{BOOK}/relations/author/kind", "one_to_many"),
        f"{BOOK}/relations/author/kind",
        "enum",
        "one_to_many",
    ),
    (
        "bad on_delete",
        _set(f"{BOOK}/relations/author/on_delete", "nullify"),
        f"{BOOK}/relations/author/on_delete",
        "enum",
        "nullify",
    ),
    ("bad auth scheme", _set("auth/scheme", "basic"), "auth/scheme", "enum", "basic"),
    ("bad id_type", _set("service/id_type", "ulid"), "service/id_type", "enum", "ulid"),
    ("unknown operation", _set(f"{BOOK}/operations", ["list", "patch"]), f"{BOOK}/operations/1", "enum", "patch"),
    ("repeated operation", _set(f"{BOOK}/operations", ["list", "list"]), f"{BOOK}/operations", "uniqueItems", None),
    ("no operations", _set(f"{BOOK}/operations", []), f"{BOOK}/operations", "minItems", None),
    ("lowercase entity name", _rename("entities/Book", "book"), "entities", "pattern", "book"),
    ("PascalCase field name", _rename(f"{BOOK}/fields/title", "Title"), f"{BOOK}/fields", "pattern", "Title"),
    (
        "dashed relation name",
        _rename(f"{BOOK}/relations/author", "written-by"),
        f"{BOOK}/relations",
        "pattern",
        "written-by",
    ),
    ("bad service name", _set("service/name", "Book_Store"), "service/name", "pattern", "Book_Store"),
    ("bad scope name", _set(f"{BOOK}/auth/read", "Catalog Read"), f"{BOOK}/auth/read", "pattern", "Catalog Read"),
    ("bad enum value", _set("enums/Genre", ["fiction", "non fiction"]), "enums/Genre/1", "pattern", "non fiction"),
    ("empty enum", _set("enums/Genre", []), "enums/Genre", "minItems", None),
    ("enum without values", _set("enums/OrderStatus", {"description": "x"}), "enums/OrderStatus", "required", None),
    ("bad shorthand", _set(f"{BOOK}/fields/title", "string(300)"), f"{BOOK}/fields/title", "pattern", "string(300)"),
    (
        "question mark in long form",
        _set(f"{BOOK}/fields/title", {"type": "string?"}),
        f"{BOOK}/fields/title/type",
        "pattern",
        "string?",
    ),
    ("field is a number", _set(f"{BOOK}/fields/title", 300), f"{BOOK}/fields/title", "type", 300),
    (
        "long form without type",
        _set(f"{BOOK}/fields/title", {"max_length": 300}),
        f"{BOOK}/fields/title",
        "required",
        None,
    ),
    ("string for a boolean", _set(f"{BOOK}/fields/isbn/unique", "yes"), f"{BOOK}/fields/isbn/unique", "type", "yes"),
    ("string for a page size", _set(f"{BOOK}/list/page_size", "20"), f"{BOOK}/list/page_size", "type", "20"),
    ("page size zero", _set(f"{BOOK}/list/page_size", 0), f"{BOOK}/list/page_size", "minimum", 0),
    ("float version", _set("service/version", 1.2), "service/version", "type", 1.2),
    ("non-semver version", _set("service/version", "v1"), "service/version", "pattern", "v1"),
    (
        "base path with trailing slash",
        _set("service/base_path", "/api/v1/"),
        "service/base_path",
        "pattern",
        "/api/v1/",
    ),
    ("relation without target", _delete(f"{BOOK}/relations/author/to"), f"{BOOK}/relations/author", "required", None),
    ("entity without fields", _delete("entities/Tag/fields"), "entities/Tag", "required", None),
    ("no entities", _set("entities", {}), "entities", "minProperties", None),
    ("no service name", _delete("service/name"), "service", "required", None),
    (
        "bad rate limit",
        _set(f"{BOOK}/rate_limit", {"read": "100/min"}),
        f"{BOOK}/rate_limit/read",
        "pattern",
        "100/min",
    ),
    (
        "license with identifier and url",
        _set("service/license", {"name": "MIT", "identifier": "MIT", "url": "https://x.org/"}),
        "service/license/url",
        "not",
        None,
    ),
    (
        "one-member unique_together",
        _set(f"{BOOK}/unique_together", [["title"]]),
        f"{BOOK}/unique_together/0",
        "minItems",
        None,
    ),
]


@pytest.mark.parametrize(
    ("mutate", "path", "keyword", "offender"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_INPUTS],
)
def test_schema_rejects_structural_errors_at_the_right_node(
    validator: Draft202012Validator,
    mutate: Callable[[dict[str, Any]], None],
    path: str,
    keyword: str,
    offender: Any,
) -> None:
    doc = _bookstore()
    mutate(doc)
    errors: list[ValidationError] = list(validator.iter_errors(copy.deepcopy(doc)))
    found = [
        (
            "/".join(map(str, error.absolute_path)),
            error.validator,
            error.instance,
        )
        for error in errors
    ]
    assert errors, "the schema accepted a bad domain"
    assert any(p == path and k == keyword and (offender is None or i == offender) for p, k, i in found), found


# --- the examples also pass scaffold's semantic layer -------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_example_is_a_valid_domain(path: Path) -> None:
    from generator.errors import DomainError
    from generator.load import load_domain

    try:
        load_domain(path)
    except DomainError as error:
        pytest.fail("\n".join(map(str, error.problems)))


def test_keyword_names_keep_their_wire_name_and_get_a_safe_attribute() -> None:
    from generator.load import load_domain

    helpdesk = load_domain(SPECS / "examples" / "helpdesk.yaml")
    message = {f.name: f.attr for f in helpdesk.entity("Message").fields}
    view = {f.name: f.attr for f in helpdesk.entity("View").fields}
    ticket = helpdesk.entity("Ticket")
    assert message["from"] == "from_"
    assert view["global"] == "global_"
    assert view["order"] == "order"  # an SQL word, fine as a Python name
    assert {f.name: f.attr for f in ticket.fields}["metadata"] == "metadata_"
    group = next(r for r in ticket.relations if r.name == "group")
    assert group.fk_name == "group_id"
    assert {flt.param for flt in ticket.listing.filters} >= {"type", "group_id", "due_at_min", "due_at_max"}
