"""Constants and helpers shared by the contract emitter's modules."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..domain.model import Field

OPENAPI_VERSION = "3.1.0"
JSON_SCHEMA_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
INT32_MAX = 2**31 - 1

# Bounds of values the domain cannot set (documented in the contract text).
MAX_LINK_IDS = 1000  # ids in one many-to-many list
MAX_CURSOR_LENGTH = 4096  # an opaque base64url cursor carries the last row's sort value
MAX_SEARCH_LENGTH = 255
MAX_JSON_ITEMS = 1000  # array items and object members of a `json` value, at every depth
# Arrays and objects nested in a `json` value: MariaDB refuses a 32nd level (its JSON_VALID
# check), so the service refuses it on every database (api/deps.py, JSON_MAX_DEPTH).
MAX_JSON_DEPTH = 31
MAX_JSON_STRING = 65535
JSON_NUMBER_MAX = 2**53 - 1  # I-JSON (RFC 7493): integers beyond it lose exactness in clients
MAX_VALIDATION_ERRORS = 1000
DATETIME_MAX_LENGTH = 64  # RFC 3339 with fractional seconds and offset fits easily
UUID_LENGTH = 36
METRICS_MAX_LENGTH = 16 * 1024 * 1024

# Names of the shared components. The domain validator reserves them as entity/enum names.
PROBLEM = "Problem"
VALIDATION_PROBLEM = "ValidationProblem"
FIELD_ERROR = "FieldError"
JSON_VALUE = "JsonValue"
HEALTH = "Health"
RESERVED_SCHEMA_NAMES = frozenset({PROBLEM, VALIDATION_PROBLEM, FIELD_ERROR, JSON_VALUE, HEALTH})

HEALTH_TAG = "Operations"
MERGE_PATCH = "application/merge-patch+json"
JSON = "application/json"
PROBLEM_JSON = "application/problem+json"

ETAG_PATTERN = r'^"[0-9]+"$'
IF_MATCH_PATTERN = r'^(\*|(W/)?"[\x21\x23-\x7E]*"(\s*,\s*(W/)?"[\x21\x23-\x7E]*")*)$'
TOKEN_PATTERN = r"^[\x21-\x7E]+$"
REQUEST_ID_PATTERN = r"^[A-Za-z0-9._:-]+$"
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"  # base64url without padding
CODE_PATTERN = r"^[a-z][a-z0-9_]*$"
URL_PATTERN = r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$"  # an absolute URI: scheme, then no spaces
SEARCH_PATTERN = r"^[^\x00-\x1F\x7F]+$"
# A string that contains U+0000; `not` it to refuse NUL (a string member as well as the string
# branch of a multi-type schema: `type` keeps `null` and the other types out of the match).
NUL_STRING: dict[str, Any] = {"type": "string", "pattern": r"\x00"}
SAMPLE_CURSOR = "eyJrIjpbIjIwMjQtMDEtMTVUMDk6MzA6MDBaIiwxXX0"

RATE_LIMIT_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")

# status -> (response component, description, problem `code` of the example)
ERRORS: dict[int, tuple[str, str, str]] = {
    400: (
        "BadRequest",
        "Malformed request: the body is not valid JSON, the cursor was not issued by this "
        "API, or a header is malformed.",
        "malformed_request",
    ),
    401: (
        "Unauthorized",
        "Missing or invalid credentials.",
        "unauthorized",
    ),
    403: (
        "Forbidden",
        "The credentials lack the scope this operation requires.",
        "forbidden",
    ),
    404: (
        "NotFound",
        "No resource with this id.",
        "not_found",
    ),
    409: (
        "Conflict",
        "The change conflicts with the stored data: a unique value already taken "
        "(`unique_violation`), a reference to a missing row (`foreign_key_violation`), a row "
        "still referenced elsewhere (`still_referenced`), or an `Idempotency-Key` reused with "
        "a different request (`idempotency_key_reused`).",
        "conflict",
    ),
    412: (
        "PreconditionFailed",
        "`If-Match` does not match the current `ETag`: the resource changed since it was read.",
        "precondition_failed",
    ),
    413: (
        "ContentTooLarge",
        "The request body exceeds the service's size limit (1 MiB unless the deployment configures another).",
        "payload_too_large",
    ),
    415: (
        "UnsupportedMediaType",
        "The request body's content type is not one this operation accepts.",
        "unsupported_media_type",
    ),
    422: (
        "UnprocessableContent",
        "The request is well-formed but invalid; `errors` points at each offending value.",
        "validation_failed",
    ),
    429: (
        "TooManyRequests",
        "Rate limit exceeded; retry after `Retry-After` seconds.",
        "rate_limited",
    ),
    500: (
        "InternalServerError",
        "Unexpected server error; the `request_id` identifies it in the service's logs.",
        "internal_error",
    ),
    503: (
        "ServiceUnavailable",
        "The service cannot reach its database; retry later.",
        "service_unavailable",
    ),
}
# Problem titles as the generated service writes them (examples only: titles are for people).
EXAMPLE_DETAILS = {
    404: "No resource with this id.",
    409: "A resource with the same unique values already exists.",
    412: 'The resource has changed: its current ETag is "2".',
    422: "The request does not match the API contract.",
    429: "Rate limit exceeded; retry in 30 seconds.",
}
ERROR_TITLES = {
    400: "Malformed request",
    401: "Authentication required",
    403: "Permission denied",
    404: "Resource not found",
    409: "Conflict",
    412: "Precondition failed",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}

# Readable key order of schema objects (JSON Schema keywords first, annotations last).
_SCHEMA_KEY_ORDER = (
    "$ref",
    "title",
    "description",
    "type",
    "format",
    "enum",
    "const",
    "minLength",
    "maxLength",
    "pattern",
    "not",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "items",
    "maxProperties",
    "required",
    "properties",
    "additionalProperties",
    "allOf",
    "anyOf",
    "default",
    "readOnly",
    "writeOnly",
    "examples",
)


def ordered(schema: dict[str, Any]) -> dict[str, Any]:
    rank = {key: index for index, key in enumerate(_SCHEMA_KEY_ORDER)}
    return dict(sorted(schema.items(), key=lambda item: rank.get(item[0], len(rank))))


def ref(kind: str, name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/{kind}/{name}"}


def schema_ref(name: str) -> dict[str, Any]:
    return ref("schemas", name)


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` that also accepts null, as a 3.1 type array (or anyOf around a `$ref`)."""
    if "$ref" in schema:
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return ordered({**rest, "anyOf": [{"$ref": schema["$ref"]}, {"type": "null"}]})
    return {**schema, "type": [schema["type"], "null"]}


def article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def code_span(text: str) -> str:
    return f"`{text}`"


def join(items: Iterable[str]) -> str:
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def decimal_pattern(field: Field) -> str:
    places = field.decimal_places or 0
    digits = field.max_digits or 18
    whole = max(digits - places, 0)
    sign = "" if field.minimum is not None and field.minimum >= 0 else "-?"
    integer = "0" if whole <= 1 else f"(0|[1-9][0-9]{{0,{whole - 1}}})"
    if whole == 1:
        integer = "[0-9]"
    fraction = f"(\\.[0-9]{{1,{places}}})?" if places else ""
    return f"^{sign}{integer}{fraction}$"


def decimal_max_length(field: Field) -> int:
    places = field.decimal_places or 0
    digits = field.max_digits or 18
    # sign + digits + decimal point (+ a leading zero when every digit is a fraction digit)
    return 1 + max(digits, places + 1) + (1 if places else 0)
