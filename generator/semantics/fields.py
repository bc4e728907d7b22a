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


def long_form(ctx: Context, field: Field) -> dict[str, Any]:
    """The field's mapping as written (empty for the short form `name: type`)."""
    raw = ctx.raw(field.path)
    return raw if isinstance(raw, dict) else {}


def known_type(ctx: Context, field: Field) -> bool:
    return field.type != "enum" or field.enum in ctx.enums


def check_reserved_name(ctx: Context, entity: Entity, field: Field) -> None:
    if field.name in RESERVED_FIELDS:
        message = f"`{field.name}` is reserved: every entity has {', '.join(RESERVED_FIELDS)}"
        ctx.report(field.path, message, key=True, code="reserved-field-name")


def check_type(ctx: Context, entity: Entity, field: Field) -> None:
    if known_type(ctx, field):
        return
    type_path = (*field.path, "type") if long_form(ctx, field) else field.path
    if field.enum in ctx.entities:
        message = (
            f"`{field.enum}` is an entity, not a field type: declare a relation instead "
            f"(relations: {{{field.name}: {{to: {field.enum}, kind: many_to_one}}}})"
        )
        ctx.report(type_path, message, code="entity-as-field-type")
        return
    hint = ctx.hint(field.enum or "", [*SCALAR_TYPES, *ctx.enums])
    ctx.report(type_path, f"unknown type `{field.enum}`{hint}", code="unknown-type")


def check_constraints_apply(ctx: Context, entity: Entity, field: Field) -> None:
    if not known_type(ctx, field):
        return
    long = long_form(ctx, field)
    for key, types in APPLIES_TO.items():
        if key in long and field.type not in types:
            message = f"`{key}` does not apply to {article(type_label(field))} field"
            ctx.report((*field.path, key), message, key=True, code="constraint-not-applicable")


def check_bounds(ctx: Context, entity: Entity, field: Field) -> None:
    if known_type(ctx, field):
        _check_bounds(ctx, field, long_form(ctx, field))


def check_varchar_length(ctx: Context, entity: Entity, field: Field) -> None:
    if field.type in VARCHAR_TYPES and (field.max_length or 0) > MYSQL_VARCHAR_CHARS:
        message = (
            f"`max_length` ({field.max_length}) is over {MYSQL_VARCHAR_CHARS:,}, the longest string "
            "MariaDB/MySQL store in a VARCHAR: use `text`"
        )
        ctx.report((*field.path, "max_length"), message, key=True, code="string-too-long-for-varchar")


def check_pattern(ctx: Context, entity: Entity, field: Field) -> None:
    if field.pattern is None or not known_type(ctx, field):
        return
    try:
        re.compile(field.pattern)
    except (re.error, OverflowError, RecursionError) as error:
        # OverflowError: `a{99999999999}`; RecursionError: thousands of nested groups
        reason = error if isinstance(error, re.error | OverflowError) else "too deeply nested"
        ctx.report((*field.path, "pattern"), f"invalid regular expression: {reason}", code="invalid-pattern")


def check_flags(ctx: Context, entity: Entity, field: Field) -> None:
    if known_type(ctx, field):
        _check_flags(ctx, field, long_form(ctx, field), type_label(field))


def check_default_and_example(ctx: Context, entity: Entity, field: Field) -> None:
    if not known_type(ctx, field):
        return
    long = long_form(ctx, field)
    enum_values = ctx.enums[field.enum].values if field.enum else None
    for key in ("default", "example"):
        if key in long:
            problem = value_problem(field, long[key], enum_values)
            if problem:
                ctx.report((*field.path, key), f"{key} does not fit the field: {problem}", code="value-does-not-fit")


def check_samples(ctx: Context, entity: Entity, field: Field) -> None:
    """Generated tests and contract examples need values; usually the bounds leave none.

    Runs after the field's other rules, and only when they found nothing: their message
    says why better than this one.
    """
    if field.samples or ctx.reported_under(field.path):
        return
    if field.pattern:
        message = "no value matching this pattern could be built: add an `example`"
        ctx.report((*field.path, "pattern"), message, code="no-sample-value")
    else:
        message = "no value that fits this field's constraints could be built: check them, or add an `example`"
        ctx.report(field.path, message, key=True, code="no-sample-value")


def type_label(field: Field) -> str | None:
    return field.enum if field.type == "enum" else field.type


def _check_bounds(ctx: Context, field: Field, long: dict[str, Any]) -> None:
    pairs = (("min_length", "max_length"), ("minimum", "maximum"))
    for low, high in pairs:
        if low in long and high in long and long[low] > long[high]:
            message = f"`{low}` ({long[low]}) is greater than `{high}` ({long[high]})"
            ctx.report((*field.path, low), message, key=True, code="bounds-inverted")
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
        ctx.report((*field.path, "min_length"), message, key=True, code="bounds-inverted")
    if field.max_digits is not None and field.decimal_places is not None and field.decimal_places > field.max_digits:
        message = f"`decimal_places` ({field.decimal_places}) is greater than `max_digits` ({field.max_digits})"
        ctx.report((*field.path, "decimal_places"), message, key=True, code="bounds-inverted")


def _check_flags(ctx: Context, field: Field, long: dict[str, Any], type_label: str | None) -> None:
    if field.read_only and field.write_only:
        ctx.report(
            field.path, "a field cannot be both read_only and write_only", key=True, code="conflicting-access-flags"
        )
    if field.read_only and field.immutable:
        ctx.report(
            (*field.path, "immutable"),
            "a read_only field is never written: drop `immutable`",
            key=True,
            code="conflicting-access-flags",
        )
    if field.read_only and not field.has_default and not field.nullable:
        message = "a read_only field needs a default or `nullable: true`: the API never sets it"
        ctx.report(field.path, message, key=True, code="read-only-without-default")
    written_required = long.get("required")
    if written_required is True and field.has_default:
        message = "a field with a default is optional on create: drop `required: true`"
        ctx.report((*field.path, "required"), message, key=True, code="required-with-default")
    if written_required is False and not field.nullable and not field.has_default and not field.read_only:
        message = "an optional field that is not nullable needs a default"
        ctx.report(field.path, message, key=True, code="optional-without-default")
    if field.unique and field.type in ("text", "json"):
        message = f"{article(type_label).capitalize()} field cannot be unique (use a bounded string)"
        ctx.report((*field.path, "unique"), message, key=True, code="unbounded-unique")
    if field.index and field.type in ("json", "text") and long.get("index"):
        message = f"{article(type_label).capitalize()} field cannot be indexed"
        ctx.report((*field.path, "index"), message, key=True, code="unbounded-index")
