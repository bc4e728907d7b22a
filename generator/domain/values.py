"""Whether a wire value fits a field: used for defaults, examples and generated samples."""

from __future__ import annotations

import datetime
import decimal
import ipaddress
import json
import re
import uuid
from typing import Any
from urllib.parse import urlsplit

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def value_problem(field: Any, value: Any, enum_values: list[str] | None) -> str | None:
    """What is wrong with `value` for `field` (a `model.Field`), or None when it fits."""
    if value is None:
        return None if field.nullable else "null is not allowed: the field is not nullable"
    kind = field.type
    if kind == "enum":
        if enum_values is not None and value not in enum_values:
            return f"{_show(value)} is not a value of `{field.enum}`"
        return None
    if kind == "json":
        return None
    check = _CHECKS[kind]
    problem = check(field, value)
    if problem is None and isinstance(value, str) and field.pattern:
        try:
            if not re.search(field.pattern, value):
                problem = f"{_show(value)} does not match the pattern"
        except (re.error, OverflowError, RecursionError):
            return None  # the pattern itself is reported elsewhere
    return problem


def _string(field: Any, value: Any) -> str | None:
    if not isinstance(value, str):
        return f"expected a string, got {_show(value)}"
    if "\x00" in value:
        return "U+0000 is not allowed: the service refuses it in every string (`string_nul`)"
    if field.min_length is not None and len(value) < field.min_length:
        return f"shorter than min_length {field.min_length}"
    if field.max_length is not None and len(value) > field.max_length:
        return f"longer than max_length {field.max_length}"
    return None


# JSON Schema's `email` format: RFC 5321's Mailbox, `Local-part "@" ( Domain / address-literal )`.
# The generated service reads emails by the same rule (its `wire.py`), so an example or default
# fits here exactly when the service would accept it; deliverability is not asked.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL_PART = rf'(?:{_ATOM}(?:\.{_ATOM})*|"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*")'
_SUB_DOMAIN = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_MAILBOX = re.compile(rf"{_LOCAL_PART}@(?:{_SUB_DOMAIN}(?:\.{_SUB_DOMAIN})*|\[(?P<literal>[^\[\]\\]+)\])")
_SNUM = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[0-9]{1,2}|0[0-9]{2})"
_IPV4 = re.compile(rf"{_SNUM}(?:\.{_SNUM}){{3}}")
_GENERAL_LITERAL = re.compile(r"[A-Za-z0-9-]*[A-Za-z0-9]:[\x21-\x5a\x5e-\x7e]+")


def _email(field: Any, value: Any) -> str | None:
    problem = _string(field, value)
    if problem is None:
        match = _MAILBOX.fullmatch(value)
        if match is None or (match["literal"] is not None and not _address_literal(match["literal"])):
            problem = f"{_show(value)} is not an email address"
    return problem


def _address_literal(literal: str) -> bool:
    """RFC 5321, section 4.1.3: an IPv4 address, `IPv6:` and an address, or a general literal."""
    if _IPV4.fullmatch(literal):
        return True
    if literal.startswith("IPv6:"):
        address = literal.removeprefix("IPv6:")
        try:
            ipaddress.IPv6Address(address)
        except ValueError:
            return False
        return "%" not in address
    return _GENERAL_LITERAL.fullmatch(literal) is not None


def _url(field: Any, value: Any) -> str | None:
    problem = _string(field, value)
    if problem is None:
        try:
            parts = urlsplit(value)
        except ValueError:  # e.g. an unclosed IPv6 host: `https://[::1`
            return f"{_show(value)} is not an http(s) URL"
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problem = f"{_show(value)} is not an http(s) URL"
    return problem


def _range(field: Any, value: float | decimal.Decimal) -> str | None:
    if field.minimum is not None and value < field.minimum:
        return f"less than minimum {field.minimum}"
    if field.maximum is not None and value > field.maximum:
        return f"greater than maximum {field.maximum}"
    return None


def _integer(field: Any, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"expected an integer, got {_show(value)}"
    if not INT64_MIN <= value <= INT64_MAX:
        return "outside the 64-bit integer range"
    return _range(field, value)


def _number(field: Any, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"expected a number, got {_show(value)}"
    try:
        float(value)
    except OverflowError:
        return "outside the range of a 64-bit floating-point number"
    return _range(field, value)


def _decimal(field: Any, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return f'expected a decimal (a string like "12.50"), got {_show(value)}'
    try:
        number = decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        return f"{_show(value)} is not a decimal number"
    if not number.is_finite():
        return "decimals must be finite"
    exponent = number.as_tuple().exponent
    exponent = exponent if isinstance(exponent, int) else 0
    places = max(0, -exponent)
    digits = max(0, len(number.as_tuple().digits) + exponent)  # before the point: 1E+2 has 3
    if field.decimal_places is not None and places > field.decimal_places:
        return f"more than {field.decimal_places} decimal places"
    if field.max_digits is not None and field.decimal_places is not None:
        whole = field.max_digits - field.decimal_places
        if digits > whole and number != 0:
            return f"more than {whole} digits before the decimal point"
    return _range(field, number)


def _boolean(field: Any, value: Any) -> str | None:
    return None if isinstance(value, bool) else f"expected true or false, got {_show(value)}"


def _date(field: Any, value: Any) -> str | None:
    try:
        datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return f"expected a date like 2024-01-31, got {_show(value)}"
    return None if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else "expected a date like 2024-01-31"


def _datetime(field: Any, value: Any) -> str | None:
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return f"expected a date-time like 2024-01-31T12:00:00Z, got {_show(value)}"
    return None if parsed.tzinfo is not None else "a date-time needs a timezone (e.g. `Z`)"


def _uuid(field: Any, value: Any) -> str | None:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return f"expected a UUID, got {_show(value)}"
    return None


_CHECKS = {
    "string": _string,
    "text": _string,
    "email": _email,
    "url": _url,
    "integer": _integer,
    "number": _number,
    "decimal": _decimal,
    "boolean": _boolean,
    "date": _date,
    "datetime": _datetime,
    "uuid": _uuid,
}


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f"`{printable(value)}`"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"`{value}`"


def printable(text: str, limit: int = 60) -> str:
    """`text` for a one-line message: control characters escaped, long text shortened."""
    escaped = json.dumps(text, ensure_ascii=False)[1:-1].replace('\\"', '"')
    return escaped if len(escaped) <= limit else escaped[: limit - 1] + "…"
