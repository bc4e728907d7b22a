"""Fields: bounds, flags, defaults and examples that fit the field's type."""

from __future__ import annotations

import re
from typing import Any

from ..domain.model import (
    NUMERIC_TYPES,
    RESERVED_FIELDS,
    SCALAR_TYPES,
    STRING_TYPES,
    Entity,
    Field,
)
from ..domain.values import value_problem
from .context import Context, article
from .storage import MYSQL_VARCHAR_CHARS, VARCHAR_TYPES

APPLIES_TO = {
    "min_length": STRING_TYPES,
    "max_length": STRING_TYPES,
    "pattern": STRING_TYPES,
    "minimum": NUMERIC_TYPES,
    "maximum": NUMERIC_TYPES,
    "max_digits": ("decimal",),
    "decimal_places": ("decimal",),
}


def check_field(ctx: Context, entity: Entity, field: Field) -> None:
    reported = len(ctx.problems)
    raw = ctx.raw(field.path)
    long = raw if isinstance(raw, dict) else {}
    type_path = (*field.path, "type") if long else field.path
    if field.name in RESERVED_FIELDS:
        message = f"`{field.name}` is reserved: every entity has {', '.join(RESERVED_FIELDS)}"
        ctx.report(field.path, message, key=True)
    if field.type == "enum" and field.enum not in ctx.enums:
        if field.enum in ctx.entities:
            message = (
                f"`{field.enum}` is an entity, not a field type: declare a relation instead "
                f"(relations: {{{field.name}: {{to: {field.enum}, kind: many_to_one}}}})"
            )
            ctx.report(type_path, message)
            return
        known = [*SCALAR_TYPES, *ctx.enums]
        hint = ctx.hint(field.enum or "", known)
        ctx.report(type_path, f"unknown type `{field.enum}`{hint}")
        return
    enum_values = ctx.enums[field.enum].values if field.enum else None
    type_label = field.enum if field.type == "enum" else field.type
    for key, types in APPLIES_TO.items():
        if key in long and field.type not in types:
            message = f"`{key}` does not apply to {article(type_label)} field"
            ctx.report((*field.path, key), message, key=True)
    _check_bounds(ctx, field, long)
    if field.type in VARCHAR_TYPES and (field.max_length or 0) > MYSQL_VARCHAR_CHARS:
        message = (
            f"`max_length` ({field.max_length}) is over {MYSQL_VARCHAR_CHARS:,}, the longest string "
            "MariaDB/MySQL store in a VARCHAR: use `text`"
        )
        ctx.report((*field.path, "max_length"), message, key=True)
    if field.pattern is not None:
        try:
            re.compile(field.pattern)
        except (re.error, OverflowError, RecursionError) as error:
            # OverflowError: `a{99999999999}`; RecursionError: thousands of nested groups
            reason = error if isinstance(error, re.error | OverflowError) else "too deeply nested"
            ctx.report((*field.path, "pattern"), f"invalid regular expression: {reason}")
    _check_flags(ctx, field, long, type_label)
    for key in ("default", "example"):
        if key in long:
            problem = value_problem(field, long[key], enum_values)
            if problem:
                ctx.report((*field.path, key), f"{key} does not fit the field: {problem}")
    if not field.samples and len(ctx.problems) == reported:
        # generated tests and contract examples need values; usually the bounds leave none
        if field.pattern:
            message = "no value matching this pattern could be built: add an `example`"
            ctx.report((*field.path, "pattern"), message)
        else:
            message = "no value that fits this field's constraints could be built: check them, or add an `example`"
            ctx.report(field.path, message, key=True)


def _check_bounds(ctx: Context, field: Field, long: dict[str, Any]) -> None:
    pairs = (("min_length", "max_length"), ("minimum", "maximum"))
    for low, high in pairs:
        if low in long and high in long and long[low] > long[high]:
            message = f"`{low}` ({long[low]}) is greater than `{high}` ({long[high]})"
            ctx.report((*field.path, low), message, key=True)
    if (
        "min_length" in long
        and "max_length" not in long
        and field.max_length is not None
        and long["min_length"] > field.max_length
    ):
        message = (
            f"`min_length` ({long['min_length']}) is greater than the default `max_length` "
            f"({field.max_length}) of {article(field.type)} field"
        )
        ctx.report((*field.path, "min_length"), message, key=True)
    if field.max_digits is not None and field.decimal_places is not None and field.decimal_places > field.max_digits:
        message = f"`decimal_places` ({field.decimal_places}) is greater than `max_digits` ({field.max_digits})"
        ctx.report((*field.path, "decimal_places"), message, key=True)


def _check_flags(ctx: Context, field: Field, long: dict[str, Any], type_label: str | None) -> None:
    if field.read_only and field.write_only:
        ctx.report(field.path, "a field cannot be both read_only and write_only", key=True)
    if field.read_only and field.immutable:
        ctx.report(
            (*field.path, "immutable"),
            "a read_only field is never written: drop `immutable`",
            key=True,
        )
    if field.read_only and not field.has_default and not field.nullable:
        message = "a read_only field needs a default or `nullable: true`: the API never sets it"
        ctx.report(field.path, message, key=True)
    written_required = long.get("required")
    if written_required is True and field.has_default:
        message = "a field with a default is optional on create: drop `required: true`"
        ctx.report((*field.path, "required"), message, key=True)
    if written_required is False and not field.nullable and not field.has_default and not field.read_only:
        message = "an optional field that is not nullable needs a default"
        ctx.report(field.path, message, key=True)
    if field.unique and field.type in ("text", "json"):
        message = f"{article(type_label).capitalize()} field cannot be unique (use a bounded string)"
        ctx.report((*field.path, "unique"), message, key=True)
    if field.index and field.type in ("json", "text") and long.get("index"):
        message = f"{article(type_label).capitalize()} field cannot be indexed"
        ctx.report((*field.path, "index"), message, key=True)
