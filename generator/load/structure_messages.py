"""Readable messages for a document that breaks the format's JSON Schema.

Python's jsonschema, whose errors carry what the messages need, runs only on documents the
fast validator in `structure` has already found invalid.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match

from ..domain.values import printable
from ..errors import Problem, did_you_mean
from .source import Document

# Readable names for the schema's name patterns, so messages state the rule, not the regex.
_PATTERN_RULES = {
    "^[a-z][a-z0-9-]*$": "lowercase letters, digits and dashes, starting with a letter",
    "^[A-Z][A-Za-z0-9]*$": "PascalCase (letters and digits, starting with a capital)",
    "^[a-z][a-z0-9_]*$": "snake_case (lowercase letters, digits and underscores)",
    "^-?[a-z][a-z0-9_]*$": "a field name, with a leading `-` for descending order",
    "^([a-z][a-z0-9_]*|[A-Z][A-Za-z0-9]*)\\??$": "a type (`string`, `integer`, ... or an enum name), "
    "with `?` for optional and nullable",
    "^([a-z][a-z0-9_]*|[A-Z][A-Za-z0-9]*)$": "a type: string, text, integer, number, decimal, boolean, "
    "date, datetime, uuid, email, url, json, or an enum name",
    "^[a-z][a-z0-9_.-]*(:[a-z][a-z0-9_.-]*)*$": "a scope like `books:read` (lowercase words joined by `:`)",
    "^(/[a-z0-9][a-z0-9._-]*)+$": "a path like `/api/v1` (lowercase segments, no trailing slash)",
    "^[A-Za-z0-9_][A-Za-z0-9_.:-]*$": "letters, digits, `_`, `.`, `:` and `-`",
    "^[1-9][0-9]{0,8}/(second|minute|hour|day)$": "a budget like `100/minute` (per second, minute, hour or day)",
    "^https?://[^\\s]+$": "an http(s) URL",
}
_SEMVER = "semantic version"
_NAME_KINDS = {
    "entities": "entity name",
    "enums": "enum name",
    "fields": "field name",
    "relations": "relation name",
    "scopes": "scope name",
}

_JSON_TYPES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """`pattern` with ECMA-262's `$`, which JSON Schema prescribes: the end of the input.

    Python's `$` also matches before a final newline, so `"title\\n"` passed as a field name.
    """
    if validator.is_type(instance, "string") and not re.search(_end_anchored(pattern), instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _end_anchored(pattern: str) -> str:
    return pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith("\\$") else pattern


_DomainValidator = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})  # type: ignore[no-untyped-call]


def schema_problems(document: Document, schema: dict[str, Any]) -> list[Problem]:
    """Every place where the document breaks `schema`, as positioned problems."""
    problems: list[Problem] = []
    for error in _DomainValidator(schema).iter_errors(document.data):
        problems.extend(_problems(document, _specific(error)))
    return problems


def _specific(error: ValidationError) -> ValidationError:
    """The most useful leaf of an anyOf/oneOf error, which on its own says little."""
    while error.context:
        error = best_match(error.context)
    return error


def _problems(document: Document, error: ValidationError) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    instance = error.instance
    kind = error.validator
    schema: Any = error.schema
    if kind in ("additionalProperties", "unevaluatedProperties") and isinstance(instance, dict):
        allowed = set(schema.get("properties", {}))
        patterns = list(schema.get("patternProperties", {}))
        for key in instance:
            if key in allowed or any(re.search(p, key) for p in patterns):
                continue
            message = f"unknown key `{printable(key)}`{did_you_mean(key, allowed)}"
            if allowed:
                message += f"; expected one of: {', '.join(sorted(allowed))}"
            yield document.problem((*path, key), message, key=True)
        return
    if "propertyNames" in error.schema_path and isinstance(instance, str):
        # jsonschema reports a bad key at its mapping; point at the key itself.
        what = _NAME_KINDS.get(str(path[-1]) if path else "", "name")
        yield document.problem(
            (*path, instance), f"`{printable(instance)}` is not a valid {what}: use {_rule(error)}", key=True
        )
        return
    if kind == "type" and len(path) >= 2 and path[-2] == "fields":
        message = f"expected a type (like `string` or `date?`) or a mapping of field options, got {_describe(instance)}"
        yield document.problem(path, message)
        return
    if kind == "required" and isinstance(instance, dict):
        required: Any = error.validator_value
        for key in required:
            if key not in instance:
                yield document.problem(path, f"missing required key `{key}`")
        return
    yield document.problem(path, _message(error))


def _message(error: ValidationError) -> str:
    value: Any = error.validator_value
    instance = error.instance
    match error.validator:
        case "type":
            expected = [value] if isinstance(value, str) else list(value)
            wanted = " or ".join(_JSON_TYPES.get(t, t) for t in expected)
            return f"expected {wanted}, got {_describe(instance)}"
        case "enum":
            options = [str(v) for v in value]
            hint = did_you_mean(str(instance), options) if isinstance(instance, str) else ""
            return f"`{printable(str(instance))}` is not one of: {', '.join(options)}{hint}"
        case "const":
            return f"must be {json.dumps(value)}, got {json.dumps(instance)}"
        case "pattern":
            return f"`{printable(str(instance))}` is not valid here: use {_rule(error)}"
        case "not":
            return str(error.schema.get("description", "this value is not allowed here"))  # type: ignore[union-attr]
        case "minItems" | "minProperties":
            return f"must have at least {value} {'item' if value == 1 else 'items'}"
        case "maxItems" | "maxProperties":
            return f"must have at most {value} items"
        case "uniqueItems":
            return "items must not repeat"
        case "minLength":
            return "must not be empty" if value == 1 else f"must be at least {value} characters"
        case "maxLength":
            return f"must be at most {value} characters"
        case "minimum" | "exclusiveMinimum" | "maximum" | "exclusiveMaximum":
            relation = {
                "minimum": ">=",
                "exclusiveMinimum": ">",
                "maximum": "<=",
                "exclusiveMaximum": "<",
            }
            return f"must be {relation[error.validator]} {value}, got {instance}"
        case "propertyNames":
            return f"invalid key: {error.message}"
        case _:
            return error.message


def _rule(error: ValidationError) -> str:
    pattern: Any = error.validator_value
    if error.validator != "pattern":
        return error.message
    if pattern.startswith("^(0|[1-9]"):
        return f"a {_SEMVER} like `1.2.0`"
    return _PATTERN_RULES.get(pattern, f"the pattern `{pattern}`")


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value is None:
        return "null (an empty value)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string `{printable(value)}`"
    return f"`{value}`"
