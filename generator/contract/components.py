"""The shared components: parameters, headers, responses and security schemes."""

from __future__ import annotations

from typing import Any

from ..escape import markdown
from .common import (
    CURSOR_PATTERN,
    ERRORS,
    ETAG_PATTERN,
    IF_MATCH_PATTERN,
    INT32_MAX,
    MAX_CURSOR_LENGTH,
    PROBLEM,
    PROBLEM_JSON,
    RATE_LIMIT_HEADERS,
    TOKEN_PATTERN,
    VALIDATION_PROBLEM,
    ref,
    schema_ref,
)
from .errors import ErrorEmitter


class ComponentEmitter(ErrorEmitter):
    """`components`: what operations refer to by `$ref`."""

    def rate_limit_headers(self) -> dict[str, Any]:
        return {name: ref("headers", name.replace("-", "")) for name in RATE_LIMIT_HEADERS}

    def etag_schema(self) -> dict[str, Any]:
        return {"type": "string", "maxLength": 64, "pattern": ETAG_PATTERN, "examples": ['"1"']}

    def challenge_example(self) -> str:
        if self.auth.scheme == "api_key":
            return f'APIKey realm="{self.service.name}", header="X-API-Key"'
        return f'Bearer realm="{self.service.name}", error="invalid_token"'

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
                    "pattern": CURSOR_PATTERN,
                },
            },
            "IfMatch": {
                "name": "If-Match",
                "in": "header",
                "description": "The `ETag` of the version this change is based on; the "
                "change is refused with 412 when the resource has changed since.",
                "schema": {"type": "string", "maxLength": 256, "pattern": IF_MATCH_PATTERN},
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
                    "pattern": TOKEN_PATTERN,
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

    def shared_responses(self) -> dict[str, Any]:
        responses: dict[str, Any] = {}
        for status, (name, description, _) in ERRORS.items():
            schema = VALIDATION_PROBLEM if status == 422 else PROBLEM
            example = self.problem_example(status)
            headers: dict[str, Any] = {}
            if status == 401 or (status == 403 and self.auth.scheme == "jwt"):
                headers["WWW-Authenticate"] = ref("headers", "WWWAuthenticate")
            if status == 412:
                headers["ETag"] = {
                    "description": "The current `ETag` of the resource.",
                    "schema": self.etag_schema(),
                }
            if status == 429:
                headers["Retry-After"] = ref("headers", "RetryAfter")
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
            response["content"] = {PROBLEM_JSON: {"schema": schema_ref(schema), "example": example}}
            responses[name] = response
        return responses

    def security_schemes(self) -> dict[str, Any]:
        """The one scheme of `auth.scheme`; none for `scheme: none`."""
        if self.scheme_name is None:
            return {}
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
        if self.scheme_name is not None:
            components["securitySchemes"] = self.security_schemes()
        return components
