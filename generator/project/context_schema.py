"""The JSON Schema of what a service template receives (`specs/template-context.schema.json`).

Derived from the domain model's dataclasses (pydantic reads their types), with each
attribute's comment in `generator/domain/model.py` as its description, so a template author
gets completion and documentation in an editor, and the schema cannot drift from the model.
"""

from __future__ import annotations

import ast
import inspect
import io
import tokenize
from typing import Any

from pydantic import TypeAdapter

from ..domain import model
from .template_source import CONTRACT_KEY, CONTRACT_VERSIONS

SCHEMA_ID = "https://scaffold.dev/schemas/template-context-1.json"
_NOT_IN_CONTEXT = ("source", "source_text")  # left out of Domain.to_json()


def template_context_schema() -> dict[str, Any]:
    domain = TypeAdapter(model.Domain).json_schema(mode="serialization")
    definitions = domain.pop("$defs")
    definitions["Domain"] = domain
    comments = _attribute_comments()
    for name, definition in definitions.items():
        cls = getattr(model, name)
        definition.pop("title", None)
        if cls.__doc__ and not cls.__doc__.startswith(f"{name}("):
            definition["description"] = inspect.cleandoc(cls.__doc__)
        for attribute, schema in definition.get("properties", {}).items():
            schema.pop("title", None)
            if (name, attribute) in comments:
                schema["description"] = comments[(name, attribute)]
    for attribute in _NOT_IN_CONTEXT:
        domain["properties"].pop(attribute)
        if attribute in domain.get("required", []):
            domain["required"].remove(attribute)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "scaffold template context",
        "description": "The cookiecutter context a service template is rendered with (`cookiecutter.*` in its "
        "files; the post-generation hook passes `domain` and `entity` to the entity templates). See "
        "cookiecutter-service/README.md.",
        "type": "object",
        "required": [CONTRACT_KEY, "project_slug", "_domain", "_generated", "_er_diagram"],
        "properties": {
            CONTRACT_KEY: {
                "description": "The template contract version the template follows.",
                "enum": list(CONTRACT_VERSIONS),
            },
            "project_slug": {"description": "The directory name of the project.", "type": "string"},
            "_domain": {"$ref": "#/$defs/Domain", "description": "The domain model (Domain.to_json())."},
            "_generated": {
                "description": "Files scaffold generates itself (contract, API models, design document), "
                "path -> text; the hook writes them.",
                "type": "object",
                "additionalProperties": {"type": "string"},
            },
            "_er_diagram": {"description": "The Mermaid ER diagram of the domain.", "type": "string"},
        },
        "$defs": dict(sorted(definitions.items())),
    }


def _attribute_comments() -> dict[tuple[str, str], str]:
    """(class, attribute) -> the comment at the end of the attribute's line in model.py."""
    source = inspect.getsource(model)
    comments = {
        token.start[0]: token.string.lstrip("#").strip()
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    }
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) and item.lineno in comments:
                    found[(node.name, item.target.id)] = comments[item.lineno]
    return found
