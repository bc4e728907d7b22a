"""The schemas of each entity: representation, create and update bodies, pages, enums."""

from __future__ import annotations

from typing import Any

from ..domain.model import Entity, Enum, Field
from .common import (
    CURSOR_PATTERN,
    DATETIME_MAX_LENGTH,
    INT32_MAX,
    MAX_CURSOR_LENGTH,
    SAMPLE_CURSOR,
    article,
    ordered,
    schema_ref,
)
from .fields import FieldEmitter


class SchemaEmitter(FieldEmitter):
    """Entity schemas, built from the member schemas of `FieldEmitter`."""

    @staticmethod
    def read_fields(entity: Entity) -> list[Field]:
        """The fields of the representation (a write-only field is never returned)."""
        return [field for field in entity.fields if not field.write_only]

    @staticmethod
    def write_fields(entity: Entity, mode: str) -> list[Field]:
        """The fields a create or update body accepts."""
        return [f for f in entity.fields if not (f.read_only or (mode == "update" and f.immutable))]

    def read_properties(self, entity: Entity) -> dict[str, Any]:
        """The members of the representation, every one of them required."""
        properties: dict[str, Any] = {
            "id": ordered({**self.id_schema(), "description": f"Id of the {entity.title.lower()}.", "readOnly": True})
        }
        for field in self.read_fields(entity):
            properties[field.name] = self.field_property(entity, field, "read")
        for relation in entity.relations:
            name, schema = self.relation_property(relation)
            properties[name] = schema
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
        return properties

    def read_schema(self, entity: Entity) -> dict[str, Any]:
        properties = self.read_properties(entity)
        example: dict[str, Any] = {"id": self.id_sample(entity.name)}
        for field in self.read_fields(entity):
            example[field.name] = self.sample(entity, field)
        for relation in entity.relations:
            example[relation.fk_name or relation.ids_name or ""] = self.relation_sample(relation)
        example.update(version=1, created_at="2024-01-15T09:30:00Z", updated_at="2024-01-15T09:30:00Z")
        one = entity.title.lower()
        description = (entity.description or "").strip() or f"{article(one).capitalize()} {one}."
        return {
            "description": description,
            "type": "object",
            "required": list(properties),
            "properties": properties,
            "examples": [example],
        }

    def write_properties(self, entity: Entity, mode: str) -> tuple[dict[str, Any], list[str]]:
        """The members of the create or update body, and those a create body must give."""
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in self.write_fields(entity, mode):
            properties[field.name] = self.field_property(entity, field, mode)
            if mode == "create" and field.required:
                required.append(field.name)
        for relation in entity.relations:
            name, schema = self.relation_property(relation)
            properties[name] = schema
            if mode == "create" and relation.required and relation.kind != "many_to_many":
                required.append(name)
        return properties, required

    def write_schema(self, entity: Entity, mode: str) -> dict[str, Any]:
        properties, required = self.write_properties(entity, mode)
        example: dict[str, Any] = {}
        for field in self.write_fields(entity, mode):
            if mode == "create":
                if field.required or not field.has_default:
                    example[field.name] = self.sample(entity, field)
            elif not example:
                example[field.name] = self.sample(entity, field)
        if mode == "create":
            for relation in entity.relations:
                example[relation.fk_name or relation.ids_name or ""] = self.relation_sample(relation)
        one = entity.title.lower()
        if mode == "create":
            description = f"A new {one}. The server sets `id`, `version` and the timestamps."
        else:
            description = (
                f"Changes to {article(one)} {one}, as a JSON merge patch: every member is "
                "optional, and null clears a nullable value."
            )
        schema: dict[str, Any] = {"description": description, "type": "object"}
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
                    "items": schema_ref(entity.name),
                },
                "next_cursor": {
                    "description": "Pass as `cursor` to get the next page; null on the last page.",
                    "type": ["string", "null"],
                    "maxLength": MAX_CURSOR_LENGTH,
                    "pattern": CURSOR_PATTERN,
                },
            },
            "examples": [{"items": read["examples"], "next_cursor": SAMPLE_CURSOR}],
        }

    def enum_schema(self, enum: Enum) -> dict[str, Any]:
        schema: dict[str, Any] = {}
        if enum.description:
            schema["description"] = enum.description.strip()
        schema.update({"type": "string", "enum": list(enum.values), "examples": [enum.values[0]]})
        return schema
