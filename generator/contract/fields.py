"""The schema of one member: values, ids, samples, defaults and descriptions."""

from __future__ import annotations

import uuid
from typing import Any

from ..domain.model import Domain, Entity, Field, Relation
from ..domain.samples import field_samples
from .common import (
    DATETIME_MAX_LENGTH,
    INT64_MAX,
    INT64_MIN,
    JSON_VALUE,
    MAX_LINK_IDS,
    NUL_STRING,
    URL_PATTERN,
    UUID_LENGTH,
    decimal_max_length,
    decimal_pattern,
    join,
    nullable,
    ordered,
    schema_ref,
)


class FieldEmitter:
    """The first layer of the contract emitter; each later layer (schemas, errors, components,
    operations, paths, emit) subclasses the one before and may use everything below it."""

    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self.service = domain.service
        self.auth = domain.auth
        self.enums = {enum.name: enum for enum in domain.enums}
        self.entities = {entity.name: entity for entity in domain.entities}
        self.scheme_name = {"jwt": "BearerAuth", "api_key": "ApiKeyAuth"}.get(self.auth.scheme)
        # Entities that a restrict relation points at: deleting one of them can be a 409.
        self.restricted = {
            relation.target
            for entity in domain.entities
            for relation in entity.relations
            if relation.on_delete == "restrict" and relation.kind != "many_to_many"
        }
        self._samples: dict[tuple[str, str], Any] = {}

    def id_schema(self) -> dict[str, Any]:
        if self.service.id_type == "integer":
            return {"type": "integer", "format": "int64", "minimum": 1, "maximum": INT64_MAX}
        return {"type": "string", "format": "uuid", "maxLength": UUID_LENGTH}

    def id_sample(self, entity_name: str) -> Any:
        if self.service.id_type == "integer":
            return 1
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"scaffold:{entity_name}"))

    def value_schema(self, field: Field) -> dict[str, Any]:
        """The schema of a field's non-null values, with its constraints."""
        kind = field.type
        schema: dict[str, Any]
        if kind == "enum":
            return schema_ref(field.enum or "")
        if kind == "json":
            return schema_ref(JSON_VALUE)
        if kind in ("string", "text", "email", "url"):
            schema = {"type": "string"}
            if kind == "email":
                schema["format"] = "email"
            elif kind == "url":
                schema["format"] = "uri"
            if field.min_length:
                schema["minLength"] = field.min_length
            schema["maxLength"] = field.max_length
            if field.pattern:
                schema["pattern"] = field.pattern
            elif kind == "url":
                schema["pattern"] = URL_PATTERN
            schema["not"] = dict(NUL_STRING)
        elif kind == "integer":
            schema = {
                "type": "integer",
                "format": "int64",
                "minimum": int(field.minimum) if field.minimum is not None else INT64_MIN,
                "maximum": int(field.maximum) if field.maximum is not None else INT64_MAX,
            }
        elif kind == "number":
            schema = {"type": "number", "format": "double"}
            if field.minimum is not None:
                schema["minimum"] = field.minimum
            if field.maximum is not None:
                schema["maximum"] = field.maximum
        elif kind == "decimal":
            schema = {
                "type": "string",
                "format": "decimal",
                "maxLength": decimal_max_length(field),
                "pattern": decimal_pattern(field),
            }
        elif kind == "boolean":
            schema = {"type": "boolean"}
        elif kind == "date":
            schema = {"type": "string", "format": "date", "maxLength": 10}
        elif kind == "datetime":
            schema = {"type": "string", "format": "date-time", "maxLength": DATETIME_MAX_LENGTH}
        else:  # uuid
            schema = {"type": "string", "format": "uuid", "maxLength": UUID_LENGTH}
        return schema

    def field_description(self, field: Field, *, for_update: bool = False) -> str | None:
        parts = []
        if field.description:
            parts.append(field.description.strip())
        if field.type == "decimal":
            digits = field.max_digits or 18
            places = field.decimal_places or 0
            bounds = []
            if field.minimum is not None:
                bounds.append(f"at least {field.minimum}")
            if field.maximum is not None:
                bounds.append(f"at most {field.maximum}")
            text = f"Decimal number as a string: up to {digits} digits, {places} after the decimal point"
            parts.append(text + (f", {join(bounds)}." if bounds else "."))
        if field.type == "json":
            parts.append("Any JSON value (see `JsonValue` for its bounds).")
        if field.unique:
            parts.append("Unique.")
        if field.immutable and not for_update:
            parts.append("Set on creation; cannot be changed afterwards.")
        if field.read_only:
            parts.append("Set by the server.")
        if field.write_only:
            parts.append("Accepted in requests, never returned.")
        return " ".join(parts) or None

    def sample(self, entity: Entity, field: Field) -> Any:
        key = (entity.name, field.name)
        if key not in self._samples:
            values = self.enums[field.enum].values if field.enum else None
            if field.has_default and field.default is not None:
                self._samples[key] = self.wire_default(field)
            else:
                found = field_samples(field, values, f"{entity.name}.{field.name}")
                self._samples[key] = found[0] if found else None
        return self._samples[key]

    def wire_default(self, field: Field) -> Any:
        if field.type == "decimal" and field.default is not None:
            return str(field.default)
        return field.default

    def field_property(self, entity: Entity, field: Field, mode: str) -> dict[str, Any]:
        schema = self.value_schema(field)
        if field.nullable:
            schema = nullable(schema)
        elif field.type == "json":
            # JsonValue admits null; a member that is not nullable does not (the service
            # answers `not_nullable`, and null in a merge patch would remove it).
            schema = {**schema, "not": {"type": "null"}}
        description = self.field_description(field, for_update=mode == "update")
        if description:
            schema["description"] = description
        if mode == "create" and field.has_default:
            schema["default"] = self.wire_default(field)
        if mode == "read" and field.read_only:
            schema["readOnly"] = True
        if mode != "read" and field.write_only:
            schema["writeOnly"] = True
        return ordered(schema)

    def relation_property(self, relation: Relation) -> tuple[str, dict[str, Any]]:
        target = self.entities.get(relation.target)
        target_title = target.title.lower() if target else relation.target
        extra = f" {relation.description.strip()}" if relation.description else ""
        if relation.kind == "many_to_many":
            plural = target.plural.replace("_", " ") if target else relation.target
            schema: dict[str, Any] = {
                "type": "array",
                "description": f"Ids of the related {plural} (at most {MAX_LINK_IDS}; duplicates are ignored).{extra}",
                "maxItems": MAX_LINK_IDS,
                "items": self.id_schema(),
            }
            return relation.ids_name or "", ordered(schema)
        schema = self.id_schema()
        if relation.nullable:
            schema = nullable(schema)
        schema["description"] = f"Id of the related {target_title}.{extra}"
        return relation.fk_name or "", ordered(schema)

    def relation_sample(self, relation: Relation) -> Any:
        sample = self.id_sample(relation.target)
        return [sample] if relation.kind == "many_to_many" else sample
