"""Request helpers shared by the resource routes: entity tags, preconditions, references."""

import re
from collections.abc import Mapping
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Header
from sqlalchemy.orm import Mapped
from sqlmodel import Session

from ..errors import ProblemError, referencing_constraint

# The pattern of the contract's `If-Match`: `*` or a list of entity tags; anything else is a 422.
IfMatch = Annotated[
    str | None,
    Header(
        max_length=256,
        pattern=r'^(\*|(W/)?"[\x21\x23-\x7E]*"(\s*,\s*(W/)?"[\x21\x23-\x7E]*")*)$',
    ),
]
IdempotencyKey = Annotated[
    str | None, Header(min_length=1, max_length=255, pattern=r"^[\x21-\x7E]+$")
]

# Arrays and objects nested in a JSON member, as the contract's JsonValue states: MariaDB
# refuses a 32nd level, so every database gets the same 422 instead.
JSON_MAX_DEPTH = 31

_ENTITY_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7E]*)"\s*')


def etag(version: int) -> str:
    """The strong entity tag of a resource version."""
    return f'"{version}"'


def check_if_match(if_match: str | None, version: int) -> None:
    """412 unless `If-Match` is absent, `*`, or lists the current version (strong comparison)."""
    if if_match is None or if_match.strip() == "*":
        return
    current = str(version)
    for tag in if_match.split(","):
        match = _ENTITY_TAG.fullmatch(tag)
        if match is not None and match.group(1) is None and match.group(2) == current:
            return
    raise ProblemError(
        412,
        "precondition_failed",
        "Precondition failed",
        f"The resource has changed: its current ETag is {etag(version)}.",
        headers={"ETag": etag(version)},
    )


def not_found(title: str) -> ProblemError:
    return ProblemError(404, "not_found", "Resource not found", f"No {title} with this id.")


def still_referenced(title: str, orig: BaseException | None = None) -> ProblemError:
    """A delete refused by a foreign key (`on_delete: restrict`), whatever the database says;
    where the database names the foreign key, the problem says which resources refer."""
    found = referencing_constraint(orig)
    if found is None:
        return ProblemError(409, "still_referenced", "Conflict", f"The {title} is still referenced by other resources.")
    name, table, columns = found
    members = ", ".join(f"`{column}`" for column in columns)
    detail = f"The {title} is still referenced: rows of `{table}` refer to it by {members}."
    return ProblemError(409, "still_referenced", "Conflict", detail, constraint=name)


def check_references(
    session: Session, references: list[tuple[Mapped[Any], str, Mapping[str, Any]]]
) -> None:
    """422 when a referenced id does not exist.

    Each entry is (the target's id column, the target's title, {JSON pointer: id}); one query
    per target. A row deleted concurrently still ends as a 409 from the foreign key.
    """
    errors = []
    for id_column, title, ids in references:
        if not ids:
            continue
        found = set(session.scalars(sa.select(id_column).where(id_column.in_(set(ids.values())))))
        errors += [
            {"pointer": pointer, "message": f"No {title} with id {value}.", "code": "not_found"}
            for pointer, value in ids.items()
            if value not in found
        ]
    _refuse(errors, "The request refers to resources that do not exist.")


def references(data: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The ids a request body member refers to, by JSON pointer (`/author_id`, `/tag_ids/0`)."""
    value = data.get(name)
    if value is None:
        return {}
    if isinstance(value, list):
        return {f"/{name}/{index}": item for index, item in enumerate(value)}
    return {f"/{name}": value}


def not_nullable(data: Mapping[str, Any], names: tuple[str, ...]) -> None:
    """422 when a merge patch sets one of `names` to null."""
    errors = [
        {"pointer": f"/{name}", "message": "Must not be null.", "code": "not_nullable"}
        for name in names
        if name in data and data[name] is None
    ]
    _refuse(errors)


def check_json_depth(data: Mapping[str, Any], names: tuple[str, ...]) -> None:
    """422 when a JSON member nests arrays and objects deeper than `JSON_MAX_DEPTH`."""
    errors = [
        {
            "pointer": f"/{name}",
            "message": f"Must not nest arrays and objects more than {JSON_MAX_DEPTH} deep.",
            "code": "json_too_deep",
        }
        for name in names
        if _nesting(data.get(name)) > JSON_MAX_DEPTH
    ]
    _refuse(errors)


def _refuse(
    errors: list[dict[str, str]], detail: str = "The request does not match the API contract."
) -> None:
    """A 422 `validation_failed` listing `errors`, if there are any."""
    if errors:
        raise ProblemError(422, "validation_failed", "Validation failed", detail, errors=errors)


def _nesting(value: Any) -> int:
    """Levels of arrays and objects in `value`, one level at a time (no recursion)."""
    depth, level = 0, [value]
    while containers := [item for item in level if isinstance(item, dict | list)]:
        depth += 1
        level = [
            child
            for item in containers
            for child in (item.values() if isinstance(item, dict) else item)
        ]
    return depth


def changed_concurrently() -> ProblemError:
    """The row changed between reading and writing it, and the request named no version."""
    return ProblemError(
        409, "conflict", "Conflict", "The resource was changed by another request; retry."
    )
