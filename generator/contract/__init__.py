"""The OpenAPI 3.1 contract: emit it from the domain model, validate it, serialize it.

The validator and the API model generator load heavy libraries (openapi-spec-validator,
datamodel-code-generator, PyYAML); they are imported on first use, so that the stages that only
emit (`scaffold diff`, `scaffold docs`) do not pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .common import RESERVED_SCHEMA_NAMES
from .emit import emit_contract

if TYPE_CHECKING:
    from .models import attribute_aliases, generate_api_models
    from .serialize import dump_json, dump_yaml
    from .validate import validate_contract

_LAZY = {
    "attribute_aliases": ".models",
    "generate_api_models": ".models",
    "dump_json": ".serialize",
    "dump_yaml": ".serialize",
    "validate_contract": ".validate",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "RESERVED_SCHEMA_NAMES",
    "attribute_aliases",
    "dump_json",
    "dump_yaml",
    "emit_contract",
    "generate_api_models",
    "validate_contract",
]
