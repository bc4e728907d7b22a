"""Names: the names shared across the domain, wire names, unique groups."""

from __future__ import annotations

from ..domain.build import SQL_NAME_LIMIT
from ..domain.model import (
    RESERVED_FIELDS,
    Entity,
    Path,
)
from .context import Context

RESERVED_COMPONENTS = ("Problem", "ValidationProblem", "ValidationError")
RESERVED_TABLES = ("idempotency_records", "alembic_version")


def check_global_names(ctx: Context) -> None:
    components: dict[str, str] = {name: "a built-in schema" for name in RESERVED_COMPONENTS}
    for enum in ctx.domain.enums:
        claim(ctx, components, enum.name, f"enum `{enum.name}`", enum.path)
    for entity in ctx.domain.entities:
        for name, role in (
            (entity.name, f"entity `{entity.name}`"),
            (entity.create_schema, f"the create schema of `{entity.name}`"),
            (entity.update_schema, f"the update schema of `{entity.name}`"),
            (entity.page_schema, f"the page schema of `{entity.name}`"),
        ):
            claim(ctx, components, name, role, entity.path)
    tables: dict[str, str] = {name: "a built-in table" for name in RESERVED_TABLES}
    for enum in ctx.domain.enums:
        claim(ctx, tables, enum.sql_name, f"the database type of enum `{enum.name}`", enum.path)
    plurals: dict[str, str] = {}
    segments: dict[str, str] = {}
    modules: dict[str, str] = {}
    classes: dict[str, str] = {}
    operation_ids: dict[str, str] = {}
    for entity in ctx.domain.entities:
        role = f"entity `{entity.name}`"
        # One name clash usually drags the others along (same plural -> same table, URL path
        # and operation ids): report the first clash of the entity only.
        claims = [
            (plurals, entity.plural, f"the plural of {role}"),
            (segments, entity.segment, f"the URL path of {role}"),
            (tables, entity.table, f"the table of {role}"),
            (modules, entity.module, f"the module name of {role}"),
            (classes, entity.class_name, f"the model class of {role}"),
            *((operation_ids, entity.operation_ids[op], f"the {op} operation of {role}") for op in entity.operations),
        ]
        clashed = False
        for taken, name, what in claims:
            if name in taken and clashed:
                continue
            clashed = clashed or name in taken
            claim(ctx, taken, name, what, entity.path)
        for relation in entity.relations:
            if relation.link_table:
                link_role = f"the link table of `{entity.name}.{relation.name}`"
                claim(ctx, tables, relation.link_table, link_role, relation.path)
        for inverse in entity.inverses:
            inverse_role = f"inverse `{inverse.name}`"
            if operation_ids.get(inverse.operation_id) == inverse_role:
                continue  # a repeated inverse name, reported by check_wire_names
            claim(ctx, operation_ids, inverse.operation_id, inverse_role, inverse.path)
    for entity in ctx.domain.entities:
        _check_sql_length(ctx, entity.table, f"table name `{entity.table}`", entity.path)
        for field in entity.fields:
            _check_sql_length(ctx, field.name, f"column name `{field.name}`", field.path)
        for relation in entity.relations:
            if relation.fk_name:
                _check_sql_length(ctx, relation.fk_name, f"column name `{relation.fk_name}`", relation.path)
            if relation.link_table:
                what = f"link table name `{relation.link_table}`"
                _check_sql_length(ctx, relation.link_table, what, relation.path)
            for column in (relation.link_source_column, relation.link_target_column):
                if column:
                    _check_sql_length(ctx, column, f"link table column `{column}`", relation.path)


def claim(ctx: Context, taken: dict[str, str], name: str, role: str, path: Path) -> None:
    if name in taken:
        ctx.report(path, f"{role} is named `{name}`, which is already {taken[name]}", key=True, code="name-clash")
    else:
        taken[name] = role


def _check_sql_length(ctx: Context, name: str, what: str, path: Path) -> None:
    if len(name) > SQL_NAME_LIMIT:
        limit = f"the {SQL_NAME_LIMIT}-character limit of PostgreSQL"
        ctx.report(path, f"{what} is {len(name)} characters, over {limit}", key=True, code="sql-name-too-long")


def check_wire_names(ctx: Context, entity: Entity) -> None:
    """Fields, relations, foreign keys and id lists share one namespace per entity."""
    seen: dict[str, str] = {name: "a built-in field" for name in RESERVED_FIELDS}
    attrs: dict[str, str] = {name: "a built-in field" for name in RESERVED_FIELDS}
    for field in entity.fields:
        if field.name in RESERVED_FIELDS:
            continue  # reported with the field
        claim(ctx, seen, field.name, f"field `{field.name}`", field.path)
        claim(ctx, attrs, field.attr, f"the Python name of field `{field.name}`", field.path)
    for relation in entity.relations:
        role = f"relation `{relation.name}`"
        if relation.name not in RESERVED_FIELDS:
            claim(ctx, seen, relation.name, role, relation.path)
            claim(ctx, attrs, relation.attr, f"the Python name of {role}", relation.path)
        extra = relation.fk_name or relation.ids_name
        if extra and extra not in RESERVED_FIELDS:
            claim(ctx, seen, extra, f"the wire name of {role}", relation.path)
    inverses: dict[str, str] = dict(seen)
    for inverse in entity.inverses:
        claim(ctx, inverses, inverse.name, f"inverse `{inverse.name}`", inverse.path)


def check_unique_together(ctx: Context, entity: Entity) -> None:
    fields = {f.name for f in entity.fields}
    to_one = {r.name for r in entity.relations if r.fk_name}
    many = {r.name for r in entity.relations if r.ids_name}
    for group in entity.unique_together:
        seen: set[str] = set()
        for index, member in enumerate(group.members):
            where = (*group.path, index)
            if member in seen:
                ctx.report(where, f"`{member}` is listed twice", code="unique-together-invalid")
            elif member in many:
                ctx.report(
                    where,
                    f"many_to_many relation `{member}` cannot be part of a unique constraint",
                    code="unique-together-invalid",
                )
            elif member not in fields and member not in to_one:
                hint = ctx.hint(member, fields | to_one)
                ctx.report(where, f"unknown field or relation `{member}`{hint}", code="unique-together-invalid")
            seen.add(member)
