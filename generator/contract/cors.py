"""CORS in the contract: the header every response may carry, and where it is declared.

The service answers cross-origin requests only for the origins its settings allow
(`CORS_ALLOWED_ORIGINS`, none by default); for those, every response, errors included,
carries `Access-Control-Allow-Origin`. The contract says so on every response, which is
also what OWASP's `define-cors-origin` rule asks of an API description.
"""

from __future__ import annotations

from typing import Any

HEADER = "Access-Control-Allow-Origin"
# Named as the header itself (component names may hold `-`): OWASP's rule reads every
# `headers` map, the components' one included.
COMPONENT = HEADER
_REF = {"$ref": f"#/components/headers/{COMPONENT}"}


def cors_header_component() -> dict[str, Any]:
    return {
        COMPONENT: {
            "description": "The request's `Origin`, echoed when the service allows it "
            "(`CORS_ALLOWED_ORIGINS`; by default no origin is allowed and the header is absent). "
            "Allowed origins also get `Vary: Origin`, and preflight (`OPTIONS`) requests are "
            "answered with the allowed methods and headers.",
            "schema": {"type": "string", "maxLength": 2048, "pattern": "^https?://[^/?#\\s]+$"},
        }
    }


def with_cors_headers(doc: dict[str, Any], origin_example: str) -> dict[str, Any]:
    """`doc` with the CORS header declared on every response of every operation and component."""
    component = cors_header_component()
    component[COMPONENT]["schema"]["examples"] = [origin_example]  # a key of its own: no shared dict
    doc.setdefault("components", {}).setdefault("headers", {}).update(component)
    for response in _responses(doc):
        if "$ref" not in response:
            response["headers"] = {**response.get("headers", {}), HEADER: _REF}
    return doc


def _responses(doc: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = list(doc.get("components", {}).get("responses", {}).values())
    for item in doc.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                found.extend(operation["responses"].values())
    return found
