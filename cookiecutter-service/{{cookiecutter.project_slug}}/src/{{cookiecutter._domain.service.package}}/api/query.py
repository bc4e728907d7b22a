"""The filters and the search of list endpoints, as SQL conditions.

A route declares its filters as a pydantic model whose fields carry a `Where` (the attribute
they compare and how); `filtered` turns the values a request gave into one condition each,
combined with AND. `searched` matches `q` as a case-insensitive substring of any of the
search attributes, with the LIKE wildcards of `q` taken literally.
"""

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel

LIKE_ESCAPE = "!"
_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "gte": operator.ge,
    "lte": operator.le,
}


@dataclass(frozen=True, slots=True)
class Where:
    """How a filter parameter compares with its attribute: `eq`, `gte` (min) or `lte` (max)."""

    attr: str
    op: Literal["eq", "gte", "lte"] = "eq"

    def condition(self, model: type[Any], value: Any) -> sa.ColumnElement[bool]:
        condition: sa.ColumnElement[bool] = _OPERATORS[self.op](getattr(model, self.attr), value)
        return condition


def filtered(statement: sa.Select[Any], model: type[Any], filters: BaseModel) -> sa.Select[Any]:
    """`statement` restricted to the rows matching every filter the request gave."""
    for name, info in type(filters).model_fields.items():
        value = getattr(filters, name)
        if value is None:
            continue
        where = next(item for item in info.metadata if isinstance(item, Where))
        statement = statement.where(where.condition(model, value))
    return statement


def searched(
    statement: sa.Select[Any], model: type[Any], attrs: Sequence[str], q: str | None
) -> sa.Select[Any]:
    """`statement` restricted to the rows where one of `attrs` contains `q`, in any case."""
    if q is None or not attrs:
        return statement
    pattern = like_pattern(q)
    return statement.where(
        sa.or_(*(getattr(model, attr).ilike(pattern, escape=LIKE_ESCAPE) for attr in attrs))
    )


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere; `LIKE_ESCAPE` escapes the wildcards."""
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
    escaped = escaped.replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return f"%{escaped}%"
