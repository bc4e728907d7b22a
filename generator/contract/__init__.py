"""The OpenAPI 3.1 contract: emit it from the domain model, validate it, serialize it."""

from .common import RESERVED_SCHEMA_NAMES
from .emit import emit_contract
from .models import attribute_aliases, generate_api_models
from .serialize import dump_json, dump_yaml
from .validate import validate_contract

__all__ = [
    "RESERVED_SCHEMA_NAMES",
    "attribute_aliases",
    "dump_json",
    "dump_yaml",
    "emit_contract",
    "generate_api_models",
    "validate_contract",
]
