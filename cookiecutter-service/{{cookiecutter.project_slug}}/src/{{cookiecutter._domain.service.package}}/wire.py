"""JSON values as the contract's JSON Schema reads them, for the API models (`schemas.py`).

Dates and date-times are RFC 3339 strings, nothing else: pydantic's lax mode also reads numbers
(`0`, `"86400"`) as Unix timestamps and a date-time as a date; the contract's `format: date`
(`2024-01-15`) and `format: date-time` (`2024-01-15T09:30:00Z`) admit neither. A date-time
must name an instant of the years 0001-9999 in UTC, which every database stores: RFC 3339
also admits `0001-01-01T00:00:00+14:00`, whose UTC instant is in the year 0. The list filters
use them too. An integer is any JSON number without a fraction (`3` and `3.0`, as JSON Schema
says), never a string or a boolean; a number is finite (Python's JSON reader also takes `NaN`
and `Infinity`, which JSON has not, and reads `1e400` as infinity: no database stores them
alike). An email address is checked for its syntax, as JSON
Schema's `email` format defines it (RFC 5321's `Mailbox`), not for deliverability: pydantic's
`EmailStr` refuses special-use domains (`ann@clinic.test`, `ops@host.local`) that the contract
admits. Its domain is lower-cased (domain names are case-insensitive) and its local part kept
as sent (RFC 5321 lets the receiving host tell `Ann` from `ann`), so a unique email column and
an email filter treat `Ann@Example.COM` and `Ann@example.com` as one address, `ann@example.com`
as another. Text is a string without U+0000 (NUL), which the contract's free-text members, the
strings and member names of JSON values and the list filters refuse (`not: {type: string,
pattern: '\\x00'}`): PostgreSQL cannot store NUL in text, and the service answers the same 422
on every database. Values the service builds itself pass unchanged.
"""

import datetime as dt
import ipaddress
import math
import re
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, StrictStr
from pydantic_core import PydanticCustomError

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


# RFC 5321, section 4.1.2: Local-part "@" ( Domain / address-literal ).
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL_PART = rf'(?:{_ATOM}(?:\.{_ATOM})*|"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*")'
_SUB_DOMAIN = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_DOMAIN = rf"{_SUB_DOMAIN}(?:\.{_SUB_DOMAIN})*"
_LITERAL = r"\[(?P<literal>[^\[\]\\]+)\]"
_MAILBOX = re.compile(rf"(?P<local>{_LOCAL_PART})@(?:(?P<domain>{_DOMAIN})|{_LITERAL})")
# RFC 5321, section 4.1.3: the address literals.
_SNUM = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[0-9]{1,2}|0[0-9]{2})"
_IPV4 = re.compile(rf"{_SNUM}(?:\.{_SNUM}){{3}}")
_GENERAL_LITERAL = re.compile(r"[A-Za-z0-9-]*[A-Za-z0-9]:[\x21-\x5a\x5e-\x7e]+")


def _address_literal(literal: str) -> bool:
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


def _email(value: object) -> object:
    if not isinstance(value, str):
        return value  # the strict string type refuses it
    match = _MAILBOX.fullmatch(_text(value))
    if match is None or (match["literal"] is not None and not _address_literal(match["literal"])):
        raise ValueError("must be an email address (RFC 5321 mailbox syntax, like ann@example.com)")
    if match["domain"] is None:
        return value
    return f"{match['local']}@{match['domain'].lower()}"


def _date(value: object) -> object:
    if isinstance(value, dt.date) or (isinstance(value, str) and _DATE.fullmatch(value)):
        return value
    raise ValueError("must be a date written YYYY-MM-DD (RFC 3339 full-date)")


def _datetime(value: object) -> object:
    if isinstance(value, dt.datetime) or (isinstance(value, str) and _DATETIME.fullmatch(value)):
        return value
    raise ValueError("must be a date-time with an offset, like 2024-01-15T09:30:00Z (RFC 3339)")


def _in_utc_years(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None:
        try:
            value.astimezone(dt.UTC)
        except OverflowError:
            raise ValueError("must be an instant of the years 0001-9999 in UTC") from None
    return value


def _date_or_none(value: object) -> object:
    return None if value is None else _date(value)


def _datetime_or_none(value: object) -> object:
    return None if value is None else _datetime(value)


def _integer(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    # pydantic's own code for a value of another type (the errors of a JSON value's other
    # branches are told from the one that matters by it).
    raise PydanticCustomError(
        "int_type", "Input should be an integer (a JSON number without a fraction)"
    )


def _integer_or_none(value: object) -> object:
    return None if value is None else _integer(value)


def _number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("float_type", "Input should be a number")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an integer past the range of a double
        finite = False
    if not finite:
        raise PydanticCustomError(
            "finite_number", "Input should be a finite number within the range of a double"
        )
    return value


def _text(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("string_nul", "String should not contain U+0000 (NUL)")
    return value


Text = Annotated[StrictStr, AfterValidator(_text)]
# A plain `| None`, so that pydantic applies the member's `max_length` to the string alone.
NullableText = Text | None
Email = Annotated[StrictStr, BeforeValidator(_email)]
# A plain `| None`, so that pydantic applies the member's `max_length` to the string alone.
NullableEmail = Email | None
Integer = Annotated[int, BeforeValidator(_integer)]
NullableInteger = Annotated[int | None, BeforeValidator(_integer_or_none)]
Number = Annotated[float, BeforeValidator(_number)]
IsoDate = Annotated[dt.date, BeforeValidator(_date)]
NullableIsoDate = Annotated[dt.date | None, BeforeValidator(_date_or_none)]
IsoDatetime = Annotated[AwareDatetime, BeforeValidator(_datetime), AfterValidator(_in_utc_years)]
NullableIsoDatetime = Annotated[
    AwareDatetime | None, BeforeValidator(_datetime_or_none), AfterValidator(_in_utc_years)
]
