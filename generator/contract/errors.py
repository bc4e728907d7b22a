"""The one error shape (RFC 9457) and its examples: `Problem`, `ValidationProblem`, `FieldError`."""

from __future__ import annotations

from typing import Any

from .common import (
    CODE_PATTERN,
    ERROR_TITLES,
    ERRORS,
    EXAMPLE_DETAILS,
    FIELD_ERROR,
    HEALTH,
    JSON_NUMBER_MAX,
    JSON_VALUE,
    MAX_JSON_DEPTH,
    MAX_JSON_ITEMS,
    MAX_JSON_STRING,
    MAX_VALIDATION_ERRORS,
    NUL_STRING,
    PROBLEM,
    REQUEST_ID_PATTERN,
    VALIDATION_PROBLEM,
    schema_ref,
)
from .schemas import SchemaEmitter


class ErrorEmitter(SchemaEmitter):
    """The error catalogue: one problem shape for every non-2xx response."""

    def problem_example(self, status: int) -> dict[str, Any]:
        """A problem document as the generated service writes it for `status`."""
        _, description, code = ERRORS[status]
        first = self.domain.entities[0] if self.domain.entities else None
        base = self.service.base_path
        instance = f"{base}/{first.segment}/{self.id_sample(first.name)}" if first else f"{base}/"
        detail = EXAMPLE_DETAILS.get(status) or description.split(":")[0].split(";")[0].rstrip(".") + "."
        example: dict[str, Any] = {
            "type": f"urn:problem-type:{self.service.name}:{code}",
            "title": ERROR_TITLES[status],
            "status": status,
            "detail": detail,
            "instance": instance,
            "code": code,
            "request_id": "6f1c2e0a9b3d4c5e8f7a1b2c3d4e5f60",
        }
        if status == 422:
            example["errors"] = [{"pointer": "/name", "message": "Field required", "code": "missing"}]
        return example

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
                        "pattern": CODE_PATTERN,
                    },
                    "request_id": {
                        "description": "Id of the request (the `X-Request-ID` response "
                        "header); quote it when reporting a problem.",
                        **text,
                        "maxLength": 128,
                        "pattern": REQUEST_ID_PATTERN,
                    },
                    "errors": {
                        "description": "The invalid values of a validation failure, or the members of "
                        "the unique constraint a `unique_violation` clashed on (one JSON Pointer each).",
                        "type": "array",
                        "maxItems": MAX_VALIDATION_ERRORS,
                        "items": schema_ref(FIELD_ERROR),
                    },
                    "constraint": {
                        "description": "The database constraint of a 409 `unique_violation` or "
                        "`still_referenced`, when the database names it.",
                        **text,
                        "maxLength": 128,
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
                        "pattern": CODE_PATTERN,
                    },
                },
                "examples": [{"pointer": "/name", "message": "Field required", "code": "missing"}],
            },
            VALIDATION_PROBLEM: {
                "description": "A problem document for invalid requests: one entry in `errors` per invalid value.",
                "allOf": [
                    schema_ref(PROBLEM),
                    {
                        "type": "object",
                        "required": ["errors"],
                        "properties": {
                            "errors": {
                                "description": "The invalid values.",
                                "type": "array",
                                "maxItems": MAX_VALIDATION_ERRORS,
                                "items": schema_ref(FIELD_ERROR),
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
                "items": schema_ref(JSON_VALUE),
                "maxProperties": MAX_JSON_ITEMS,
                "propertyNames": {"not": dict(NUL_STRING)},
                "additionalProperties": schema_ref(JSON_VALUE),
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
