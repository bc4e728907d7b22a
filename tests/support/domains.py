"""A hypothesis strategy of random *valid* domain documents, drawn from the whole format.

`valid_domains()` builds plain data (what `yaml.safe_load` of a domain file returns) that
`scaffold validate` accepts, by construction: every rule of `generator/semantics.py` is kept
while drawing (names are derived with `generator.names`, the same rules the builder uses, so
that derived names never clash), instead of filtering invalid drafts out afterwards. The
tests assert that every drawn domain validates, so a rule this module forgets shows up as a
failing test, not as silently discarded examples.

What is covered: every field type and enums (list and object form), shorthand and long form,
required/optional/nullable, defaults and examples that fit the constraints, min/max lengths,
patterns (with a matching example), minimum/maximum, max_digits/decimal_places, unique,
index, read_only/write_only/immutable; many_to_one/one_to_one/many_to_many relations
including self-references, on_delete rules consistent with `required`, inverse names;
list filter/sort/search/default_sort/page sizes; unique_together; operations narrowing;
auth jwt/api_key/none with and without custom scopes and per-entity scopes; rate limits;
id_type uuid/integer. Names come from pools of Python keywords, soft keywords, builtins,
pydantic/SQLAlchemy attribute names and SQL reserved words.
"""

from __future__ import annotations

import io
from typing import Any

from hypothesis import strategies as st
from ruamel.yaml import YAML

from generator.domain import names
from generator.domain.build import MODEL_MODULE_NAMES

# --- name pools -------------------------------------------------------------------------

# snake_case names (fields, relations, inverses, plurals): keywords, soft keywords, builtins,
# model attributes, SQL reserved words and legal id-like names.
FIELD_NAMES = (
    # Python keywords and soft keywords (`_` alone is not a legal name: it is an enum value below)
    "class", "def", "from", "import", "match", "type", "case", "return", "lambda", "global",
    "pass", "yield", "async", "await", "with", "not", "is", "in", "or", "and", "if", "else",
    "try", "for", "while", "del", "raise", "assert", "nonlocal", "finally", "except", "elif",
    # builtins
    "list", "dict", "str", "int", "float", "bool", "object", "filter", "map", "len", "print",
    "sum", "min", "max", "format", "hash", "input", "range", "set", "vars", "open", "super",
    "iter", "next", "any", "all", "bytes", "property", "callable", "exit", "help",
    # id-like names that are legal (the four built-in names are reserved)
    "ids", "identity", "uid", "uuid", "id_", "idx", "guid", "identifier", "versions",
    # SQL reserved words
    "order", "group", "select", "table", "user", "key", "index", "check", "default", "primary",
    "references", "limit", "offset", "where", "desc", "asc", "null", "column", "values", "join",
    "having", "union", "constraint", "foreign", "unique", "grant", "to", "by", "as", "on",
    # pydantic / SQLAlchemy / generated-code names
    "metadata", "registry", "schema", "fields", "validate", "copy", "json", "query", "session",
    "model_config", "model_fields", "self", "cls", "sort", "q", "cursor", "items", "next_cursor",
    "value", "name", "title", "status", "data", "detail", "code", "errors", "instance", "request_id",
    "etag", "location", "app", "settings", "engine", "router", "response", "request", "model",
    # plain ones
    "price", "amount", "note", "label", "born_on", "starts_at", "score", "ratio", "flag",
)  # fmt: skip

ENTITY_NAMES = (
    "Class", "Def", "From", "Import", "Match", "Type", "Case", "Object", "List", "Dict", "Str",
    "Order", "Group", "Select", "Table", "User", "Key", "Index", "Check", "Default", "Primary",
    "References", "Limit", "Offset", "Person", "Datum", "Sheep", "Status", "Session", "Field",
    "Enum", "Any", "Decimal", "Settings", "Base", "Model", "Query", "None", "True", "Item",
    "OrderItem", "UserGroup", "Metadata", "Child", "Analysis", "Category", "Box", "Quiz",
)  # fmt: skip

ENUM_NAMES = ("Kind", "Level", "Mode", "Color", "Phase", "Priority", "Tier", "Scope", "State", "Size")
ENUM_VALUES = (
    "_", "class", "def", "None", "True", "false", "null", "import", "type", "match", "1", "2",
    "0", "a.b", "x:y", "in-progress", "UPPER", "MixedCase", "order", "select", "_private", "a",
)  # fmt: skip

SCALAR_TYPES = (
    "string", "text", "integer", "number", "decimal", "boolean", "date", "datetime", "uuid",
    "email", "url", "json",
)  # fmt: skip
STRING_TYPES = ("string", "text", "email", "url")
NUMERIC_TYPES = ("integer", "number", "decimal")
RESERVED_FIELDS = frozenset({"id", "created_at", "updated_at", "version"})
RESERVED_QUERY_PARAMS = frozenset({"limit", "cursor", "sort", "q"})
RESERVED_COMPONENTS = frozenset({"Problem", "ValidationProblem", "ValidationError"})
RESERVED_TABLES = frozenset({"idempotency_records", "alembic_version"})
OPERATIONS = ("list", "create", "read", "update", "delete")
SERVICE_NAMES = ("class", "json", "os", "typing", "test", "select", "my-shop", "order-service", "import", "user")

# Patterns a random string field may take, each with a value it matches (the example).
PATTERNS = (
    ("^[a-z]+$", "abc"),
    ("^97[89][0-9]{10}$", "9781234567897"),
    ("^[A-Z]{3}-[0-9]{4}$", "ABC-1234"),
    ("^\\d{3}-\\d{4}$", "555-1234"),
    ("^[a-z][a-z0-9_.-]*$", "checkout.new_flow"),
)
SAFE_TEXT = st.text(alphabet="abcxyz XYZ019-_.", min_size=1, max_size=12)


def dump_yaml(data: Any) -> str:
    stream = io.StringIO()
    yaml = YAML(typ="safe")  # the C emitter: 6x faster than the pure one
    yaml.default_flow_style = False
    yaml.dump(data, stream)
    return stream.getvalue()


class _Names:
    """Names taken in one namespace, under the derivations the builder applies."""

    def __init__(self, taken: set[str] | frozenset[str] = frozenset()) -> None:
        self.taken = set(taken)

    def free(self, *candidates: str) -> bool:
        return not set(candidates) & self.taken

    def claim(self, *candidates: str) -> None:
        self.taken.update(candidates)


# --- values -------------------------------------------------------------------------------


def _string_value(draw: st.DrawFn, low: int, high: int) -> str:
    size = draw(st.integers(min_value=max(low, 1), max_value=min(max(low, 1) + 8, high)))
    return "".join(draw(st.lists(st.sampled_from("abcxyz019"), min_size=size, max_size=size)))


def _value(draw: st.DrawFn, spec: dict[str, Any], enum_values: dict[str, list[str]]) -> Any:
    """A value that fits the long-form field `spec` (a default or an example)."""
    kind = spec["type"]
    if kind in enum_values:
        return draw(st.sampled_from(enum_values[kind]))
    if "pattern" in spec:
        return dict(PATTERNS)[spec["pattern"]]
    low, high = spec.get("min_length", 0), spec.get("max_length", 40)
    if kind in ("string", "text"):
        return _string_value(draw, low, high)
    if kind == "email":
        return "a@example.com"  # the length bounds of email fields are drawn around it
    if kind == "url":
        return "https://example.com/x"
    if kind in NUMERIC_TYPES:
        minimum, maximum = spec.get("minimum", -1000), spec.get("maximum", 1000)
        if kind == "integer":
            return draw(st.integers(min_value=int(minimum), max_value=int(maximum)))
        if kind == "number":
            return draw(st.sampled_from([minimum, maximum, (minimum + maximum) / 2]))
        places = spec.get("decimal_places", 2)
        integer = draw(st.integers(min_value=max(int(minimum), -99), max_value=min(int(maximum), 99)))
        return f"{integer}.5" if places and integer >= 0 and integer + 0.5 <= maximum else str(integer)
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "date":
        return draw(st.dates()).isoformat()
    if kind == "datetime":
        return draw(st.datetimes()).replace(microsecond=0).isoformat() + "Z"
    if kind == "uuid":
        return str(draw(st.uuids()))
    return draw(st.sampled_from([{"a": 1}, [1, "x"], "text", 3, True]))  # json


# --- fields -------------------------------------------------------------------------------


@st.composite
def field_specs(draw: st.DrawFn, enum_values: dict[str, list[str]]) -> Any:
    """A valid field: shorthand or long form, with options that apply to its type and fit."""
    kind = draw(st.sampled_from([*SCALAR_TYPES, *enum_values]))
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        return kind + draw(st.sampled_from(["", "?"]))
    spec: dict[str, Any] = {"type": kind}
    if kind in ("string", "text"):
        if kind == "string" and draw(st.booleans()):
            spec["pattern"], spec["example"] = draw(st.sampled_from(PATTERNS))
            spec["max_length"] = draw(st.sampled_from([None, 30, 255]))
        else:
            if draw(st.booleans()):
                spec["min_length"] = draw(st.integers(min_value=0, max_value=5))
            if draw(st.booleans()):
                spec["max_length"] = draw(st.integers(min_value=max(spec.get("min_length", 1), 1), max_value=300))
    elif kind in ("email", "url") and draw(st.booleans()):
        spec["max_length"] = draw(st.integers(min_value=30, max_value=500))
    elif kind in NUMERIC_TYPES:
        if kind == "decimal":
            # at least two digits before the point, so that the bounds below always leave values
            if draw(st.booleans()):
                spec["max_digits"] = draw(st.integers(min_value=4, max_value=30))
            if draw(st.booleans()):
                spec["decimal_places"] = draw(
                    st.integers(min_value=0, max_value=min(spec.get("max_digits", 18) - 2, 10))
                )
        if draw(st.booleans()):
            spec["minimum"] = draw(st.integers(min_value=-100, max_value=5))
        if draw(st.booleans()):
            spec["maximum"] = draw(st.integers(min_value=spec.get("minimum", -100) + 1, max_value=9))
    spec = {key: value for key, value in spec.items() if value is not None}
    # presence and nullability
    flags = draw(st.sampled_from(["plain", "read_only", "write_only", "immutable", "plain", "plain"]))
    if flags != "plain":
        spec[flags] = True
    presence = draw(st.sampled_from(["required", "optional", "default", "nullable", "implicit"]))
    if flags == "read_only" and presence in ("required", "implicit"):
        presence = "nullable"
    if presence == "required":
        spec["required"] = True
    elif presence == "optional":
        spec["required"] = False  # nullable by default
    elif presence == "default":
        spec["default"] = _value(draw, spec, enum_values)
        if draw(st.booleans()):
            spec["nullable"] = True
    elif presence == "nullable":
        spec["nullable"] = True
        if draw(st.booleans()):
            spec["required"] = flags != "read_only" and draw(st.booleans())
            if flags == "read_only":
                spec.pop("required")
    if kind not in ("text", "json") and flags != "read_only" and draw(st.integers(0, 4)) == 0:
        spec["unique"] = True
    elif kind not in ("text", "json") and draw(st.integers(0, 4)) == 0:
        spec["index"] = True
    if "example" not in spec and draw(st.integers(0, 3)) == 0:
        spec["example"] = _value(draw, spec, enum_values)
    if draw(st.integers(0, 3)) == 0:
        spec["description"] = draw(st.sampled_from(["A field.", "Ünïcode: `x`, 'y' and \"z\".", "# not a comment"]))
    return spec


def _long(spec: Any) -> dict[str, Any]:
    if isinstance(spec, dict):
        return spec
    return {"type": spec.rstrip("?"), **({"required": False} if spec.endswith("?") else {})}


# --- domains ------------------------------------------------------------------------------


@st.composite
def valid_domains(
    draw: st.DrawFn, max_entities: int = 4, max_fields: int = 5, max_relations: int = 3
) -> dict[str, Any]:
    """A domain that `scaffold validate` accepts (see the module docstring)."""
    components = _Names(RESERVED_COMPONENTS)
    tables = _Names(RESERVED_TABLES)
    enum_values: dict[str, list[str]] = {}
    enums: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(ENUM_NAMES), max_size=2, unique=True)):
        values = draw(st.lists(st.sampled_from(ENUM_VALUES), min_size=1, max_size=5, unique=True))
        enum_values[name] = values
        enums[name] = values if draw(st.booleans()) else {"description": f"The {name.lower()}.", "values": values}
        components.claim(name)
        tables.claim(names.snake_case(name))

    # entities and the names derived from them, which share global namespaces
    plurals, modules, classes, op_ids = _Names(), _Names(), _Names(), _Names()
    entity_names: list[str] = []
    plural_of: dict[str, str] = {}
    for name in draw(st.lists(st.sampled_from(ENTITY_NAMES), min_size=1, max_size=max_entities, unique=True)):
        snake = names.snake_case(name)
        plural = names.pluralize(snake)
        if draw(st.integers(0, 4)) == 0:
            plural = draw(st.sampled_from(["people", "data", "items", "entries", "ordered", f"{snake}_set"]))
        schemas = (name, f"{name}Create", f"{name}Update", f"{name}Page")
        ids = (f"list_{plural}", f"create_{snake}", f"get_{snake}", f"update_{snake}", f"delete_{snake}")
        module = names.attribute_name(snake)
        class_ = names.class_name(name, MODEL_MODULE_NAMES)
        if not (
            components.free(*schemas)
            and tables.free(plural)
            and plurals.free(plural, names.kebab_case(plural))
            and modules.free(module)
            and classes.free(class_)
            and op_ids.free(*ids)
        ):
            continue
        components.claim(*schemas)
        tables.claim(plural)
        plurals.claim(plural, names.kebab_case(plural))
        modules.claim(module)
        classes.claim(class_)
        op_ids.claim(*ids)
        entity_names.append(name)
        plural_of[name] = plural

    auth_scheme = draw(st.sampled_from(["jwt", "api_key", "none"]))
    custom_scopes: list[str] = []
    if auth_scheme != "none" and draw(st.booleans()):
        custom_scopes = draw(
            st.lists(st.sampled_from(["catalog:read", "catalog:write", "admin", "x.y:z-1", "read"]), min_size=1,
                     max_size=3, unique=True)
        )  # fmt: skip

    entities: dict[str, Any] = {}
    wire: dict[str, _Names] = {}  # per entity: wire names (fields, relations, fk/ids, inverses)
    attrs: dict[str, _Names] = {}
    for name in entity_names:
        wire[name] = _Names(RESERVED_FIELDS)
        attrs[name] = _Names(RESERVED_FIELDS)
    pending_inverses: list[tuple[str, str, dict[str, Any]]] = []
    for index, name in enumerate(entity_names):
        fields: dict[str, Any] = {}
        for field in draw(st.lists(st.sampled_from(FIELD_NAMES), max_size=max_fields, unique=True)):
            attr = names.attribute_name(field)
            if not (wire[name].free(field) and attrs[name].free(attr)):
                continue
            wire[name].claim(field)
            attrs[name].claim(attr)
            fields[field] = draw(field_specs(enum_values))
        relations: dict[str, Any] = {}
        for relation in draw(st.lists(st.sampled_from(FIELD_NAMES), max_size=max_relations, unique=True)):
            kind = draw(st.sampled_from(["many_to_one", "one_to_one", "many_to_many"]))
            target = draw(st.sampled_from(entity_names))
            extra = f"{relation}_id" if kind != "many_to_many" else f"{names.singularize(relation)}_ids"
            attr = names.attribute_name(relation)
            extra_attr = names.attribute_name(extra)
            if not (wire[name].free(relation, extra) and attrs[name].free(attr, extra_attr)):
                continue
            spec: dict[str, Any] = {"to": target, "kind": kind}
            if kind == "many_to_many":
                link = f"{plural_of[name]}_{relation}"
                if not tables.free(link):
                    continue
                tables.claim(link)
            else:
                # required to-one relations only point to earlier entities: no cycle can form
                optional = entity_names.index(target) >= index or draw(st.booleans())
                if optional:
                    spec["required"] = False
                    spec["on_delete"] = draw(st.sampled_from(["restrict", "cascade", "set_null", None]))
                else:
                    if draw(st.booleans()):
                        spec["required"] = True
                    spec["on_delete"] = draw(st.sampled_from(["restrict", "cascade", None]))
                if spec["on_delete"] is None:
                    del spec["on_delete"]
            if draw(st.booleans()):
                spec["description"] = "A relation."
            wire[name].claim(relation, extra)
            attrs[name].claim(attr, extra_attr)
            relations[relation] = spec
            if draw(st.booleans()):
                pending_inverses.append((name, target, spec))
        entities[name] = {"fields": fields, **({"relations": relations} if relations else {})}

    # inverses, once every entity's own names are known
    for _, target, spec in pending_inverses:
        target_snake = names.snake_case(target)
        for inverse in draw(st.lists(st.sampled_from(FIELD_NAMES), min_size=1, max_size=3, unique=True)):
            operation_id = f"list_{target_snake}_{inverse}"
            if wire[target].free(inverse) and op_ids.free(operation_id):
                wire[target].claim(inverse)
                op_ids.claim(operation_id)
                spec["inverse"] = inverse
                break

    for name in entity_names:
        entity = entities[name]
        _entity_options(draw, entity, plural_of[name], auth_scheme, custom_scopes, plural_of, enum_values)
        if plural_of[name] != names.pluralize(names.snake_case(name)) or draw(st.integers(0, 5)) == 0:
            entity["plural"] = plural_of[name]
        if draw(st.integers(0, 3)) == 0:
            entity["description"] = f"The {name} entity."

    service: dict[str, Any] = {"name": draw(st.sampled_from(SERVICE_NAMES))}
    id_type = draw(st.sampled_from(["uuid", "integer", None]))
    if id_type:
        service["id_type"] = id_type
    if draw(st.booleans()):
        service["base_path"] = draw(st.sampled_from(["/api/v1", "/v2", "/api/select/v1"]))
    if draw(st.booleans()):
        service["version"] = draw(st.sampled_from(["0.1.0", "2.0.0-rc.1", "1.2.3+build.5"]))
    if draw(st.booleans()):
        service["title"] = "A random service"
    domain: dict[str, Any] = {"scaffold": 1, "service": service}
    if auth_scheme != "jwt" or draw(st.booleans()):
        domain["auth"] = {"scheme": auth_scheme}
    if custom_scopes:
        domain.setdefault("auth", {"scheme": auth_scheme})["scopes"] = {
            scope: f"Scope {scope}." for scope in custom_scopes
        }
    if enums:
        domain["enums"] = enums
    domain["entities"] = entities
    return domain


def _entity_options(
    draw: st.DrawFn,
    entity: dict[str, Any],
    plural: str,
    auth_scheme: str,
    custom_scopes: list[str],
    plural_of: dict[str, str],
    enum_values: dict[str, list[str]],
) -> None:
    fields = {name: _long(spec) for name, spec in entity["fields"].items()}
    relations = entity.get("relations", {})
    to_one = [name for name, spec in relations.items() if spec["kind"] != "many_to_many"]
    if draw(st.integers(0, 3)) == 0:
        entity["operations"] = draw(st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=5, unique=True))
    operations = entity.get("operations", OPERATIONS)
    if "list" in operations and draw(st.booleans()):
        listing: dict[str, Any] = {}
        readable = [name for name, spec in fields.items() if not spec.get("write_only")]
        params = _Names(RESERVED_QUERY_PARAMS)
        filters: list[str] = []
        for name in draw(st.permutations([*[f for f in readable if fields[f]["type"] != "json"], *to_one]))[:4]:
            if name in relations:
                wanted: tuple[str, ...] = (f"{name}_id",)
            elif fields[name]["type"] in (*NUMERIC_TYPES, "date", "datetime"):
                wanted = (name, f"{name}_min", f"{name}_max")
            else:
                wanted = (name,)
            if params.free(*wanted):
                params.claim(*wanted)
                filters.append(name)
        if filters:
            listing["filter"] = filters
        sortable = [f for f in readable if fields[f]["type"] not in ("json", "text")]
        if sortable and draw(st.booleans()):
            listing["sort"] = draw(st.lists(st.sampled_from(sortable), min_size=1, max_size=3, unique=True))
        searchable = [f for f in readable if fields[f]["type"] in STRING_TYPES]
        if searchable and draw(st.booleans()):
            listing["search"] = draw(st.lists(st.sampled_from(searchable), min_size=1, max_size=2, unique=True))
        if draw(st.booleans()):
            key = draw(st.sampled_from(["created_at", "updated_at", *listing.get("sort", [])]))
            listing["default_sort"] = draw(st.sampled_from(["", "-"])) + key
        if draw(st.booleans()):
            listing["page_size"] = draw(st.integers(min_value=1, max_value=200))
        if draw(st.booleans()):
            listing["max_page_size"] = draw(st.integers(min_value=listing.get("page_size", 100), max_value=1000))
        if listing or draw(st.booleans()):
            entity["list"] = listing
    members = [*fields, *to_one]
    if len(members) >= 2 and draw(st.integers(0, 3)) == 0:
        candidates = [m for m in members if m in to_one or fields[m]["type"] not in ("text", "json")]
        if len(candidates) >= 2:
            entity["unique_together"] = [
                draw(st.lists(st.sampled_from(candidates), min_size=2, max_size=3, unique=True))
            ]
    if auth_scheme != "none" and draw(st.integers(0, 2)) == 0:
        known = [*custom_scopes, *(f"{p}:{a}" for p in plural_of.values() for a in ("read", "write"))]
        access = draw(st.lists(st.sampled_from(["read", "write"]), min_size=1, max_size=2, unique=True))
        entity["auth"] = {key: draw(st.sampled_from(known)) for key in access}
    if draw(st.integers(0, 5)) == 0:
        entity["rate_limit"] = {"read": "1000/minute", "write": draw(st.sampled_from(["500/minute", "100000/day"]))}
    del plural, enum_values
