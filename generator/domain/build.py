"""Structurally valid domain data -> the typed domain model, with every name derived here.

The builder is total on any data the JSON Schema accepts: a dangling reference (an unknown
type or relation target) still yields a model, and `generator.semantics` reports it.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
from typing import Any, Literal

from . import names
from .model import (
    DEFAULT_MAX_LENGTH,
    NUMERIC_TYPES,
    OPERATIONS,
    SCALAR_TYPES,
    TEMPORAL_TYPES,
    Auth,
    Contact,
    Domain,
    Entity,
    Enum,
    Field,
    FieldType,
    Filter,
    Inverse,
    License,
    ListOptions,
    Path,
    RateLimit,
    Relation,
    Service,
    SortKey,
    UniqueTogether,
)
from .samples import field_samples

DEFAULT_PAGE_SIZE = 20
DEFAULT_MAX_PAGE_SIZE = 100
DEFAULT_MAX_DIGITS = 18
DEFAULT_DECIMAL_PLACES = 2
SQL_NAME_LIMIT = 63  # PostgreSQL's identifier limit; MySQL allows 64

# Names a generated models module imports or defines besides the entity classes.
MODEL_MODULE_NAMES = frozenset(
    {
        "Any",
        "AwareDateTime",
        "Column",
        "Decimal",
        "Enum",
        "Field",
        "ForeignKey",
        "IdempotencyRecord",
        "Index",
        "MetaData",
        "Relationship",
        "SQLModel",
        "Session",
        "UUID",
        "UniqueConstraint",
    }
)
# Sort keys every list endpoint offers besides the domain's `list.sort`.
BUILTIN_SORT_KEYS = ("created_at", "updated_at")


def build_domain(
    data: dict[str, Any], source: str = "<domain>", source_sha256: str = "", source_text: str = ""
) -> Domain:
    service = _service(data["service"])
    enums = [_enum(name, spec) for name, spec in (data.get("enums") or {}).items()]
    enum_values = {enum.name: enum.values for enum in enums}
    raw_entities: dict[str, Any] = data["entities"]
    plurals = {
        name: spec.get("plural") or names.pluralize(names.snake_case(name)) for name, spec in raw_entities.items()
    }
    entities = [_entity(name, spec, service, enum_values, plurals, raw_entities) for name, spec in raw_entities.items()]
    entities = _with_inverses(entities)
    auth = _auth(data.get("auth") or {}, entities)
    return Domain(
        format_version=_whole(data["scaffold"]),
        service=service,
        auth=auth,
        enums=enums,
        entities=entities,
        source=source,
        source_sha256=source_sha256,
        source_text=source_text,
    )


def _whole(value: Any) -> Any:
    """JSON Schema's `integer` admits 20.0: the model stores the int it means."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _service(spec: dict[str, Any]) -> Service:
    name = spec["name"]
    contact = spec.get("contact")
    license_ = spec.get("license")
    return Service(
        name=name,
        package=names.package_name(name),
        title=spec.get("title") or names.title_case(name),
        version=spec.get("version", "0.1.0"),
        description=spec.get("description"),
        id_type=spec.get("id_type", "uuid"),
        base_path=spec.get("base_path", "/api/v1").rstrip("/"),
        contact=Contact(contact.get("name"), contact.get("url"), contact.get("email")) if contact else None,
        license=License(license_["name"], license_.get("identifier"), license_.get("url")) if license_ else None,
    )


def _enum(name: str, spec: Any) -> Enum:
    values = spec if isinstance(spec, list) else spec["values"]
    description = None if isinstance(spec, list) else spec.get("description")
    path: Path = ("enums", name)
    return Enum(
        name=name,
        sql_name=names.snake_case(name),
        description=description,
        values=[str(v) for v in values],
        path=path,
    )


def _long_form(spec: Any) -> dict[str, Any]:
    if isinstance(spec, dict):
        return spec
    optional = spec.endswith("?")
    long: dict[str, Any] = {"type": spec.rstrip("?")}
    if optional:
        long["required"] = False
    return long


def _field(
    name: str,
    spec: Any,
    path: Path,
    enum_values: dict[str, list[str]],
    usage: set[str],
) -> Field:
    long = _long_form(spec)
    type_name = long["type"]
    kind: FieldType = type_name if type_name in SCALAR_TYPES else "enum"
    read_only = bool(long.get("read_only", False))
    has_default = "default" in long
    required = bool(long.get("required", not has_default)) and not read_only
    nullable = bool(long.get("nullable", not long.get("required", True)))
    max_length = _whole(long.get("max_length", DEFAULT_MAX_LENGTH.get(kind)))
    max_digits = _whole(long.get("max_digits"))
    decimal_places = _whole(long.get("decimal_places"))
    if kind == "decimal":
        max_digits = max_digits if max_digits is not None else DEFAULT_MAX_DIGITS
        if decimal_places is None:
            decimal_places = min(DEFAULT_DECIMAL_PLACES, max_digits)
    field = Field(
        name=name,
        attr=names.attribute_name(name),
        type=kind,
        enum=None if kind != "enum" else type_name,
        required=required,
        nullable=nullable,
        has_default=has_default,
        default=long.get("default"),
        unique=bool(long.get("unique", False)),
        index=bool(long.get("index", False)) or (name in usage and not long.get("unique")),
        description=long.get("description"),
        example=long.get("example"),
        min_length=_whole(long.get("min_length")),
        max_length=max_length,
        pattern=long.get("pattern"),
        minimum=long.get("minimum"),
        maximum=long.get("maximum"),
        max_digits=max_digits,
        decimal_places=decimal_places,
        read_only=read_only,
        write_only=bool(long.get("write_only", False)),
        immutable=bool(long.get("immutable", False)),
        samples=[],
        renamed_from=long.get("renamed_from"),
        path=path,
    )
    values = enum_values.get(type_name) if kind == "enum" else None
    seed = "/".join(str(part) for part in path)
    if kind != "enum" or values:
        field.samples.extend(_samples(field, values, seed))  # the field is built; its samples need it
    return field


_SAMPLES: dict[str, list[Any]] = {}
_SAMPLES_KEPT = 50_000


def _samples(field: Field, values: list[str] | None, seed: str) -> list[Any]:
    """`field_samples`, remembered by everything they depend on: `diff` and `update` build two
    domains that share most fields, and building samples from patterns is most of a build."""
    key = f"{seed}\0{field!r}\0{values!r}"
    found = _SAMPLES.get(key)
    if found is None:
        if len(_SAMPLES) >= _SAMPLES_KEPT:
            _SAMPLES.clear()
        found = _SAMPLES[key] = field_samples(field, values, seed)
    return [copy.deepcopy(value) if isinstance(value, (dict, list)) else value for value in found]


def _relation(
    name: str,
    spec: dict[str, Any],
    owner_plural: str,
    owner_snake: str,
    plurals: dict[str, str],
    path: Path,
) -> Relation:
    kind = spec["kind"]
    target = spec["to"]
    target_plural = plurals.get(target) or names.pluralize(names.snake_case(target))
    to_one = kind != "many_to_many"
    required = bool(spec.get("required", True)) if to_one else False
    singular = names.singularize(name)
    source_column = f"{owner_snake}_id"
    target_column = f"{singular}_id"
    if target_column == source_column:
        target_column = f"related_{target_column}"
    return Relation(
        name=name,
        attr=names.attribute_name(name),
        kind=kind,
        target=target,
        target_table=target_plural,
        target_class=names.class_name(target, MODEL_MODULE_NAMES),
        required=required,
        nullable=to_one and not required,
        on_delete=spec.get("on_delete", "restrict") if to_one else "cascade",
        inverse=spec.get("inverse"),
        description=spec.get("description"),
        fk_name=f"{name}_id" if to_one else None,
        fk_attr=names.attribute_name(f"{name}_id") if to_one else None,
        ids_name=None if to_one else f"{singular}_ids",
        ids_attr=None if to_one else names.attribute_name(f"{singular}_ids"),
        link_table=None if to_one else f"{owner_plural}_{name}",
        link_source_column=None if to_one else source_column,
        link_target_column=None if to_one else target_column,
        renamed_from=spec.get("renamed_from"),
        path=path,
    )


def _entity(
    name: str,
    spec: dict[str, Any],
    service: Service,
    enum_values: dict[str, list[str]],
    plurals: dict[str, str],
    raw_entities: dict[str, Any],
) -> Entity:
    path: Path = ("entities", name)
    snake = names.snake_case(name)
    plural = plurals[name]
    list_spec = spec.get("list") or {}
    usage = set(list_spec.get("filter", [])) | set(list_spec.get("sort", []))
    fields = [
        _field(field_name, field_spec, (*path, "fields", field_name), enum_values, usage)
        for field_name, field_spec in (spec.get("fields") or {}).items()
    ]
    relations = [
        _relation(rel_name, rel_spec, plural, snake, plurals, (*path, "relations", rel_name))
        for rel_name, rel_spec in (spec.get("relations") or {}).items()
    ]
    auth = spec.get("auth") or {}
    operations = spec.get("operations") or list(OPERATIONS)
    table = plural
    return Entity(
        name=name,
        class_name=names.class_name(name, MODEL_MODULE_NAMES),
        snake=snake,
        plural=plural,
        module=names.module_name(snake),
        segment=names.kebab_case(plural),
        table=table,
        title=snake.replace("_", " ").capitalize(),
        description=spec.get("description"),
        fields=fields,
        relations=relations,
        inverses=[],
        unique_together=[
            _unique_together(table, group, fields, relations, (*path, "unique_together", i))
            for i, group in enumerate(spec.get("unique_together") or [])
        ],
        listing=_list_options(list_spec, fields, relations, service),
        read_scope=auth.get("read", f"{plural}:read"),
        write_scope=auth.get("write", f"{plural}:write"),
        operations=[op for op in OPERATIONS if op in operations],
        operation_ids={
            "list": f"list_{plural}",
            "create": f"create_{snake}",
            "read": f"get_{snake}",
            "update": f"update_{snake}",
            "delete": f"delete_{snake}",
        },
        create_schema=f"{name}Create",
        update_schema=f"{name}Update",
        page_schema=f"{name}Page",
        rate_limit=RateLimit(
            read=(spec.get("rate_limit") or {}).get("read"),
            write=(spec.get("rate_limit") or {}).get("write"),
        ),
        renamed_from=spec.get("renamed_from"),
        path=path,
    )


def _unique_together(
    table: str, group: list[str], fields: list[Field], relations: list[Relation], path: Path
) -> UniqueTogether:
    fks = {r.name: r.fk_name for r in relations if r.fk_name}
    columns = [fks.get(member) or member for member in group]
    return UniqueTogether(
        name=sql_name("uq", table, columns),
        members=list(group),
        columns=columns,
        path=path,
    )


def sql_name(prefix: str, table: str, columns: list[str]) -> str:
    """`prefix_table_col1_col2`, shortened with a stable hash past the identifier limit."""
    name = "_".join([prefix, table, *columns])
    if len(name) <= SQL_NAME_LIMIT:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: SQL_NAME_LIMIT - 9]}_{digest}"


def _list_options(
    spec: dict[str, Any], fields: list[Field], relations: list[Relation], service: Service
) -> ListOptions:
    by_name = {f.name: f for f in fields}
    to_one = {r.name: r for r in relations if r.fk_name}
    filters: list[Filter] = []
    for name in spec.get("filter", []):
        if name in by_name:
            field = by_name[name]
            filters.append(Filter(name, field.name, field.attr, field.type, field.enum, "eq"))
            if field.type in NUMERIC_TYPES + TEMPORAL_TYPES:
                ranges: tuple[tuple[str, Literal["gte", "lte"]], ...] = (("_min", "gte"), ("_max", "lte"))
                for suffix, op in ranges:
                    filters.append(Filter(name + suffix, field.name, field.attr, field.type, field.enum, op))
        elif name in to_one:
            relation = to_one[name]
            fk, attr = relation.fk_name or "", relation.fk_attr or ""
            filters.append(Filter(fk, fk, attr, service.id_type, None, "eq"))
    sort = [
        SortKey(name, by_name[name].attr, by_name[name].type, by_name[name].nullable)
        for name in spec.get("sort", [])
        if name in by_name
    ]
    sort += [SortKey(key, key, "datetime", False) for key in BUILTIN_SORT_KEYS]
    page_size = _whole(spec.get("page_size", DEFAULT_PAGE_SIZE))
    search = [name for name in spec.get("search", []) if name in by_name]
    return ListOptions(
        filters=filters,
        sort=sort,
        default_sort=spec.get("default_sort", "created_at"),
        search=search,
        search_attrs=[by_name[name].attr for name in search],
        page_size=page_size,
        max_page_size=_whole(spec.get("max_page_size", max(DEFAULT_MAX_PAGE_SIZE, page_size))),
    )


def _with_inverses(entities: list[Entity]) -> list[Entity]:
    inverses: dict[str, list[Inverse]] = {e.name: [] for e in entities}
    for entity in entities:
        for relation in entity.relations:
            if relation.inverse and relation.target in inverses:
                target = next(e for e in entities if e.name == relation.target)
                inverses[relation.target].append(
                    Inverse(
                        name=relation.inverse,
                        segment=names.kebab_case(relation.inverse),
                        source=entity.name,
                        source_plural=entity.plural,
                        relation=relation.name,
                        kind=relation.kind,
                        operation_id=f"list_{target.snake}_{relation.inverse}",
                        path=(*relation.path, "inverse"),
                    )
                )
    return [dataclasses.replace(e, inverses=inverses[e.name]) for e in entities]


def _auth(spec: dict[str, Any], entities: list[Entity]) -> Auth:
    scheme = spec.get("scheme", "jwt")
    if scheme == "none":
        return Auth(scheme=scheme, scopes={})
    scopes: dict[str, str] = dict(spec.get("scopes") or {})
    for entity in entities:
        human = entity.plural.replace("_", " ")
        scopes.setdefault(entity.read_scope, f"Read {human}")
        scopes.setdefault(entity.write_scope, f"Create, change and delete {human}")
    return Auth(scheme=scheme, scopes=scopes)
