"""Validation of an emitted contract against the OpenAPI 3.1 specification."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jsonschema_path import SchemaPath
from openapi_spec_validator import OpenAPIV31SpecValidator
from referencing.exceptions import Unresolvable


def validate_contract(doc: dict[str, Any]) -> list[str]:
    """Every problem openapi-spec-validator finds in `doc`; empty when the contract is valid.

    Each message names the location of the problem (`paths./books.get: ...`). A `$ref` that
    points nowhere is reported as a problem too, not raised.
    """
    problems: list[str] = []
    dangling = sorted(_dangling_refs(doc))
    problems.extend(f"{where}: unresolvable $ref {ref!r}" for where, ref in dangling)
    if dangling:
        # The validator cannot walk a document whose references do not resolve.
        return problems
    validator = OpenAPIV31SpecValidator(SchemaPath.from_dict(doc))
    # Structure first (every error at once); the semantic checks (duplicate operationIds,
    # undeclared path parameters, defaults that break their schema) assume a sound structure.
    for error in validator.schema_validator.iter_errors(validator.schema):
        problems.append(f"{_where(error.absolute_path)}: {error.message}")
    if problems:
        return problems
    try:
        for error in validator.root_validator(validator.schema_path):
            problems.append(f"{_where(getattr(error, 'absolute_path', ()))}: {error.message}")
    except (Unresolvable, KeyError, TypeError, ValueError) as error:  # pragma: no cover
        problems.append(f"<document>: the validator stopped: {error!r}")
    return problems


def _where(path: Iterable[object]) -> str:
    return ".".join(str(part) for part in path) or "<document>"


def _dangling_refs(doc: dict[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def resolves(ref: str) -> bool:
        if not ref.startswith("#/"):
            return False
        node: Any = doc
        for raw in ref[2:].split("/"):
            part = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return False
        return True

    def walk(node: Any, path: list[str]) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not resolves(ref):
                found.append((".".join(path) or "<document>", ref))
            for key, value in node.items():
                if key not in ("example", "examples"):  # literal data, not schema
                    walk(value, [*path, str(key)])
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, [*path, str(index)])

    walk(doc, [])
    return found
