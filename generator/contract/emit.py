"""Domain model -> OpenAPI 3.1 document (a plain dict), with pure functions only.

The contract is the single source of truth for the generated service's wire format: the
service's API models are generated from it, so every bound written here is enforced there.
Decisions a reader of the contract should know (they are repeated in `info.description`):

- Decimals travel as JSON strings with a pattern derived from `max_digits`/`decimal_places`:
  a JSON number is read as a binary float by most clients and loses exactness.
- Every string has `maxLength`, every integer `minimum`/`maximum` (int64 unless the domain
  narrows it) and every array `maxItems` (OWASP API4, unrestricted resource consumption).
- A `json` field is the recursive `JsonValue` schema: any JSON value whose strings, arrays,
  objects and numbers are bounded at every depth (numbers to the exact-integer range of
  I-JSON, RFC 7493, which is also what a JavaScript client can represent exactly). Its
  nesting depth, which JSON Schema cannot bound, is stated in the description and enforced by
  the service.
- No string a client sends may contain U+0000 (PostgreSQL cannot store it in text, and the
  service answers alike on every database): free-text members, their filters and the strings
  and member names of `JsonValue` say so with `not: {type: string, pattern: '\\x00'}`. The
  `not` form, rather than a pattern such as `^[^\\x00]*$`, leaves a member's own `pattern` as
  it is and its length bounds out of the regex: tools that fold `maxLength` into a pattern's
  quantifier (schemathesis) turn `[^\\x00]*` into `[^\\x00]{0,65535}`, which a Rust regex
  engine compiles to about 100 MB.
- JWT auth is an `http` bearer scheme whose security requirements list the scope each
  operation needs (OpenAPI 3.1 allows role names for non-OAuth schemes); an OAuth2 scheme
  would need a token URL, and the generated service issues no tokens.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from ..escape import markdown
from ..model import Domain, Entity, Enum, Field, Filter, Relation
from ..samples import field_samples
from .cors import with_cors_headers

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

_ETAG_PATTERN = r'^"[0-9]+"$'
_IF_MATCH_PATTERN = r'^(\*|(W/)?"[\x21\x23-\x7E]*"(\s*,\s*(W/)?"[\x21\x23-\x7E]*")*)$'
_TOKEN_PATTERN = r"^[\x21-\x7E]+$"
_REQUEST_ID_PATTERN = r"^[A-Za-z0-9._:-]+$"
_CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"  # base64url without padding
_CODE_PATTERN = r"^[a-z][a-z0-9_]*$"
_URL_PATTERN = r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$"  # an absolute URI: scheme, then no spaces
_SEARCH_PATTERN = r"^[^\x00-\x1F\x7F]+$"
# A string that contains U+0000; `not` it to refuse NUL (a string member as well as the string
# branch of a multi-type schema: `type` keeps `null` and the other types out of the match).
NUL_STRING: dict[str, Any] = {"type": "string", "pattern": r"\x00"}
_SAMPLE_CURSOR = "eyJrIjpbIjIwMjQtMDEtMTVUMDk6MzA6MDBaIiwxXX0"

_RATE_LIMIT_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")

# status -> (response component, description, problem `code` of the example)
_ERRORS: dict[int, tuple[str, str, str]] = {
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
_EXAMPLE_DETAILS = {
    404: "No resource with this id.",
    409: "A resource with the same unique values already exists.",
    412: 'The resource has changed: its current ETag is "2".',
    422: "The request does not match the API contract.",
    429: "Rate limit exceeded; retry in 30 seconds.",
}
_ERROR_TITLES = {
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


def emit_contract(domain: Domain) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `domain`; the same domain always gives an equal dict."""
    return _Emitter(domain).document()


def _ordered(schema: dict[str, Any]) -> dict[str, Any]:
    rank = {key: index for index, key in enumerate(_SCHEMA_KEY_ORDER)}
    return dict(sorted(schema.items(), key=lambda item: rank.get(item[0], len(rank))))


def _ref(kind: str, name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _schema_ref(name: str) -> dict[str, Any]:
    return _ref("schemas", name)


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` that also accepts null, as a 3.1 type array (or anyOf around a `$ref`)."""
    if "$ref" in schema:
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return _ordered({**rest, "anyOf": [{"$ref": schema["$ref"]}, {"type": "null"}]})
    return {**schema, "type": [schema["type"], "null"]}


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def _code(text: str) -> str:
    return f"`{text}`"


def _join(items: Iterable[str]) -> str:
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _decimal_pattern(field: Field) -> str:
    places = field.decimal_places or 0
    digits = field.max_digits or 18
    whole = max(digits - places, 0)
    sign = "" if field.minimum is not None and field.minimum >= 0 else "-?"
    integer = "0" if whole <= 1 else f"(0|[1-9][0-9]{{0,{whole - 1}}})"
    if whole == 1:
        integer = "[0-9]"
    fraction = f"(\\.[0-9]{{1,{places}}})?" if places else ""
    return f"^{sign}{integer}{fraction}$"


def _decimal_max_length(field: Field) -> int:
    places = field.decimal_places or 0
    digits = field.max_digits or 18
    # sign + digits + decimal point (+ a leading zero when every digit is a fraction digit)
    return 1 + max(digits, places + 1) + (1 if places else 0)


class _Emitter:
    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self.service = domain.service
        self.auth = domain.auth
        self.enums = {enum.name: enum for enum in domain.enums}
        self.entities = {entity.name: entity for entity in domain.entities}
        self.scheme_name = {"jwt": "BearerAuth", "api_key": "ApiKeyAuth"}.get(self.auth.scheme)
        # Entities that a restrict relation points at: deleting one of them can be a 409.
        self.restricted = {
            relation.target
            for entity in domain.entities
            for relation in entity.relations
            if relation.on_delete == "restrict" and relation.kind != "many_to_many"
        }
        self._samples: dict[tuple[str, str], Any] = {}

    # ------------------------------------------------------------------ document

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "openapi": OPENAPI_VERSION,
            "jsonSchemaDialect": JSON_SCHEMA_DIALECT,
            "info": self.info(),
            # FastAPI's convention, which every stock tool follows: the server is the host's
            # root and each path is the full path (path-level `servers` are ignored by many).
            "servers": [
                {
                    "url": "/",
                    "description": "The deployment serving this document (local, staging or "
                    "production), relative to its host.",
                    "x-internal": False,
                }
            ],
            "tags": self.tags(),
            "paths": self.paths(),
            "components": self.components(),
        }
        return _prune(with_cors_headers(doc, "https://app.example.com"))

    def info(self) -> dict[str, Any]:
        service = self.service
        info: dict[str, Any] = {
            "title": service.title,
            "version": service.version,
            "description": self.description(),
        }
        contact = service.contact
        if contact is not None:
            info["contact"] = {
                key: value
                for key, value in (
                    ("name", contact.name),
                    ("url", contact.url),
                    ("email", contact.email),
                )
                if value
            }
        else:
            info["contact"] = {"name": f"{service.title} maintainers"}
        license_ = service.license
        if license_ is not None:
            info["license"] = {"name": license_.name}
            if license_.identifier:
                info["license"]["identifier"] = license_.identifier
            elif license_.url:
                info["license"]["url"] = license_.url
        else:
            info["license"] = {"name": "Proprietary", "identifier": "LicenseRef-Proprietary"}
        return info

    def description(self) -> str:
        """The service description, then the conventions that hold for every operation."""
        service = self.service
        entities = self.domain.entities
        intro = (service.description or f"The {service.title}.").strip()
        auth = {
            "jwt": "send a JWT as `Authorization: Bearer <token>`; each operation names the "
            "scope it needs in the token's space-separated `scope` claim.",
            "api_key": "send an API key in the `X-API-Key` header; each operation names the scope the key needs.",
            "none": "this API does not authenticate its callers.",
        }[self.auth.scheme]
        ops = {op for entity in entities for op in entity.operations}
        fields = [field for entity in entities for field in entity.fields]
        links = any(r.kind == "many_to_many" for e in entities for r in e.relations)
        lists = "list" in ops or any(entity.inverses for entity in entities)
        conventions = [
            ("Authentication", True, auth),
            (
                "Errors",
                True,
                "every error is an RFC 9457 `application/problem+json` document with a stable "
                "machine-readable `code` and the `request_id` of the request; validation errors "
                "add `errors` with a JSON Pointer per invalid value.",
            ),
            (
                "Request ids",
                True,
                "every response carries an `X-Request-ID` header (the caller's own when it "
                "sends a valid one, else a generated id); error documents repeat it as "
                "`request_id`.",
            ),
            (
                "Pagination",
                lists,
                "list endpoints return `{items, next_cursor}`; pass `next_cursor` as `cursor` "
                "to read the next page. `next_cursor` is null on the last page.",
            ),
            (
                "Concurrency",
                "update" in ops,
                "reads return an `ETag` (the resource `version`); send it as `If-Match` with a "
                "`PATCH` to get `412` instead of overwriting a newer change.",
            ),
            (
                "Idempotency",
                "create" in ops,
                "a `POST` with an `Idempotency-Key` header is performed once; a retry with the "
                "same key and body returns the first response.",
            ),
            (
                "Rate limits",
                True,
                "responses carry `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`; "
                "over the limit the answer is `429` with `Retry-After`.",
            ),
            (
                "Decimals",
                any(field.type == "decimal" for field in fields),
                'are JSON strings (for example `"12.50"`) so that no client reads them as binary floating point.',
            ),
            (
                "Bounds",
                True,
                "every string, integer and array is bounded; a request body over the service's "
                "size limit gets `413`. No string may contain U+0000 (NUL), which the schemas "
                "state as `not: {type: string, pattern: '\\x00'}`; such a request gets `422`."
                + (f" Lists of related ids hold at most {MAX_LINK_IDS} ids." if links else ""),
            ),
            (
                "Health",
                True,
                "`/healthz`, `/readyz` and `/metrics` are served at the root of the host, outside "
                "the base path, without authentication.",
            ),
        ]
        lines = [
            f"- **{name}**{' ' if text.startswith('are ') else ': '}{text}"
            for name, wanted, text in conventions
            if wanted
        ]
        return intro + "\n\n## Conventions\n\n" + "\n".join(lines) + "\n"

    def tags(self) -> list[dict[str, Any]]:
        tags = []
        for entity in self.domain.entities:
            text = (entity.description or "").strip()
            text = text or f"{entity.title} resources."
            tags.append({"name": entity.name, "description": text})
        tags.append(
            {
                "name": HEALTH_TAG,
                "description": "Liveness, readiness and Prometheus metrics for the platform; "
                "served at the root of the host, without authentication.",
            }
        )
        return tags

    # ------------------------------------------------------------------ paths

    def paths(self) -> dict[str, Any]:
        base = self.service.base_path
        paths: dict[str, Any] = {}
        for entity in self.domain.entities:
            collection: dict[str, Any] = {}
            if "list" in entity.operations:
                collection["get"] = self.list_operation(entity)
            if "create" in entity.operations:
                collection["post"] = self.create_operation(entity)
            if collection:
                paths[f"{base}/{entity.segment}"] = collection
            item: dict[str, Any] = {}
            if "read" in entity.operations:
                item["get"] = self.read_operation(entity)
            if "update" in entity.operations:
                item["patch"] = self.update_operation(entity)
            if "delete" in entity.operations:
                item["delete"] = self.delete_operation(entity)
            if item:
                paths[f"{base}/{entity.segment}/{{id}}"] = {
                    "parameters": [_ref("parameters", "Id")],
                    **item,
                }
            for inverse in entity.inverses:
                source = self.entities[inverse.source]
                paths[f"{base}/{entity.segment}/{{id}}/{inverse.segment}"] = {
                    "parameters": [_ref("parameters", "Id")],
                    "get": self.inverse_operation(entity, source, inverse.operation_id),
                }
        paths.update(self.health_paths())
        return paths

    def security(self, scope: str) -> list[dict[str, list[str]]]:
        """The requirement of an operation; empty (explicitly public) for `scheme: none`."""
        if self.scheme_name is None:
            return []
        return [{self.scheme_name: [scope]}]

    def operation(
        self,
        entity: Entity,
        *,
        operation_id: str,
        summary: str,
        description: str,
        scope: str,
        write: bool,
        parameters: list[dict[str, Any]],
        request_body: dict[str, Any] | None,
        responses: dict[str, Any],
        errors: Iterable[int],
    ) -> dict[str, Any]:
        notes = []
        if self.auth.scheme != "none":
            notes.append(f"Requires the scope `{scope}`.")
        budget = entity.rate_limit.write if write else entity.rate_limit.read
        if budget:
            kind = "writes" if write else "reads"
            notes.append(f"Rate limit: {budget} per client for {kind} of this resource.")
        text = " ".join([description, *notes])
        op: dict[str, Any] = {
            "operationId": operation_id,
            "summary": summary,
            "description": text,
            "tags": [entity.name],
        }
        op["security"] = self.security(scope)
        if parameters:
            op["parameters"] = parameters
        if request_body is not None:
            op["requestBody"] = request_body
        statuses = set(errors)
        if self.auth.scheme == "none":
            statuses -= {401, 403}
        for status in sorted(statuses):
            responses[str(status)] = _ref("responses", _ERRORS[status][0])
        op["responses"] = responses
        return op

    def list_parameters(self, entity: Entity) -> list[dict[str, Any]]:
        options = entity.listing
        params = [self.limit_parameter(entity), _ref("parameters", "Cursor")]
        keys = [key.key for key in options.sort]
        sort_values = [value for key in keys for value in (key, f"-{key}")]
        params.append(
            {
                "name": "sort",
                "in": "query",
                "description": "Sort key; a leading `-` sorts in descending order. Ties are "
                "broken by `id`, and null values sort last.",
                "schema": {"type": "string", "enum": sort_values, "default": options.default_sort},
            }
        )
        if options.search:
            fields = _join(_code(name) for name in options.search)
            params.append(
                {
                    "name": "q",
                    "in": "query",
                    "description": f"Case-insensitive substring search over {fields}.",
                    "schema": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": MAX_SEARCH_LENGTH,
                        "pattern": _SEARCH_PATTERN,
                    },
                }
            )
        params.extend(self.filter_parameter(entity, f) for f in options.filters)
        return params

    def limit_parameter(self, entity: Entity) -> dict[str, Any]:
        options = entity.listing
        return {
            "name": "limit",
            "in": "query",
            "description": f"Maximum number of items on the page (at most {options.max_page_size}).",
            "schema": {
                "type": "integer",
                "format": "int32",
                "minimum": 1,
                "maximum": options.max_page_size,
                "default": options.page_size,
            },
        }

    def filter_parameter(self, entity: Entity, flt: Filter) -> dict[str, Any]:
        fields = {f.name: f for f in entity.fields}
        field = fields.get(flt.column)
        schema = self.value_schema(field) if field is not None else self.id_schema()
        schema = {k: v for k, v in schema.items() if k not in ("description", "examples", "default")}
        noun = entity.plural.replace("_", " ")
        subject = _code(flt.column)
        description = {
            "eq": f"Only {noun} whose {subject} equals this value.",
            "gte": f"Only {noun} whose {subject} is at least this value.",
            "lte": f"Only {noun} whose {subject} is at most this value.",
        }[flt.op]
        return {"name": flt.param, "in": "query", "description": description, "schema": schema}

    def list_operation(self, entity: Entity) -> dict[str, Any]:
        noun = entity.plural.replace("_", " ")
        options = entity.listing
        description = (
            f"Returns {noun} one page at a time in `sort` order (default "
            f"`{options.default_sort}`). Pass `next_cursor` as `cursor` for the next page. "
            "Filters combine with AND."
        )
        return self.operation(
            entity,
            operation_id=entity.operation_ids["list"],
            summary=f"List {noun}",
            description=description,
            scope=entity.read_scope,
            write=False,
            parameters=self.list_parameters(entity),
            request_body=None,
            responses={"200": self.page_response(entity, f"A page of {noun}.")},
            errors=(400, 401, 403, 422, 429, 500, 503),
        )

    def page_response(self, entity: Entity, description: str) -> dict[str, Any]:
        return {
            "description": description,
            "headers": self.rate_limit_headers(),
            "content": {JSON: {"schema": _schema_ref(entity.page_schema)}},
        }

    def inverse_operation(self, target: Entity, source: Entity, operation_id: str) -> dict[str, Any]:
        noun = source.plural.replace("_", " ")
        one = target.title.lower()
        description = (
            f"Returns the {noun} that refer to the {one} with this id, one page at a time in "
            f"the default order of {noun} (`{source.listing.default_sort}`)."
        )
        return self.operation(
            source,
            operation_id=operation_id,
            summary=f"List the {noun} of {_article(one)} {one}",
            description=description,
            scope=source.read_scope,
            write=False,
            parameters=[self.limit_parameter(source), _ref("parameters", "Cursor")],
            request_body=None,
            responses={"200": self.page_response(source, f"A page of {noun}.")},
            errors=(400, 401, 403, 404, 422, 429, 500, 503),
        )

    def create_operation(self, entity: Entity) -> dict[str, Any]:
        one = entity.title.lower()
        links = {}
        for operation in ("read", "update", "delete"):
            if operation in entity.operations:
                op_id = entity.operation_ids[operation]
                links[op_id] = {
                    "operationId": op_id,
                    "parameters": {"id": "$response.body#/id"},
                    "description": f"The `id` of the created {one} identifies it in `{op_id}`.",
                }
        response: dict[str, Any] = {
            "description": f"The {one} was created.",
            "headers": {
                "Location": _ref("headers", "Location"),
                "ETag": _ref("headers", "ETag"),
                "Idempotent-Replayed": _ref("headers", "IdempotentReplayed"),
                **self.rate_limit_headers(),
            },
            "content": {JSON: {"schema": _schema_ref(entity.name)}},
        }
        if links:
            response["links"] = links
        return self.operation(
            entity,
            operation_id=entity.operation_ids["create"],
            summary=f"Create {_article(one)} {one}",
            description=f"Creates {_article(one)} {one}. A retry with the same "
            "`Idempotency-Key` and body returns the first response instead of creating "
            "another one.",
            scope=entity.write_scope,
            write=True,
            parameters=[_ref("parameters", "IdempotencyKey")],
            request_body={
                "required": True,
                "content": {JSON: {"schema": _schema_ref(entity.create_schema)}},
            },
            responses={"201": response},
            errors=(400, 401, 403, 409, 413, 415, 422, 429, 500, 503),
        )

    def read_operation(self, entity: Entity) -> dict[str, Any]:
        one = entity.title.lower()
        return self.operation(
            entity,
            operation_id=entity.operation_ids["read"],
            summary=f"Get {_article(one)} {one}",
            description=f"Returns the {one} with this id; its `ETag` is the current version.",
            scope=entity.read_scope,
            write=False,
            parameters=[],
            request_body=None,
            responses={"200": self.item_response(entity, f"The {one}.")},
            errors=(400, 401, 403, 404, 422, 429, 500, 503),
        )

    def item_response(self, entity: Entity, description: str) -> dict[str, Any]:
        return {
            "description": description,
            "headers": {"ETag": _ref("headers", "ETag"), **self.rate_limit_headers()},
            "content": {JSON: {"schema": _schema_ref(entity.name)}},
        }

    def update_operation(self, entity: Entity) -> dict[str, Any]:
        one = entity.title.lower()
        body = {"schema": _schema_ref(entity.update_schema)}
        return self.operation(
            entity,
            operation_id=entity.operation_ids["update"],
            summary=f"Update {_article(one)} {one}",
            description=f"Changes the {one} as a JSON merge patch (RFC 7396): members "
            "present in the body are set (null clears a nullable value), absent members stay "
            "unchanged, and a list of ids replaces the whole list. With `If-Match` the change "
            "is applied only to that version.",
            scope=entity.write_scope,
            write=True,
            parameters=[_ref("parameters", "IfMatch")],
            request_body={"required": True, "content": {MERGE_PATCH: body, JSON: dict(body)}},
            responses={"200": self.item_response(entity, f"The updated {one}.")},
            errors=(400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 500, 503),
        )

    def delete_operation(self, entity: Entity) -> dict[str, Any]:
        one = entity.title.lower()
        errors = [400, 401, 403, 404, 422, 429, 500, 503]
        description = f"Deletes the {one} with this id."
        if entity.name in self.restricted:
            errors.append(409)
            description += (
                f" {_article(one).capitalize()} {one} that other resources still refer to is not deleted (409)."
            )
        return self.operation(
            entity,
            operation_id=entity.operation_ids["delete"],
            summary=f"Delete {_article(one)} {one}",
            description=description,
            scope=entity.write_scope,
            write=True,
            parameters=[],
            request_body=None,
            responses={
                "204": {
                    "description": f"The {one} was deleted.",
                    "headers": self.rate_limit_headers(),
                }
            },
            errors=errors,
        )

    def rate_limit_headers(self) -> dict[str, Any]:
        return {name: _ref("headers", name.replace("-", "")) for name in _RATE_LIMIT_HEADERS}

    def health_paths(self) -> dict[str, Any]:
        health_json = {JSON: {"schema": _schema_ref(HEALTH)}}
        internal = _ref("responses", _ERRORS[500][0])
        return {
            "/healthz": {
                "get": {
                    "operationId": "get_liveness",
                    "summary": "Liveness probe",
                    "description": "Answers 200 while the process serves requests; it checks no dependency.",
                    "tags": [HEALTH_TAG],
                    "security": [],
                    "responses": {
                        "200": {"description": "The process is alive.", "content": health_json},
                        "500": internal,
                    },
                },
            },
            "/readyz": {
                "get": {
                    "operationId": "get_readiness",
                    "summary": "Readiness probe",
                    "description": "Answers 200 when the database is reachable, else 503.",
                    "tags": [HEALTH_TAG],
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "Ready to serve traffic.",
                            "content": health_json,
                        },
                        "500": internal,
                        "503": _ref("responses", _ERRORS[503][0]),
                    },
                },
            },
            "/metrics": {
                "get": {
                    "operationId": "get_metrics",
                    "summary": "Prometheus metrics",
                    "description": "Request counts and latencies, in-flight requests, database "
                    "pool figures and build information in the Prometheus text format.",
                    "tags": [HEALTH_TAG],
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "Metrics in the Prometheus text exposition format.",
                            "content": {
                                "text/plain": {
                                    "schema": {
                                        "type": "string",
                                        "maxLength": METRICS_MAX_LENGTH,
                                        "examples": [
                                            "# TYPE http_requests_total counter\n"
                                            'http_requests_total{method="GET",status="200"} 1\n'
                                        ],
                                    }
                                }
                            },
                        },
                        "500": internal,
                    },
                },
            },
        }

    # ------------------------------------------------------------------ components

    def components(self) -> dict[str, Any]:
        schemas: dict[str, Any] = {}
        for entity in self.domain.entities:
            schemas[entity.name] = self.read_schema(entity)
            schemas[entity.create_schema] = self.create_schema(entity)
            schemas[entity.update_schema] = self.update_schema(entity)
            schemas[entity.page_schema] = self.page_schema(entity)
        for enum in self.domain.enums:
            schemas[enum.name] = self.enum_schema(enum)
        schemas.update(self.shared_schemas())
        components: dict[str, Any] = {
            "schemas": schemas,
            "parameters": self.shared_parameters(),
            "headers": self.shared_headers(),
            "responses": self.shared_responses(),
        }
        if self.auth.scheme != "none":
            components["securitySchemes"] = self.security_schemes()
        return components

    def security_schemes(self) -> dict[str, Any]:
        # The descriptions are text in a Markdown table, not markup (the domain file is untrusted).
        scopes = "\n".join(f"| `{name}` | {markdown(text)} |" for name, text in sorted(self.auth.scopes.items()))
        table = "\n\n| Scope | Grants |\n| --- | --- |\n" + scopes if scopes else ""
        if self.auth.scheme == "jwt":
            return {
                "BearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A signed JWT (JWS) in `Authorization: Bearer <token>`, "
                    "validated as RFC8725 (JSON Web Token Best Current Practices) requires: the "
                    "algorithm is fixed by the server (`alg: none` is rejected), `exp` is "
                    "required, and `iss`/`aud` are checked when configured. The token's "
                    "space-separated `scope` claim grants the scopes each operation lists in "
                    "its security requirement." + table,
                }
            }
        return {
            "ApiKeyAuth": {
                "type": "apiKey",
                "in": "header",
                "name": "X-API-Key",
                "description": "An API key in the `X-API-Key` header. Each key is configured "
                "with the scopes it grants; each operation lists the scope it needs in its "
                "security requirement." + table,
            }
        }

    def id_schema(self) -> dict[str, Any]:
        if self.service.id_type == "integer":
            return {"type": "integer", "format": "int64", "minimum": 1, "maximum": INT64_MAX}
        return {"type": "string", "format": "uuid", "maxLength": UUID_LENGTH}

    def id_sample(self, entity_name: str) -> Any:
        if self.service.id_type == "integer":
            return 1
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"scaffold:{entity_name}"))

    def value_schema(self, field: Field) -> dict[str, Any]:
        """The schema of a field's non-null values, with its constraints."""
        kind = field.type
        schema: dict[str, Any]
        if kind == "enum":
            return _schema_ref(field.enum or "")
        if kind == "json":
            return _schema_ref(JSON_VALUE)
        if kind in ("string", "text", "email", "url"):
            schema = {"type": "string"}
            if kind == "email":
                schema["format"] = "email"
            elif kind == "url":
                schema["format"] = "uri"
            if field.min_length:
                schema["minLength"] = field.min_length
            schema["maxLength"] = field.max_length
            if field.pattern:
                schema["pattern"] = field.pattern
            elif kind == "url":
                schema["pattern"] = _URL_PATTERN
            schema["not"] = dict(NUL_STRING)
        elif kind == "integer":
            schema = {
                "type": "integer",
                "format": "int64",
                "minimum": int(field.minimum) if field.minimum is not None else INT64_MIN,
                "maximum": int(field.maximum) if field.maximum is not None else INT64_MAX,
            }
        elif kind == "number":
            schema = {"type": "number", "format": "double"}
            if field.minimum is not None:
                schema["minimum"] = field.minimum
            if field.maximum is not None:
                schema["maximum"] = field.maximum
        elif kind == "decimal":
            schema = {
                "type": "string",
                "format": "decimal",
                "maxLength": _decimal_max_length(field),
                "pattern": _decimal_pattern(field),
            }
        elif kind == "boolean":
            schema = {"type": "boolean"}
        elif kind == "date":
            schema = {"type": "string", "format": "date", "maxLength": 10}
        elif kind == "datetime":
            schema = {"type": "string", "format": "date-time", "maxLength": DATETIME_MAX_LENGTH}
        else:  # uuid
            schema = {"type": "string", "format": "uuid", "maxLength": UUID_LENGTH}
        return schema

    def field_description(self, field: Field, *, for_update: bool = False) -> str | None:
        parts = []
        if field.description:
            parts.append(field.description.strip())
        if field.type == "decimal":
            digits = field.max_digits or 18
            places = field.decimal_places or 0
            bounds = []
            if field.minimum is not None:
                bounds.append(f"at least {field.minimum}")
            if field.maximum is not None:
                bounds.append(f"at most {field.maximum}")
            text = f"Decimal number as a string: up to {digits} digits, {places} after the decimal point"
            parts.append(text + (f", {_join(bounds)}." if bounds else "."))
        if field.type == "json":
            parts.append("Any JSON value (see `JsonValue` for its bounds).")
        if field.unique:
            parts.append("Unique.")
        if field.immutable and not for_update:
            parts.append("Set on creation; cannot be changed afterwards.")
        if field.read_only:
            parts.append("Set by the server.")
        if field.write_only:
            parts.append("Accepted in requests, never returned.")
        return " ".join(parts) or None

    def sample(self, entity: Entity, field: Field) -> Any:
        key = (entity.name, field.name)
        if key not in self._samples:
            values = self.enums[field.enum].values if field.enum else None
            if field.has_default and field.default is not None:
                self._samples[key] = self.wire_default(field)
            else:
                found = field_samples(field, values, f"{entity.name}.{field.name}")
                self._samples[key] = found[0] if found else None
        return self._samples[key]

    def wire_default(self, field: Field) -> Any:
        if field.type == "decimal" and field.default is not None:
            return str(field.default)
        return field.default

    def field_property(self, entity: Entity, field: Field, mode: str) -> dict[str, Any]:
        schema = self.value_schema(field)
        if field.nullable:
            schema = _nullable(schema)
        elif field.type == "json":
            # JsonValue admits null; a member that is not nullable does not (the service
            # answers `not_nullable`, and null in a merge patch would remove it).
            schema = {**schema, "not": {"type": "null"}}
        description = self.field_description(field, for_update=mode == "update")
        if description:
            schema["description"] = description
        if mode == "create" and field.has_default:
            schema["default"] = self.wire_default(field)
        if mode == "read" and field.read_only:
            schema["readOnly"] = True
        if mode != "read" and field.write_only:
            schema["writeOnly"] = True
        return _ordered(schema)

    def relation_property(self, relation: Relation) -> tuple[str, dict[str, Any]]:
        target = self.entities.get(relation.target)
        target_title = target.title.lower() if target else relation.target
        extra = f" {relation.description.strip()}" if relation.description else ""
        if relation.kind == "many_to_many":
            plural = target.plural.replace("_", " ") if target else relation.target
            schema: dict[str, Any] = {
                "type": "array",
                "description": f"Ids of the related {plural} (at most {MAX_LINK_IDS}; duplicates are ignored).{extra}",
                "maxItems": MAX_LINK_IDS,
                "items": self.id_schema(),
            }
            return relation.ids_name or "", _ordered(schema)
        schema = self.id_schema()
        if relation.nullable:
            schema = _nullable(schema)
        schema["description"] = f"Id of the related {target_title}.{extra}"
        return relation.fk_name or "", _ordered(schema)

    def relation_sample(self, relation: Relation) -> Any:
        sample = self.id_sample(relation.target)
        return [sample] if relation.kind == "many_to_many" else sample

    def read_schema(self, entity: Entity) -> dict[str, Any]:
        properties: dict[str, Any] = {
            "id": _ordered({**self.id_schema(), "description": f"Id of the {entity.title.lower()}.", "readOnly": True})
        }
        example: dict[str, Any] = {"id": self.id_sample(entity.name)}
        for field in entity.fields:
            if field.write_only:
                continue
            properties[field.name] = self.field_property(entity, field, "read")
            example[field.name] = self.sample(entity, field)
        for relation in entity.relations:
            name, schema = self.relation_property(relation)
            properties[name] = schema
            example[name] = self.relation_sample(relation)
        properties["version"] = {
            "description": "Version of the stored state: 1 on creation, incremented by every "
            "change. The `ETag` of the resource.",
            "type": "integer",
            "format": "int32",
            "minimum": 1,
            "maximum": INT32_MAX,
            "readOnly": True,
        }
        properties["created_at"] = {
            "description": "When the resource was created (UTC).",
            "type": "string",
            "format": "date-time",
            "maxLength": DATETIME_MAX_LENGTH,
            "readOnly": True,
        }
        properties["updated_at"] = {
            "description": "When the resource last changed (UTC).",
            "type": "string",
            "format": "date-time",
            "maxLength": DATETIME_MAX_LENGTH,
            "readOnly": True,
        }
        example.update(version=1, created_at="2024-01-15T09:30:00Z", updated_at="2024-01-15T09:30:00Z")
        one = entity.title.lower()
        description = (entity.description or "").strip() or f"{_article(one).capitalize()} {one}."
        return {
            "description": description,
            "type": "object",
            "required": list(properties),
            "properties": properties,
            "examples": [example],
        }

    def write_schema(self, entity: Entity, mode: str) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        example: dict[str, Any] = {}
        for field in entity.fields:
            if field.read_only or (mode == "update" and field.immutable):
                continue
            properties[field.name] = self.field_property(entity, field, mode)
            if mode == "create":
                if field.required:
                    required.append(field.name)
                if field.required or not field.has_default:
                    example[field.name] = self.sample(entity, field)
            elif not example:
                example[field.name] = self.sample(entity, field)
        for relation in entity.relations:
            name, schema = self.relation_property(relation)
            properties[name] = schema
            if mode == "create":
                if relation.required and relation.kind != "many_to_many":
                    required.append(name)
                example[name] = self.relation_sample(relation)
        one = entity.title.lower()
        if mode == "create":
            description = f"A new {one}. The server sets `id`, `version` and the timestamps."
        else:
            description = (
                f"Changes to {_article(one)} {one}, as a JSON merge patch: every member is "
                "optional, and null clears a nullable value."
            )
        schema = {"description": description, "type": "object"}
        if required:
            schema["required"] = required
        schema["properties"] = properties
        schema["additionalProperties"] = False
        schema["examples"] = [example]
        return schema

    def create_schema(self, entity: Entity) -> dict[str, Any]:
        return self.write_schema(entity, "create")

    def update_schema(self, entity: Entity) -> dict[str, Any]:
        return self.write_schema(entity, "update")

    def page_schema(self, entity: Entity) -> dict[str, Any]:
        read = self.read_schema(entity)
        noun = entity.plural.replace("_", " ")
        return {
            "description": f"One page of {noun}.",
            "type": "object",
            "required": ["items", "next_cursor"],
            "properties": {
                "items": {
                    "description": f"The {noun} on this page, in the requested order.",
                    "type": "array",
                    "maxItems": entity.listing.max_page_size,
                    "items": _schema_ref(entity.name),
                },
                "next_cursor": {
                    "description": "Pass as `cursor` to get the next page; null on the last page.",
                    "type": ["string", "null"],
                    "maxLength": MAX_CURSOR_LENGTH,
                    "pattern": _CURSOR_PATTERN,
                },
            },
            "examples": [{"items": read["examples"], "next_cursor": _SAMPLE_CURSOR}],
        }

    def enum_schema(self, enum: Enum) -> dict[str, Any]:
        schema: dict[str, Any] = {}
        if enum.description:
            schema["description"] = enum.description.strip()
        schema.update({"type": "string", "enum": list(enum.values), "examples": [enum.values[0]]})
        return schema

    def shared_schemas(self) -> dict[str, Any]:
        problem_example = self.problem_example(404)
        text = {"type": "string"}
        return {
            PROBLEM: {
                "description": "An RFC 9457 problem details document, with a stable "
                "machine-readable `code` and the id of the request.",
                "type": "object",
                "required": ["type", "title", "status", "detail", "instance", "code", "request_id"],
                "properties": {
                    "type": {
                        "description": "A URI identifying the problem type: "
                        f"`urn:problem-type:{self.service.name}:<code>`.",
                        **text,
                        "format": "uri-reference",
                        "maxLength": 2048,
                    },
                    "title": {
                        "description": "A short human-readable summary of the problem type.",
                        **text,
                        "maxLength": 255,
                    },
                    "status": {
                        "description": "The HTTP status code.",
                        "type": "integer",
                        "format": "int32",
                        "minimum": 100,
                        "maximum": 599,
                    },
                    "detail": {
                        "description": "A human-readable explanation of this occurrence.",
                        **text,
                        "maxLength": 4096,
                    },
                    "instance": {
                        "description": "A URI reference identifying this occurrence: the request path.",
                        **text,
                        "format": "uri-reference",
                        "maxLength": 2048,
                    },
                    "code": {
                        "description": "Stable machine-readable problem code, for example "
                        "`not_found`, `validation_failed`, `unique_violation`, "
                        "`precondition_failed` or `rate_limited`.",
                        **text,
                        "maxLength": 64,
                        "pattern": _CODE_PATTERN,
                    },
                    "request_id": {
                        "description": "Id of the request (the `X-Request-ID` response "
                        "header); quote it when reporting a problem.",
                        **text,
                        "maxLength": 128,
                        "pattern": _REQUEST_ID_PATTERN,
                    },
                },
                "examples": [problem_example],
            },
            FIELD_ERROR: {
                "description": "One invalid value in a request.",
                "type": "object",
                "required": ["pointer", "message", "code"],
                "properties": {
                    "pointer": {
                        "description": "JSON Pointer (RFC 6901) to the invalid value in the "
                        "request body; query parameters and headers are addressed as "
                        "`/query/<name>` and `/header/<name>`.",
                        **text,
                        "format": "json-pointer",
                        "maxLength": 2048,
                    },
                    "message": {
                        "description": "What is wrong with the value.",
                        **text,
                        "maxLength": 1024,
                    },
                    "code": {
                        "description": "Stable machine-readable error code, for example "
                        "`missing`, `too_long` or `invalid_format`.",
                        **text,
                        "maxLength": 64,
                        "pattern": _CODE_PATTERN,
                    },
                },
                "examples": [{"pointer": "/name", "message": "Field required", "code": "missing"}],
            },
            VALIDATION_PROBLEM: {
                "description": "A problem document for invalid requests: one entry in `errors` per invalid value.",
                "allOf": [
                    _schema_ref(PROBLEM),
                    {
                        "type": "object",
                        "required": ["errors"],
                        "properties": {
                            "errors": {
                                "description": "The invalid values.",
                                "type": "array",
                                "maxItems": MAX_VALIDATION_ERRORS,
                                "items": _schema_ref(FIELD_ERROR),
                            }
                        },
                    },
                ],
                "examples": [self.problem_example(422)],
            },
            JSON_VALUE: {
                "description": "Any JSON value, bounded at every depth: strings up to "
                f"{MAX_JSON_STRING} characters (neither they nor member names may contain U+0000), "
                f"arrays and objects up to {MAX_JSON_ITEMS} members and nested at most "
                f"{MAX_JSON_DEPTH} deep, numbers within ±{JSON_NUMBER_MAX} (the range in which "
                "I-JSON, RFC 7493, keeps integers exact). The request body size limit bounds the "
                "whole value.",
                "type": ["object", "array", "string", "integer", "number", "boolean", "null"],
                "format": "double",
                "maxLength": MAX_JSON_STRING,
                "not": dict(NUL_STRING),
                "minimum": -JSON_NUMBER_MAX,
                "maximum": JSON_NUMBER_MAX,
                "maxItems": MAX_JSON_ITEMS,
                "items": _schema_ref(JSON_VALUE),
                "maxProperties": MAX_JSON_ITEMS,
                "propertyNames": {"not": dict(NUL_STRING)},
                "additionalProperties": _schema_ref(JSON_VALUE),
                "examples": [{"key": "value", "items": [1, 2.5, True, None]}],
            },
            HEALTH: {
                "description": "Result of a health probe.",
                "type": "object",
                "required": ["status"],
                "properties": {
                    "status": {
                        "description": "`ok` when the probe passed.",
                        "type": "string",
                        "const": "ok",
                    }
                },
                "examples": [{"status": "ok"}],
            },
        }

    def shared_parameters(self) -> dict[str, Any]:
        return {
            "Id": {
                "name": "id",
                "in": "path",
                "required": True,
                "description": "Id of the resource.",
                "schema": self.id_schema(),
            },
            "Cursor": {
                "name": "cursor",
                "in": "query",
                "description": "The `next_cursor` of the previous page; omit it for the first "
                "page. Cursors are opaque and only valid with the same `sort` and filters.",
                "schema": {
                    "type": "string",
                    "maxLength": MAX_CURSOR_LENGTH,
                    "pattern": _CURSOR_PATTERN,
                },
            },
            "IfMatch": {
                "name": "If-Match",
                "in": "header",
                "description": "The `ETag` of the version this change is based on; the "
                "change is refused with 412 when the resource has changed since.",
                "schema": {"type": "string", "maxLength": 256, "pattern": _IF_MATCH_PATTERN},
                "example": '"1"',
            },
            "IdempotencyKey": {
                "name": "Idempotency-Key",
                "in": "header",
                "description": "A client-chosen unique key (for example a UUID). A retry with "
                "the same key and body returns the first response; the same key with another "
                "body is a 409 (`idempotency_key_reused`).",
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 255,
                    "pattern": _TOKEN_PATTERN,
                },
                "example": "2f1d6c1e-8f4b-4a52-9a55-2b0b7c6f3d11",
            },
        }

    def shared_headers(self) -> dict[str, Any]:
        seconds = {"type": "integer", "format": "int32", "minimum": 0, "maximum": 86400}
        count = {"type": "integer", "format": "int32", "minimum": 0, "maximum": INT32_MAX}
        base = self.service.base_path
        return {
            "RateLimitLimit": {
                "description": "Requests allowed in the current window.",
                "schema": {**count, "examples": [100]},
            },
            "RateLimitRemaining": {
                "description": "Requests left in the current window.",
                "schema": {**count, "examples": [99]},
            },
            "RateLimitReset": {
                "description": "Seconds until the current window resets.",
                "schema": {**seconds, "examples": [60]},
            },
            "RetryAfter": {
                "description": "Seconds to wait before retrying.",
                "required": True,
                "schema": {**seconds, "examples": [30]},
            },
            "Location": {
                "description": "URL of the created resource.",
                "required": True,
                "schema": {
                    "type": "string",
                    "format": "uri-reference",
                    "maxLength": 2048,
                    "examples": [f"{base}/resources/1"],
                },
            },
            "ETag": {
                "description": "The resource version as a strong entity tag; send it as "
                "`If-Match` to update this version only.",
                "required": True,
                "schema": self.etag_schema(),
            },
            "IdempotentReplayed": {
                "description": "`true` when this is the stored response of an earlier request "
                "with the same `Idempotency-Key`; absent otherwise.",
                "schema": {"type": "string", "const": "true"},
            },
            "WWWAuthenticate": {
                "description": "The authentication scheme the request needs.",
                "schema": {
                    "type": "string",
                    "maxLength": 1024,
                    "pattern": r"^[\x20-\x7E]+$",
                    "examples": [self.challenge_example()],
                },
            },
        }

    def problem_example(self, status: int) -> dict[str, Any]:
        """A problem document as the generated service writes it for `status`."""
        _, description, code = _ERRORS[status]
        first = self.domain.entities[0] if self.domain.entities else None
        base = self.service.base_path
        instance = f"{base}/{first.segment}/{self.id_sample(first.name)}" if first else f"{base}/"
        detail = _EXAMPLE_DETAILS.get(status) or description.split(":")[0].split(";")[0].rstrip(".") + "."
        example: dict[str, Any] = {
            "type": f"urn:problem-type:{self.service.name}:{code}",
            "title": _ERROR_TITLES[status],
            "status": status,
            "detail": detail,
            "instance": instance,
            "code": code,
            "request_id": "6f1c2e0a9b3d4c5e8f7a1b2c3d4e5f60",
        }
        if status == 422:
            example["errors"] = [{"pointer": "/name", "message": "Field required", "code": "missing"}]
        return example

    def challenge_example(self) -> str:
        if self.auth.scheme == "api_key":
            return f'APIKey realm="{self.service.name}", header="X-API-Key"'
        return f'Bearer realm="{self.service.name}", error="invalid_token"'

    def etag_schema(self) -> dict[str, Any]:
        return {"type": "string", "maxLength": 64, "pattern": _ETAG_PATTERN, "examples": ['"1"']}

    def shared_responses(self) -> dict[str, Any]:
        responses: dict[str, Any] = {}
        for status, (name, description, _) in _ERRORS.items():
            schema = VALIDATION_PROBLEM if status == 422 else PROBLEM
            example = self.problem_example(status)
            headers: dict[str, Any] = {}
            if status == 401 or (status == 403 and self.auth.scheme == "jwt"):
                headers["WWW-Authenticate"] = _ref("headers", "WWWAuthenticate")
            if status == 412:
                headers["ETag"] = {
                    "description": "The current `ETag` of the resource.",
                    "schema": self.etag_schema(),
                }
            if status == 429:
                headers["Retry-After"] = _ref("headers", "RetryAfter")
            if status == 503:
                headers["Retry-After"] = {
                    "description": "Seconds to wait before retrying, when known.",
                    "schema": {
                        "type": "integer",
                        "format": "int32",
                        "minimum": 0,
                        "maximum": 86400,
                    },
                }
            if status < 500:
                headers.update(self.rate_limit_headers())
            response: dict[str, Any] = {"description": description}
            if headers:
                response["headers"] = headers
            response["content"] = {PROBLEM_JSON: {"schema": _schema_ref(schema), "example": example}}
            responses[name] = response
        return responses


def _references(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.add(ref)
        for value in node.values():
            _references(value, found)
    elif isinstance(node, list):
        for value in node:
            _references(value, found)


def _prune(doc: dict[str, Any]) -> dict[str, Any]:
    """Drop components that nothing reachable from the paths refers to."""
    components = doc["components"]
    reachable: set[str] = set()
    pending: set[str] = set()
    _references(doc["paths"], pending)
    while pending:
        ref = pending.pop()
        if ref in reachable:
            continue
        reachable.add(ref)
        _, _, kind, name = ref.split("/", 3)
        target = components.get(kind, {}).get(name)
        if target is not None:
            found: set[str] = set()
            _references(target, found)
            pending |= found - reachable
    for kind in ("schemas", "parameters", "headers", "responses"):
        section = components.get(kind, {})
        for name in list(section):
            if f"#/components/{kind}/{name}" not in reachable:
                del section[name]
    return doc
