"""What a client sees of an entity: its operations, body members and list parameters.

Read from the contract emitter's own schema builders, so each member here is exactly the
member the contract writes, but per entity and per domain node, never by diffing YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..contract.paths import PathEmitter
from ..domain.model import Domain, Entity, Field, Relation

_UNSET = object()


@dataclass(frozen=True, slots=True)
class Wire:
    """The facts of one member's schema that a client depends on."""

    type: str  # JSON type, or "json" for a JsonValue member
    format: str | None
    nullable: bool
    enum: tuple[str, ...] | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    default: Any = _UNSET
    items: str | None = None  # format of an array's items (the ids of a many-to-many)

    @property
    def kind(self) -> tuple[str, str | None, str | None]:
        return (self.type, self.format, self.items)

    @property
    def has_default(self) -> bool:
        return self.default is not _UNSET


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    wire: Wire
    required: bool
    node: Field | Relation | None  # None for id, version and the timestamps


class Surface:
    """The client-visible facts of one domain, entity by entity."""

    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self.emitter = PathEmitter(domain)
        self.enums = {enum.name: tuple(enum.values) for enum in domain.enums}
        self.base = domain.service.base_path
        self._wires: dict[tuple[str, str], Wire] = {}
        self._id = self.wire(self.emitter.id_schema())

    def members(self, entity: Entity, mode: str) -> dict[str, Member]:
        """The members of the read (`read`), create or update schema of `entity`.

        Built from the member value schemas the contract uses, without the descriptions and
        examples a client does not depend on (`tests/test_diff_surface.py` checks them against
        the schemas of the emitted contract).
        """
        emitter = self.emitter
        found: dict[str, Member] = {}
        fields = emitter.read_fields(entity) if mode == "read" else emitter.write_fields(entity, mode)
        if mode == "read":
            found["id"] = Member("id", self._id, True, None)
        for f in fields:
            wire = self._field_wire(entity, f)
            if mode == "create" and f.has_default:
                wire = replace(wire, default=emitter.wire_default(f))
            found[f.name] = Member(f.name, wire, mode == "read" or (mode == "create" and f.required), f)
        id_wire = self._id
        for relation in entity.relations:
            if relation.kind == "many_to_many":
                name = relation.ids_name or ""
                wire = Wire("array", None, False, items=id_wire.format)
                required = mode == "read"
            else:
                name = relation.fk_name or ""
                wire = replace(id_wire, nullable=relation.nullable)
                required = mode == "read" or (mode == "create" and relation.required)
            found[name] = Member(name, wire, required, relation)
        return found

    def _field_wire(self, entity: Entity, f: Field) -> Wire:
        """A field's wire in every schema it is in (the create body adds its default)."""
        key = (entity.name, f.name)
        if key not in self._wires:
            self._wires[key] = self.wire(self.emitter.value_schema(f), nullable=f.nullable)
        return self._wires[key]

    def parameters(self, entity: Entity) -> dict[str, Wire]:
        """The query parameters of the list operation, by name (the shared cursor left out)."""
        found: dict[str, Wire] = {}
        for parameter in self.emitter.list_parameters(entity):
            if "name" in parameter:
                found[parameter["name"]] = self.wire(parameter["schema"])
        return found

    def wire(self, schema: dict[str, Any], *, nullable: bool = False) -> Wire:
        if "anyOf" in schema:
            nullable = any(option.get("type") == "null" for option in schema["anyOf"])
            schema = next(option for option in schema["anyOf"] if "$ref" in option)
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name in self.enums:
                return Wire("string", None, nullable, enum=self.enums[name], default=schema.get("default", _UNSET))
            return Wire("json", None, nullable, default=schema.get("default", _UNSET))
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        items = schema.get("items", {}).get("format") if "items" in schema else None
        return Wire(
            type=next(t for t in types if t != "null"),
            format=schema.get("format"),
            nullable=nullable or "null" in types,
            enum=tuple(schema["enum"]) if "enum" in schema else None,
            min_length=schema.get("minLength"),
            max_length=schema.get("maxLength"),
            minimum=schema.get("minimum"),
            maximum=schema.get("maximum"),
            pattern=schema.get("pattern"),
            default=schema.get("default", _UNSET),
            items=items,
        )

    # --- operations, as "METHOD /path" -----------------------------------------------------------

    def collection(self, entity: Entity) -> str:
        return f"{self.base}/{entity.segment}"

    def operation(self, entity: Entity, name: str) -> str:
        method, item = {
            "list": ("GET", False),
            "create": ("POST", False),
            "read": ("GET", True),
            "update": ("PATCH", True),
            "delete": ("DELETE", True),
        }[name]
        return f"{method} {self.collection(entity)}{'/{id}' if item else ''}"

    def inverse_listings(self, source: Entity) -> list[str]:
        """The inverse listings that return `source`'s rows (on its relations' targets)."""
        return [
            f"GET {self.collection(target)}/{{id}}/{inverse.segment}"
            for target in self.domain.entities
            for inverse in target.inverses
            if inverse.source == source.name
        ]

    def reading(self, entity: Entity) -> tuple[str, ...]:
        """Every operation whose response holds `entity`'s representation."""
        own = [self.operation(entity, name) for name in entity.operations if name != "delete"]
        return tuple(own + self.inverse_listings(entity))

    def read_scoped(self, entity: Entity) -> tuple[str, ...]:
        own = [self.operation(entity, name) for name in entity.operations if name in ("list", "read")]
        return tuple(own + self.inverse_listings(entity))

    def write_scoped(self, entity: Entity) -> tuple[str, ...]:
        return tuple(self.operation(entity, name) for name in entity.operations if name not in ("list", "read"))

    def everything(self) -> tuple[str, ...]:
        found: list[str] = []
        for entity in self.domain.entities:
            found.extend(self.operation(entity, name) for name in entity.operations)
            found.extend(f"GET {self.collection(entity)}/{{id}}/{inverse.segment}" for inverse in entity.inverses)
        return tuple(found)
