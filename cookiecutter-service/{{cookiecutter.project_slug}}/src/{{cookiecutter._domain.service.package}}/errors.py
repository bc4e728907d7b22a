{% set service = cookiecutter._domain.service %}
"""RFC 9457 problem details: every error response of the service has this shape.

Body: `type`, `title`, `status`, `detail`, `instance` (the request path), a stable machine
`code`, the `request_id`, and for validation failures `errors`, a list of
`{pointer, message, code}`. Pointers are JSON Pointers (RFC 6901): into the JSON body for
body errors (`/title`), and `/query/<name>`, `/header/<name>`, `/path/<name>` for parameters.
A 409 names the database `constraint` it broke where the database says (a unique violation
also lists a pointer per member of the constraint in `errors`).
"""

import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.sql.schema import ColumnCollectionConstraint, Index
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException
from starlette.routing import Match

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:problem-type:{{ service.name }}:"

logger = logging.getLogger(__name__)

# Codes and titles of the statuses the service answers with on its own.
_STATUS_CODES: dict[int, tuple[str, str]] = {
    400: ("malformed_request", "Malformed request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Permission denied"),
    404: ("not_found", "Resource not found"),
    405: ("method_not_allowed", "Method not allowed"),
    406: ("not_acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    412: ("precondition_failed", "Precondition failed"),
    413: ("payload_too_large", "Payload too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    422: ("validation_failed", "Validation failed"),
    428: ("precondition_required", "Precondition required"),
    429: ("rate_limited", "Too many requests"),
    500: ("internal_error", "Internal server error"),
    503: ("service_unavailable", "Service unavailable"),
}

# SQLSTATE (PostgreSQL) and error numbers (MySQL/MariaDB) of integrity violations.
_PG_UNIQUE, _PG_FOREIGN_KEY = "23505", "23503"
_MYSQL_UNIQUE = {1062, 1586}
_MYSQL_STILL_REFERENCED = {1451, 1217}
_MYSQL_FOREIGN_KEY = {1452, 1216}


class ProblemError(Exception):
    """Raised anywhere in request handling to answer with a problem document."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str | None = None,
        headers: Mapping[str, str] | None = None,
        errors: Sequence[Mapping[str, str]] | None = None,
        constraint: str | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.headers = dict(headers or {})
        self.errors = list(errors) if errors is not None else None
        self.constraint = constraint  # the database constraint of a 409, when it is known


def status_code_and_title(status: int) -> tuple[str, str]:
    if status in _STATUS_CODES:
        return _STATUS_CODES[status]
    phrase = HTTPStatus(status).phrase
    return phrase.lower().replace(" ", "_").replace("-", "_"), phrase


def problem_body(
    *,
    status: int,
    code: str,
    title: str,
    detail: str | None,
    instance: str,
    request_id: str | None,
    errors: Sequence[Mapping[str, str]] | None = None,
    constraint: str | None = None,
) -> bytes:
    document: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + code,
        "title": title,
        "status": status,
        "detail": detail if detail is not None else title,
        # The decoded path, percent-encoded again: `instance` is a URI reference (RFC 3986).
        "instance": quote(instance, safe="/:@!$&'()*+,;="),
        "code": code,
        "request_id": request_id,
    }
    if errors is not None:
        document["errors"] = list(errors)
    if constraint is not None:
        document["constraint"] = constraint
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def problem_response(request: Request, error: ProblemError) -> Response:
    body = problem_body(
        status=error.status,
        code=error.code,
        title=error.title,
        detail=error.detail,
        instance=request.url.path,
        request_id=request_id_of(request),
        errors=error.errors,
        constraint=error.constraint,
    )
    return Response(body, error.status, headers=error.headers, media_type=PROBLEM_MEDIA_TYPE)


def request_id_of(request: Request) -> str | None:
    request_id: str | None = request.scope.get("state", {}).get("request_id")
    return request_id


def json_pointer(parts: Iterable[str | int]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _body_path(path: Sequence[str | int], body: Any, code: str) -> list[str | int]:
    """The members of `path` that lead through the request body `body`.

    pydantic's locations also name the branches of a union (`JsonValue`: `constrained-str`,
    `dict[str,...]`) and a key it refused (`[key]`); a pointer names members only. The last
    part of a `missing` error is the absent member, the one part not in the body.
    """
    parts: list[str | int] = []
    value = body
    for index, part in enumerate(path):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part in range(len(value)):
            value = value[cast(int, part)]
        elif not (code == "missing" and index == len(path) - 1):
            continue
        parts.append(part)
    return parts


# A string type with a validator of its own (wire.Text, wire.Email) gets pydantic's generic
# length check, whose code and message speak of items: the errors of a plain string instead.
_STRING_LENGTH = {
    "too_long": ("string_too_long", "String should have at most {max_length} characters"),
    "too_short": ("string_too_short", "String should have at least {min_length} characters"),
}
# The pattern by which the API models and filters refuse U+0000 in strings without a pattern
# of their own: its mismatch reads as wire.Text's error, one code for NUL wherever it is.
_NO_NUL_PATTERN = "^[^\\x00]*$"
_NUL = ("string_nul", "String should not contain U+0000 (NUL)")


def _validation_problem(exc: RequestValidationError) -> ProblemError:
    errors: list[dict[str, str]] = []
    for error in exc.errors():
        location = tuple(error.get("loc", ()))
        code = str(error.get("type", ""))
        if code == "json_invalid":
            return ProblemError(
                400, "malformed_request", "Malformed request", "The body is not valid JSON."
            )
        source, path = (location[0], location[1:]) if location else ("body", ())
        if source == "body":
            pointer = json_pointer(_body_path(path, exc.body, code))
        else:
            pointer = json_pointer((source, *path))
        message, context = str(error.get("msg", "")), error.get("ctx", {})
        if code in _STRING_LENGTH and isinstance(error.get("input"), str):
            code, template = _STRING_LENGTH[code]
            message = template.format(**context)
        elif code == "string_pattern_mismatch" and context.get("pattern") == _NO_NUL_PATTERN:
            code, message = _NUL
        entry = {"pointer": pointer, "message": message, "code": code}
        if entry not in errors:
            errors.append(entry)
    # A value that no branch of a union (a JSON value) accepts gets an error from each branch;
    # where one of them finds more than "not this type", at the value or inside it, the type
    # mismatches of the other branches are noise.
    specific = [e["pointer"] + "/" for e in errors if not e["code"].endswith("_type")]
    errors = [
        e
        for e in errors
        if not e["code"].endswith("_type")
        or not any(pointer.startswith(e["pointer"] + "/") for pointer in specific)
    ]
    return ProblemError(
        422,
        "validation_failed",
        "Validation failed",
        "The request does not match the API contract.",
        errors=errors,
    )


def _integrity_problem(exc: IntegrityError, method: str) -> ProblemError:
    kind = _integrity_kind(exc.orig)
    if kind == "foreign_key_violation" and method == "DELETE":
        kind = "still_referenced"
    detail = {
        "unique_violation": "A resource with the same unique values already exists.",
        "foreign_key_violation": "A referenced resource does not exist.",
        "still_referenced": "The resource is still referenced by other resources.",
    }.get(kind, "The request conflicts with the current state of the data.")
    if kind == "unique_violation":
        found = unique_constraint(exc.orig)
        if found is not None:
            name, columns = found
            errors = [_unique_error(column, columns) for column in columns]
            return ProblemError(409, kind, "Conflict", detail, errors=errors, constraint=name)
    return ProblemError(409, kind, "Conflict", detail)


def _unique_error(column: str, columns: Sequence[str]) -> dict[str, str]:
    others = [f"`{other}`" for other in columns if other != column]
    together = f" together with {', '.join(others)}" if others else ""
    return {
        "pointer": json_pointer((column,)),
        "message": f"Must be unique{together}: another resource has the same value",
        "code": "unique_violation",
    }


# What a database says of the constraint an integrity error broke: PostgreSQL names it in
# the error's diagnostics, MySQL and MariaDB in the message, SQLite lists the columns.
_MYSQL_KEY = re.compile(r"for key '(?:[^']*\.)?([^'.]+)'")
_MYSQL_CONSTRAINT = re.compile(r"CONSTRAINT `([^`]+)`")
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)$")


def _constraint_name(orig: BaseException | None) -> str | None:
    name = getattr(getattr(orig, "diag", None), "constraint_name", None)
    if name:
        return str(name)
    text = " ".join(str(arg) for arg in getattr(orig, "args", ()))
    found = _MYSQL_KEY.search(text) or _MYSQL_CONSTRAINT.search(text)
    return found.group(1) if found else None


def _constraints() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every named constraint of the tables: name -> (table, columns), from the models."""
    if not _CONSTRAINTS:
        from sqlmodel import SQLModel

        from . import models  # noqa: F401  (the tables are defined when the models are imported)

        for table in SQLModel.metadata.tables.values():
            named: list[ColumnCollectionConstraint | Index] = [
                c for c in table.constraints if isinstance(c, ColumnCollectionConstraint)
            ]
            named += [index for index in table.indexes if index.unique]  # MySQL's prefix indexes
            for constraint in named:
                if constraint.name:
                    columns = tuple(column.name for column in constraint.columns)
                    _CONSTRAINTS[str(constraint.name)] = (table.name, columns)
    return _CONSTRAINTS


_CONSTRAINTS: dict[str, tuple[str, tuple[str, ...]]] = {}


def unique_constraint(orig: BaseException | None) -> tuple[str, tuple[str, ...]] | None:
    """(constraint name, its columns: the members of the resource) of a unique violation."""
    constraints = _constraints()
    name = _constraint_name(orig)
    if name in constraints:
        return name, constraints[name][1]
    found = _SQLITE_UNIQUE.search(str(orig))
    if found is None:
        return None
    pairs = [part.strip().partition(".") for part in found.group(1).split(",")]
    table, columns = pairs[0][0], {column for _, _, column in pairs}
    for candidate, (owner, members) in sorted(constraints.items()):
        if owner == table and set(members) == columns:
            return candidate, members
    return None


def referencing_constraint(orig: BaseException | None) -> tuple[str, str, tuple[str, ...]] | None:
    """(constraint name, referencing table, its columns) of a delete refused by a foreign key."""
    name = _constraint_name(orig)
    constraints = _constraints()
    if name in constraints:
        table, columns = constraints[name]
        return name, table, columns
    return None


def _integrity_kind(orig: BaseException | None) -> str:
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate == _PG_UNIQUE:
        return "unique_violation"
    if sqlstate == _PG_FOREIGN_KEY:
        return "foreign_key_violation"
    args = getattr(orig, "args", ())
    number = args[0] if args else None
    if number in _MYSQL_UNIQUE:
        return "unique_violation"
    if number in _MYSQL_STILL_REFERENCED:
        return "still_referenced"
    if number in _MYSQL_FOREIGN_KEY:
        return "foreign_key_violation"
    sqlite_name = getattr(orig, "sqlite_errorname", "")
    if sqlite_name in {"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"}:
        return "unique_violation"
    if sqlite_name == "SQLITE_CONSTRAINT_FOREIGNKEY":
        return "foreign_key_violation"
    return "conflict"


# SQLite's messages and MySQL's error numbers for a missing table or column: the schema is
# behind the code (PostgreSQL raises ProgrammingError for these, a 500 already).
_SQLITE_SCHEMA_ERRORS = ("no such table", "no such column", "has no column named")
_MYSQL_SCHEMA_ERRORS = {1054, 1146}  # unknown column, table doesn't exist


def schema_mismatch(exc: OperationalError) -> bool:
    """Whether an OperationalError means a schema the code does not fit, not an outage."""
    orig = exc.orig
    code = orig.args[0] if orig is not None and orig.args else None
    if isinstance(code, int):
        return code in _MYSQL_SCHEMA_ERRORS
    return any(text in str(orig) for text in _SQLITE_SCHEMA_ERRORS)


def problem_for(exc: Exception, method: str) -> ProblemError:
    """The problem that answers an exception raised while handling a request."""
    match exc:
        case ProblemError():
            return exc
        case RequestValidationError():
            return _validation_problem(exc)
        case HTTPException():
            code, title = status_code_and_title(exc.status_code)
            detail = {
                404: "No resource exists at this path.",
                405: f"The method {method} is not allowed on this resource.",
            }.get(exc.status_code, exc.detail)
            return ProblemError(exc.status_code, code, title, detail, exc.headers)
        case IntegrityError():
            return _integrity_problem(exc, method)
        case OperationalError() if schema_mismatch(exc):
            # Not an outage: the code expects a column or table the database lacks.
            logger.error("the database schema does not match the code (run migrate): %s", exc.orig)
        case OperationalError() | PoolTimeoutError():
            logger.warning("database unavailable: %s", type(exc).__name__)
            return ProblemError(
                503,
                "service_unavailable",
                "Service unavailable",
                "The database is unavailable; retry later.",
                headers={"Retry-After": "5"},
            )
    return ProblemError(
        500,
        "internal_error",
        "Internal server error",
        "An unexpected error occurred; it has been logged with the request id.",
    )


async def _handle(request: Request, exc: Exception) -> Response:
    if isinstance(exc, RequestValidationError) and _body_not_json(request, exc):
        error = ProblemError(
            415,
            "unsupported_media_type",
            "Unsupported media type",
            "Send the body as JSON (Content-Type: application/json).",
        )
        return problem_response(request, error)
    if isinstance(exc, HTTPException) and exc.status_code == 405:
        # Starlette's Allow names the methods of the first matching route only.
        exc = HTTPException(405, exc.detail, {**(exc.headers or {}), "Allow": _allowed(request)})
    return problem_response(request, problem_for(exc, request.method))


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed(request: Request) -> str:
    """The methods some route answers at the request's path (RFC 9110 `Allow`)."""
    methods = []
    for method in _METHODS:
        probe = {**request.scope, "method": method}
        if any(route.matches(probe)[0] == Match.FULL for route in request.app.router.routes):
            methods.append(method)
    return ", ".join(methods)


def _body_not_json(request: Request, exc: RequestValidationError) -> bool:
    """A body was expected and the request does not declare it as JSON."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        return False
    return any(tuple(error.get("loc", ()))[:1] == ("body",) for error in exc.errors())


def install_error_handlers(app: FastAPI) -> None:
    """Answer the errors raised while routing or handling a request with problems.

    Anything else propagates to the access middleware, which logs it and answers 500.
    """
    for exc_class in (
        ProblemError,
        HTTPException,
        RequestValidationError,
        IntegrityError,
        OperationalError,
        PoolTimeoutError,
    ):
        app.add_exception_handler(exc_class, _handle)
