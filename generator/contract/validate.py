"""Validation of an emitted contract against the OpenAPI 3.1 specification."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import jsonschema_rs
from jsonschema.exceptions import SchemaError
from jsonschema_path import SchemaPath
from openapi_schema_validator._dialects import OAS31_BASE_DIALECT_ID, OAS31_BASE_DIALECT_METASCHEMA
from openapi_schema_validator._specifications import REGISTRY as OPENAPI_SPECIFICATIONS
from openapi_spec_validator import OpenAPIV31SpecValidator
from openapi_spec_validator.validation.keywords import OpenAPIV31SchemaValidator
from referencing.exceptions import Unresolvable

# Resolved `$ref` targets the validator keeps; without a cache it resolves every reference
# from the root again, which doubles the time of a large contract.
_RESOLVED_CACHE_SIZE = 4096

# The OpenAPI 3.1 Schema Object dialect (and the vocabulary it refers to), compiled once by jsonschema-rs.
_DIALECT_VOCABULARY = "https://spec.openapis.org/oas/3.1/meta/base"
_DIALECT = jsonschema_rs.validator_for(
    OAS31_BASE_DIALECT_METASCHEMA,
    registry=jsonschema_rs.Registry(
        [(uri, OPENAPI_SPECIFICATIONS.contents(uri)) for uri in (OAS31_BASE_DIALECT_ID, _DIALECT_VOCABULARY)]
    ),
    validate_formats=True,
)


class _SchemaMetaCheckInRust(OpenAPIV31SchemaValidator):
    """The semantic pass checks every Schema Object against the dialect's meta-schema.

    openapi-spec-validator does that with pure-Python jsonschema, more than half of the time
    on a large contract; jsonschema-rs gives the same verdict in microseconds a schema.
    """

    def _get_schema_checker(self, schema: SchemaPath, schema_value: Any) -> Callable[[Any], None]:
        if self._get_schema_dialect_id(schema, schema_value) != OAS31_BASE_DIALECT_ID:
            return super()._get_schema_checker(schema, schema_value)
        return _check_dialect


def _check_dialect(value: Any) -> None:
    for error in _DIALECT.iter_errors(value):
        raise SchemaError(error.message)


class _ContractValidator(OpenAPIV31SpecValidator):
    keyword_validators = {  # noqa: RUF012 (the base class declares it as a plain dict)
        **OpenAPIV31SpecValidator.keyword_validators,
        "schema": _SchemaMetaCheckInRust,
    }


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
    validator = _ContractValidator(SchemaPath.from_dict(doc, resolved_cache_maxsize=_RESOLVED_CACHE_SIZE))
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
