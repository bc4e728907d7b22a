"""Keyset (cursor) pagination over a sort column and the id.

Rows are ordered by the sort column, NULLs last in both directions, then by id in the same
direction, so the order is total and a page starts right after the last row of the previous
one: pages stay stable while rows are inserted or deleted. A cursor is opaque to clients
(base64url JSON of the sort it was issued for and the last row's sort value and id); a
cursor issued for another sort, or not issued by the service, is a 422. That includes a sort
value with U+0000 (NUL) in it, which no stored row has (requests cannot store one) and which
PostgreSQL refuses even to compare.
"""

import base64
import binascii
import datetime as dt
import decimal
import json
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from .errors import ProblemError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Sort:
    key: str
    descending: bool

    def __str__(self) -> str:
        return f"-{self.key}" if self.descending else self.key


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def parse_sort(value: str, keys: Collection[str]) -> Sort:
    """`title` or `-title` (descending), for one of `keys`."""
    key = value.removeprefix("-")
    if key not in keys:
        raise _invalid_parameter(
            "sort", f"Sort by one of: {', '.join(keys)}, with `-` for descending."
        )
    return Sort(key, value.startswith("-"))


def paginate(
    session: Session,
    statement: sa.Select[Any],
    *,
    sort: Sort,
    column: sa.Column[Any],
    id_column: sa.Column[Any],
    cursor: str | None,
    limit: int,
) -> Page[Any]:
    """One page of `statement`'s rows (each a single entity) ordered by `column` and id."""
    if cursor is not None:
        value, last_id = _decode(cursor, sort, column, id_column)
        statement = statement.where(_after(column, id_column, sort.descending, value, last_id))
    order: list[sa.ColumnElement[Any]] = []
    if column.nullable:
        order.append(column.is_(None))
    if sort.descending:
        order += [column.desc(), id_column.desc()]
    else:
        order += [column.asc(), id_column.asc()]
    rows: list[Any] = list(session.scalars(statement.order_by(*order).limit(limit + 1)))
    if len(rows) <= limit:
        return Page(rows, None)
    rows = rows[:limit]
    last = rows[-1]
    mapper = sa.inspect(type(last))
    value = getattr(last, mapper.get_property_by_column(column).key)
    last_id = getattr(last, mapper.get_property_by_column(id_column).key)
    return Page(rows, _encode(sort, value, last_id))


def _after(
    column: sa.Column[Any], id_column: sa.Column[Any], descending: bool, value: Any, last_id: Any
) -> sa.ColumnElement[bool]:
    """Rows strictly after (value, last_id) in the page order."""
    beyond_id = id_column < last_id if descending else id_column > last_id
    if value is None:
        return sa.and_(column.is_(None), beyond_id)
    # A bound parameter, not the bare value: SQLAlchemy refuses `<`/`>` against True/False.
    bound = sa.literal(value, type_=column.type)
    beyond_value = column < bound if descending else column > bound
    after = sa.or_(beyond_value, sa.and_(column == bound, beyond_id))
    return sa.or_(after, column.is_(None)) if column.nullable else after


def _encode(sort: Sort, value: Any, last_id: Any) -> str:
    payload = {"sort": str(sort), "value": _to_json(value), "id": _to_json(last_id)}
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(
    token: str, sort: Sort, column: sa.Column[Any], id_column: sa.Column[Any]
) -> tuple[Any, Any]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(payload, dict) or payload.get("sort") != str(sort):
            raise ValueError("cursor of another sort")
        value = _from_json(payload["value"], column.type.python_type)
        last_id = _from_json(payload["id"], id_column.type.python_type)
    except (ValueError, TypeError, KeyError, binascii.Error, decimal.InvalidOperation) as exc:
        raise _invalid_parameter(
            "cursor", "Not a cursor issued by this service for this sort order."
        ) from exc
    if last_id is None:
        raise _invalid_parameter("cursor", "Not a cursor issued by this service.")
    return value, last_id


def _to_json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _from_json(value: Any, python_type: type) -> Any:
    if value is None:
        return None
    if python_type is dt.datetime:
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("naive datetime")
        return parsed
    if python_type is dt.date:
        return dt.date.fromisoformat(value)
    if python_type in (decimal.Decimal, uuid.UUID):
        return python_type(value)
    if python_type is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if type(value) is not python_type:
        raise TypeError(f"expected {python_type.__name__}")
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("NUL in a string")
    return value


def _invalid_parameter(name: str, message: str) -> ProblemError:
    return ProblemError(
        422,
        "validation_failed",
        "Validation failed",
        f"The `{name}` query parameter is invalid.",
        errors=[{"pointer": f"/query/{name}", "message": message, "code": f"invalid_{name}"}],
    )
