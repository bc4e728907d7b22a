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

from typing import Any

from ..domain.model import Domain
from .common import HEALTH_TAG, JSON_SCHEMA_DIALECT, MAX_LINK_IDS, OPENAPI_VERSION
from .cors import with_cors_headers
from .paths import PathEmitter


def emit_contract(domain: Domain) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `domain`; the same domain always gives an equal dict."""
    return _Emitter(domain).document()


class _Emitter(PathEmitter):
    """The whole document: info, tags, paths and the components they reach."""

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
                "Query parameters",
                True,
                "an operation refuses a query parameter it does not declare with a 422 "
                "(`extra_forbidden` at `/query/<name>`, naming the closest declared one), so a "
                "mistyped filter never returns unfiltered data.",
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
