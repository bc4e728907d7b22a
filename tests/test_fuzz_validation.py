"""Property-based tests: whatever the input, the loader and validator fail only cleanly.

Random text and bytes, mutated example files and generated, mostly-valid domains go through
`parse_document` + `validate_document`: the result is a `Domain` or a `DomainError` whose
problems all have a position inside the file, never another exception.

Profiles (HYPOTHESIS_PROFILE): `ci` (default, bounded, well under a minute) and `deep` for
long local runs, e.g. `HYPOTHESIS_PROFILE=deep pytest tests/test_fuzz_validation.py`.
"""

from __future__ import annotations

import builtins
import copy
import io
import json
import keyword
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from ruamel.yaml import YAML

from generator.domain.model import Domain
from generator.errors import DomainError
from generator.load import validate_document
from generator.load.source import parse_document

settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "deep",
    max_examples=5_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {path.name: path.read_text(encoding="utf-8") for path in sorted((ROOT / "specs/examples").glob("*.yaml"))}
EXAMPLE_DATA = {name: YAML(typ="safe", pure=True).load(text) for name, text in EXAMPLES.items()}
FILE = "fuzz.yaml"


def check(raw: bytes) -> Domain | None:
    """Load `raw`; only a `DomainError` with well-placed problems may escape."""
    try:
        domain = validate_document(parse_document(raw, FILE))
    except DomainError as error:
        assert error.problems, "a DomainError without problems"
        last_line = raw.count(b"\n") + 2  # a parser may point just past the end
        for problem in error.problems:
            assert problem.file == FILE
            assert 1 <= problem.line <= last_line, str(problem)
            assert problem.column >= 1, str(problem)
            assert problem.message.strip(), str(problem)
            assert "\n" not in problem.message, str(problem)
        _event("DomainError")
        return None
    json.dumps(domain.to_json())  # the IR a valid domain produces is plain JSON
    _event("valid Domain")
    return domain


def _event(name: str) -> None:
    if currently_in_test_context():
        event(name)


def dump(data: Any) -> str:
    stream = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.dump(data, stream)
    return stream.getvalue()


# --- names that are legal in the format but dangerous in generated code -----------------

SNAKE_NAMES = sorted(
    {
        *(word for word in keyword.kwlist if word.islower()),
        *keyword.softkwlist,
        *(name for name in dir(builtins) if name.islower() and name.isidentifier() and not name.startswith("_")),
        "select", "from", "where", "order", "group", "table", "user", "limit", "offset", "index", "key", "value",
        "primary", "references", "column", "check", "default", "desc", "asc", "null", "session", "query",
        "metadata", "registry", "model_config", "model_fields", "schema", "fields", "validate", "copy", "dict",
        "json", "sort", "q", "cursor", "id", "version", "created_at", "updated_at", "self", "cls", "title",
        "author", "author_id", "tag_ids", "items", "next_cursor", "price", "price_min", "price_max", "class_",
    }
)  # fmt: skip
PASCAL_NAMES = [
    "Book", "Author", "Tag", "Group", "Order", "Select", "User", "Table", "Index", "Person", "People",
    "Child", "Datum", "Sheep", "Status", "Query", "Session", "Field", "Enum", "Any", "Decimal", "SQLModel",
    "Problem", "ValidationProblem", "BookPage", "BookCreate", "Type", "Object", "List", "Dict", "Str", "Int",
    "Class", "Def", "None", "True", "IdempotencyRecord", "Metadata", "UUID", "Base", "Model", "Settings",
]  # fmt: skip
SCALAR_TYPES = ["string", "text", "integer", "number", "decimal", "boolean", "date", "datetime", "uuid", "email",
                "url", "json"]  # fmt: skip
KINDS = ["many_to_one", "one_to_one", "many_to_many"]
OPERATIONS = ["list", "create", "read", "update", "delete"]

snake_names = st.one_of(st.sampled_from(SNAKE_NAMES), st.from_regex(r"\A[a-z][a-z0-9_]{0,12}\Z"))
pascal_names = st.one_of(st.sampled_from(PASCAL_NAMES), st.from_regex(r"\A[A-Z][A-Za-z0-9]{0,12}\Z"))
enum_values = st.from_regex(r"\A[A-Za-z0-9_][A-Za-z0-9_.:-]{0,12}\Z")
scopes = st.from_regex(r"\A[a-z][a-z0-9_.-]{0,8}(:[a-z][a-z0-9_.-]{0,8}){0,2}\Z")
any_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["2024-01-31", "2024-01-31T12:00:00Z", "12.50", "x@example.com", "https://e.com/", "yes", ""]),
    st.sampled_from(SCALAR_TYPES),
)


def _value_for(kind: str, clean: bool) -> st.SearchStrategy[Any]:
    """Mostly values of the right type (defaults and examples), sometimes anything."""
    right: dict[str, st.SearchStrategy[Any]] = {
        "string": st.text(max_size=30),
        "text": st.text(max_size=30),
        "integer": st.integers(min_value=-(2**64), max_value=2**64),
        "number": st.floats(allow_nan=False, allow_infinity=False),
        "decimal": st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
        "boolean": st.booleans(),
        "date": st.dates().map(lambda d: d.isoformat()),
        "datetime": st.datetimes().map(lambda d: d.isoformat() + "Z"),
        "uuid": st.uuids().map(str),
        "email": st.emails(),
        "url": st.sampled_from(["https://example.com/a", "http://x.org", "ftp://nope", "not a url"]),
        "json": st.recursive(any_scalar, lambda inner: st.lists(inner, max_size=3), max_leaves=5),
    }
    if clean:
        return right.get(kind, st.nothing())
    return st.one_of(right[kind], any_scalar) if kind in right else any_scalar


_OPTIONS_FOR = {
    "string": ("min_length", "max_length", "pattern"),
    "text": ("min_length", "max_length"),
    "email": ("max_length",),
    "url": ("max_length",),
    "integer": ("minimum", "maximum"),
    "number": ("minimum", "maximum"),
    "decimal": ("minimum", "maximum", "max_digits", "decimal_places"),
}
_COMMON_OPTIONS = ("required", "default", "example", "unique", "index", "description", "immutable", "write_only")


@st.composite
def field_specs(draw: st.DrawFn, enum_names: list[str], clean: bool) -> Any:
    types = SCALAR_TYPES + enum_names + ([] if clean else ["strin", "Unknown"])
    type_name = draw(st.sampled_from(types))
    if draw(st.booleans()):
        return type_name + draw(st.sampled_from(["", "?"]))
    spec: dict[str, Any] = {"type": type_name}
    options: dict[str, st.SearchStrategy[Any]] = {
        "required": st.booleans(),
        "nullable": st.booleans(),
        "default": _value_for(type_name, clean),
        "example": _value_for(type_name, clean),
        "unique": st.booleans(),
        "index": st.booleans(),
        "description": st.text(min_size=1, max_size=20),
        "min_length": st.integers(min_value=0, max_value=300),
        "max_length": st.integers(min_value=1, max_value=300),
        "pattern": st.sampled_from(["^[a-z]+$", "^97[89][0-9]{10}$", "[", "(a|b)*c", "^\\d{3}-\\d{4}$", "x{2,1}"]),
        "minimum": st.integers(min_value=-1000, max_value=1000) | st.floats(-1e6, 1e6),
        "maximum": st.integers(min_value=-1000, max_value=1000) | st.floats(-1e6, 1e6),
        "max_digits": st.integers(min_value=1, max_value=65),
        "decimal_places": st.integers(min_value=0, max_value=30),
        "read_only": st.booleans(),
        "write_only": st.booleans(),
        "immutable": st.booleans(),
    }
    keys = sorted(options) if not clean else [*_COMMON_OPTIONS, *_OPTIONS_FOR.get(type_name, ())]
    if clean and type_name not in SCALAR_TYPES:
        keys = [key for key in keys if key not in ("default", "example")]  # enum values are not known here
    for key in draw(st.lists(st.sampled_from(keys), max_size=4, unique=True)):
        spec[key] = draw(options[key])
    if clean:
        if "default" in spec:
            spec.pop("required", None)
        if spec.get("required") is False:
            spec["nullable"] = True
        for low, high in (("min_length", "max_length"), ("minimum", "maximum"), ("decimal_places", "max_digits")):
            if low in spec and high in spec and spec[low] > spec[high]:
                spec[low], spec[high] = spec[high], spec[low]
    return spec


@st.composite
def domains(draw: st.DrawFn, clean: bool = False) -> dict[str, Any]:
    """A domain with real names (keywords, builtins, SQL words), every type and relation kind.

    `clean` avoids the mistakes that are easy to avoid (unknown types and targets, options of
    another type, reversed bounds, list options on the wrong fields), so that far more of the
    domains are valid and the domain model is built from them.
    """
    names = snake_names.filter(lambda n: n not in RESERVED) if clean else snake_names
    enum_names = draw(st.lists(pascal_names, max_size=3, unique=True))
    enums: dict[str, Any] = {}
    for name in enum_names:
        values = draw(st.lists(enum_values, min_size=1, max_size=4, unique=True))
        enums[name] = values if draw(st.booleans()) else {"description": "An enum.", "values": values}
    entity_names = draw(st.lists(pascal_names, min_size=1, max_size=4, unique=True))
    if clean:
        entity_names = [name for name in entity_names if name not in enum_names] or ["Thing"]
    auth_scheme = draw(st.sampled_from(["jwt", "api_key", "none"]))
    declared = draw(st.lists(scopes, max_size=3, unique=True)) if auth_scheme != "none" or not clean else []
    entities: dict[str, Any] = {}
    for name in entity_names:
        fields = {
            field: draw(field_specs(enum_names, clean)) for field in draw(st.lists(names, max_size=5, unique=True))
        }
        types = {field: _type_of(spec) for field, spec in fields.items()}
        write_only = {field for field, spec in fields.items() if isinstance(spec, dict) and spec.get("write_only")}
        relations: dict[str, Any] = {}
        for relation in draw(st.lists(names, max_size=3, unique=True)):
            kind = draw(st.sampled_from(KINDS))
            target = draw(st.sampled_from(entity_names) if clean else st.sampled_from(entity_names) | pascal_names)
            spec: dict[str, Any] = {"to": target, "kind": kind}
            if (kind != "many_to_many" or not clean) and (target == name or draw(st.booleans())):
                spec["required"] = False
                spec["on_delete"] = draw(st.sampled_from(["restrict", "cascade", "set_null"]))
            if draw(st.booleans()):
                spec["inverse"] = draw(names)
            relations[relation] = spec
        entity: dict[str, Any] = {"fields": fields}
        if relations:
            entity["relations"] = relations
        if draw(st.booleans()):
            entity["operations"] = draw(st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=5, unique=True))
        to_one = [r for r, spec in relations.items() if spec["kind"] != "many_to_many"]
        members = [*fields, *relations]
        if clean:
            plain = [f for f in fields if f not in write_only]
            filterable = [f for f in plain if types[f] != "json"] + to_one
            sortable = [f for f in plain if types[f] not in ("json", "text")]
            searchable = [f for f in plain if types[f] in ("string", "text", "email", "url")]
            unique_members = [*fields, *to_one]
        else:
            filterable = sortable = searchable = unique_members = members
        if members and draw(st.booleans()) and ("list" in entity.get("operations", OPERATIONS) or not clean):
            listing: dict[str, Any] = {}
            for key, choices in (("filter", filterable), ("sort", sortable), ("search", searchable)):
                if choices:
                    listing[key] = draw(st.lists(st.sampled_from(choices), max_size=3, unique=True))
            if draw(st.booleans()):
                keys = ["created_at", "updated_at", *listing.get("sort", [])] if clean else ["created_at", *members]
                listing["default_sort"] = draw(st.sampled_from(["", "-"])) + draw(st.sampled_from(keys))
            if draw(st.booleans()):
                listing["page_size"] = draw(st.integers(min_value=1, max_value=100 if clean else 1000))
            entity["list"] = listing
        if len(unique_members) >= 2 and draw(st.booleans()):
            group = draw(st.lists(st.sampled_from(unique_members), min_size=2, max_size=3, unique=True))
            entity["unique_together"] = [group]
        if declared and draw(st.booleans()):
            entity["auth"] = {"read": draw(st.sampled_from(declared)), "write": draw(st.sampled_from(declared))}
        if draw(st.booleans()):
            entity["plural"] = draw(names)
        entities[name] = entity
    domain: dict[str, Any] = {
        "scaffold": 1,
        "service": {
            "name": draw(st.sampled_from(["bookstore", "json", "os", "typing", "class", "my-shop", "test"])),
            "id_type": draw(st.sampled_from(["uuid", "integer"])),
        },
        "auth": {"scheme": auth_scheme},
        "entities": entities,
    }
    if declared:
        domain["auth"]["scopes"] = {scope: "A scope." for scope in declared}
    if enums:
        domain["enums"] = enums
    return domain


RESERVED = frozenset({"id", "created_at", "updated_at", "version"})


def _type_of(spec: Any) -> str:
    return str(spec).rstrip("?") if isinstance(spec, str) else str(spec["type"])


# --- mutations of the example files ---------------------------------------------------------

PlainPath = tuple[Any, ...]


def _paths(node: Any, prefix: PlainPath = ()) -> Iterator[PlainPath]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _get(node: Any, path: PlainPath) -> Any:
    for part in path:
        node = node[part]
    return node


def _nested(depth: int, leaf: Any, as_list: bool) -> Any:
    for _ in range(depth):
        leaf = [leaf] if as_list else {"k": leaf}
    return leaf


@st.composite
def mutated_examples(draw: st.DrawFn) -> str:
    data = copy.deepcopy(EXAMPLE_DATA[draw(st.sampled_from(sorted(EXAMPLES)))])
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = [path for path in _paths(data) if path]
        path = draw(st.sampled_from(paths))
        parent, last = _get(data, path[:-1]), path[-1]
        operation = draw(st.sampled_from(["delete", "retype", "swap", "rename", "nest", "copy"]))
        if operation == "delete":
            del parent[last]
        elif operation == "retype":
            parent[last] = draw(st.one_of(any_scalar, st.lists(any_scalar, max_size=3), st.just({})))
        elif operation == "swap":
            other = draw(st.sampled_from([p for p in _paths(data) if p and not _is_prefix(p, path)]))
            if not _is_prefix(path, other):
                other_parent = _get(data, other[:-1])
                parent[last], other_parent[other[-1]] = other_parent[other[-1]], parent[last]
        elif operation == "rename" and isinstance(parent, dict):
            new_key = draw(st.one_of(snake_names, pascal_names, st.text(max_size=8), st.integers()))
            parent[new_key] = parent.pop(last)
        elif operation == "nest":
            depth = draw(st.integers(min_value=1, max_value=80))
            parent[last] = _nested(depth, parent[last], draw(st.booleans()))
        elif operation == "copy" and isinstance(parent, dict):
            # the same subtree under a second name: duplicated entities, fields, relations
            parent[draw(snake_names | pascal_names)] = copy.deepcopy(parent[last])
    return dump(data)


def _is_prefix(prefix: PlainPath, path: PlainPath) -> bool:
    return path[: len(prefix)] == prefix


@st.composite
def text_mutated_examples(draw: st.DrawFn) -> str:
    """Line-level edits that data-level mutations cannot make: duplicate keys, anchors, tags."""
    lines = EXAMPLES[draw(st.sampled_from(sorted(EXAMPLES)))].splitlines()
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        line = lines[index]
        operation = draw(
            st.sampled_from(["duplicate", "delete", "indent", "dedent", "tag", "anchor", "insert", "truncate", "deep"])
        )
        if operation == "duplicate":
            lines.insert(index, line)  # a duplicate key in a block mapping
        elif operation == "delete":
            del lines[index]
        elif operation == "indent":
            lines[index] = "  " + line
        elif operation == "dedent":
            lines[index] = line.removeprefix("  ")
        elif operation in ("tag", "anchor") and ": " in line:
            key, _, value = line.partition(": ")
            prefix = draw(
                st.sampled_from(
                    ["!!str ", "!!int ", "!!binary ", "!!set ", "!!omap ", "!!python/tuple ", "!x ", "!!null "]
                )
                if operation == "tag"
                else st.sampled_from(["&a ", "*a", "&a [*a] ", "<<: *a", "&b "])
            )
            lines[index] = f"{key}: {prefix}{value}" if not prefix.startswith(("*", "<<")) else f"{key}: {prefix}"
        elif operation == "insert":
            lines.insert(index, draw(st.lists(YAML_ALPHABET, max_size=12).map("".join)))
        elif operation == "truncate":
            position = draw(st.integers(min_value=0, max_value=len(line)))
            lines[index] = line[:position]
        elif operation == "deep" and ": " in line:
            # nesting far past the limit, closed or not: the C composer used to crash on it
            depth = draw(st.integers(min_value=1, max_value=50_000))
            opening, closing = draw(st.sampled_from([("[", "]"), ("{a: ", "}")]))
            closed = draw(st.booleans())
            lines[index] = line.partition(": ")[0] + ": " + opening * depth + (closing * depth if closed else "")
        if not lines:
            lines = [""]
    return "\n".join(lines) + "\n"


YAML_ALPHABET = st.sampled_from([*list(" \n\t:-?,[]{}#&*!|>'\"%@`abcxyzABC019_."), "  ", "- ", ": ", "\n  "])


# --- the properties -------------------------------------------------------------------------


@PROFILE
@given(st.text(max_size=400))
def test_random_text(text: str) -> None:
    check(text.encode("utf-8", "surrogatepass"))


@PROFILE
@given(st.lists(YAML_ALPHABET, max_size=120).map("".join))
def test_random_yaml_like_text(text: str) -> None:
    check(text.encode())


@PROFILE
@given(st.binary(max_size=400))
def test_random_bytes(raw: bytes) -> None:
    check(raw)


@PROFILE
@given(mutated_examples())
def test_mutated_examples(text: str) -> None:
    check(text.encode())


@PROFILE
@given(text_mutated_examples())
def test_text_mutated_examples(text: str) -> None:
    check(text.encode())


@PROFILE
@given(domains())
def test_generated_domains(domain: dict[str, Any]) -> None:
    check(dump(domain).encode())


@PROFILE
@given(domains(clean=True))
def test_generated_clean_domains(domain: dict[str, Any]) -> None:
    check(dump(domain).encode())


@PROFILE
@given(domains(clean=True))
def test_generated_domains_in_flow_style(domain: dict[str, Any]) -> None:
    # flow style puts many nodes on one line: positions must still be inside the file
    check(json.dumps(domain).encode())


def test_the_examples_themselves_load() -> None:
    for name, text in EXAMPLES.items():
        assert check(text.encode()) is not None, name
