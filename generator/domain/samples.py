"""Deterministic valid sample values per field, for contract examples and generated tests.

Samples are distinct where the type allows (unique fields need distinct rows) and ordered
ascending for ordered types, so tests can check sorting. A pattern without an example is
satisfied with rstr's regex-driven generator, seeded by the field's location.
"""

from __future__ import annotations

import datetime
import decimal
import math
import random
import re
import re._parser as _regex_parser  # type: ignore[import-not-found]  # the parser rstr builds from
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from rstr.xeger import STAR_PLUS_LIMIT, Xeger

from .values import value_problem

COUNT = 5
_PATTERN_ATTEMPTS = 200
# Longest string built from a pattern: nested repeats (`((a*)*)*`) would otherwise grow
# without bound, and a longer sample would not fit a bounded field anyway.
_PATTERN_BUDGET = 1024


def field_samples(field: Any, enum_values: list[str] | None, seed: str) -> list[Any]:
    """Up to COUNT valid values for `field`; fewer when the constraints allow fewer."""
    found: list[Any] = []
    if field.example is not None and value_problem(field, field.example, enum_values) is None:
        found.append(field.example)
    for candidate in _candidates(field, enum_values, random.Random(seed)):
        if len(found) == COUNT:
            break
        if candidate not in found and value_problem(field, candidate, enum_values) is None:
            found.append(candidate)
    if field.example is None and field.type in _ORDERED:
        found.sort(key=_ORDERED[field.type])
    return found


_ORDERED: dict[str, Callable[[Any], Any]] = {
    "integer": lambda v: v,
    "number": lambda v: v,
    "decimal": decimal.Decimal,
    "date": lambda v: v,
    "datetime": lambda v: v,
    "string": lambda v: v,
}


def _candidates(field: Any, enum_values: list[str] | None, rng: random.Random) -> Iterator[Any]:
    """Candidate values, lazily: pattern-built strings are made only while more are needed."""
    kind = field.type
    if kind == "enum":
        yield from enum_values or []
        return
    yield from _BUILDERS[kind](field)
    if field.pattern and kind in ("string", "text", "email", "url"):
        yield from _pattern_strings(field.pattern, rng)


class _TooLong(Exception):
    """The string being built from a pattern went over the budget."""


class _BoundedXeger(Xeger):
    """rstr's regex-driven generator with a length budget on repeats."""

    def _handle_repeat(self, start_range: int, end_range: int, value: Any) -> str:
        if start_range > _PATTERN_BUDGET:
            raise _TooLong
        times = self._random.randint(start_range, max(start_range, min(end_range, STAR_PLUS_LIMIT)))
        parts: list[str] = []
        length = 0
        for _ in range(times):
            part = "".join(self._handle_state(item) for item in value)
            length += len(part)
            if length > _PATTERN_BUDGET:
                raise _TooLong
            parts.append(part)
        return "".join(parts)


def _pattern_strings(pattern: str, rng: random.Random) -> Iterator[str]:
    """Strings built from `pattern`; none when rstr cannot handle it (or it is invalid).

    The pattern is parsed once, not once per string as `Xeger.xeger` does (most of its cost);
    the strings are the ones `xeger` would build from the same generator.
    """
    generator = _BoundedXeger(rng)
    parsed: Any = None
    for _ in range(_PATTERN_ATTEMPTS):
        try:
            if parsed is None:
                parsed = _regex_parser.parse(pattern)
            yield generator._build_string(parsed)
        except _TooLong:
            continue
        except (re.error, ValueError, KeyError, IndexError, OverflowError, RecursionError):
            # an invalid pattern (reported by the semantic checks) or a construct rstr lacks
            # (conditional groups, possessive repeats): the user is asked for an `example`
            return
        finally:
            generator._cache.clear()  # what `xeger` does after each string


def _strings(field: Any) -> list[str]:
    low = field.min_length or 0
    high = field.max_length or 255
    base = field.name.replace("_", " ").capitalize()
    values = []
    for index in range(1, COUNT + 1):
        text = f"{base} {index}"
        if len(text) > high:
            text = str(index)
        values.append(text.ljust(low, "x")[:high])
    return values


def _emails(field: Any) -> list[str]:
    return [f"{field.name.replace('_', '.')}{i}@example.com" for i in range(1, COUNT + 1)]


def _urls(field: Any) -> list[str]:
    return [f"https://example.com/{field.name.replace('_', '-')}/{i}" for i in range(1, COUNT + 1)]


def _start(field: Any, step: float) -> float:
    try:
        if field.minimum is not None:
            return float(field.minimum) + (step if field.minimum < 0 else 0)
        if field.maximum is not None and field.maximum < COUNT * step:
            return float(field.maximum) - COUNT * step
    except OverflowError:
        pass  # a bound past the float range: no candidate fits, and the checks say so
    return step


def _integers(field: Any) -> list[int]:
    # exact integer arithmetic: bounds past 2**53 (or the float range) must not be rounded
    if field.minimum is not None:
        start = math.ceil(field.minimum) + (1 if field.minimum < 0 else 0)
    elif field.maximum is not None and field.maximum < COUNT:
        start = math.floor(field.maximum) - COUNT
    else:
        start = 1
    return [start + i for i in range(COUNT * 2)]


def _numbers(field: Any) -> list[float]:
    start = _start(field, 1.5)
    return [start + i * 1.5 for i in range(COUNT * 2)]


def _decimals(field: Any) -> list[str]:
    places = field.decimal_places if field.decimal_places is not None else 2
    quantum = decimal.Decimal(1).scaleb(-places)
    whole = (field.max_digits or 18) - places
    start = decimal.Decimal(str(_start(field, 1)))
    step = decimal.Decimal("1.25") if whole > 0 else quantum
    if whole <= 0:
        start = quantum
    values = []
    with decimal.localcontext() as context:
        context.prec = 400  # 65 digits at most, plus bounds up to the float range
        for index in range(COUNT * 2):
            try:
                value = (start + step * index).quantize(quantum, rounding=decimal.ROUND_HALF_UP)
            except decimal.InvalidOperation:
                break
            values.append(f"{value:f}")
    return values


def _booleans(field: Any) -> list[bool]:
    return [True, False]


def _dates(field: Any) -> list[str]:
    first = datetime.date(2024, 1, 15)
    return [(first + datetime.timedelta(days=31 * i)).isoformat() for i in range(COUNT)]


def _datetimes(field: Any) -> list[str]:
    first = datetime.datetime(2024, 1, 15, 9, 30, tzinfo=datetime.UTC)
    moments = (first + datetime.timedelta(days=i, hours=i) for i in range(COUNT))
    return [moment.isoformat().replace("+00:00", "Z") for moment in moments]


def _uuids(field: Any) -> list[str]:
    return [str(uuid.uuid5(uuid.NAMESPACE_URL, f"{field.name}/{i}")) for i in range(COUNT)]


def _json(field: Any) -> list[Any]:
    return [{"key": f"value {i}"} for i in range(1, COUNT + 1)]


_BUILDERS: dict[str, Callable[[Any], list[Any]]] = {
    "string": _strings,
    "text": _strings,
    "email": _emails,
    "url": _urls,
    "integer": _integers,
    "number": _numbers,
    "decimal": _decimals,
    "boolean": _booleans,
    "date": _dates,
    "datetime": _datetimes,
    "uuid": _uuids,
    "json": _json,
}
