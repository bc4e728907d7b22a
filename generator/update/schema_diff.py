"""The database change between two domain models, as the steps of one migration revision.

Pure: entities, fields and relations are matched by name, or by `renamed_from` (a rename
keeps the data where a drop and an add would lose it). Each step is a dict the revision
template renders (`revision.py.j2`); `downgrade` holds the inverse steps, in reverse order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..domain.model import Domain, Entity, Field, Relation
from ..escape import python_string

# (domain JSON, field JSON) -> the column type expression the models and migrations use
ColumnType = Callable[[dict[str, Any], dict[str, Any]], str]


class UnsafeChange(Exception):
    """A change no migration can make without losing or inventing data; `problems` says why."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class SchemaChange:
    upgrade: list[dict[str, Any]] = field(default_factory=list)
    downgrade: list[dict[str, Any]] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)  # one line per change, for the revision's docstring

    def add(self, up: dict[str, Any], down: dict[str, Any] | None, line: str) -> None:
        self.upgrade.append(up)
        if down is not None:
            self.downgrade.insert(0, down)
        if line:
            self.summary.append(line)


def schema_change(old: Domain, new: Domain, column_type: ColumnType) -> SchemaChange:
    return _Differ(old, new, column_type).run()


class _Differ:
    def __init__(self, old: Domain, new: Domain, column_type: ColumnType) -> None:
        self.old, self.new = old, new
        self.old_json, self.new_json = old.to_json(), new.to_json()
        self.column_type = column_type
        self.change = SchemaChange()
        self.problems: list[str] = []
        self.previous_names: dict[str, str] = {}  # new entity name -> its name in the old domain

    def run(self) -> SchemaChange:
        old_by_name = {entity.name: entity for entity in self.old.entities}
        pairs: list[tuple[Entity, Entity]] = []
        added: list[Entity] = []
        for entity in self.new.entities:
            previous = old_by_name.get(entity.name)
            if previous is None and entity.renamed_from in old_by_name:
                previous = old_by_name[entity.renamed_from]
            if previous is None:
                added.append(entity)
            else:
                pairs.append((previous, entity))
        kept = {previous.name for previous, _ in pairs}
        self.previous_names = {entity.name: previous.name for previous, entity in pairs}
        removed = [entity for entity in self.old.entities if entity.name not in kept]
        for entity in _creation_order(added):
            self._create_table(entity)
        for previous, entity in pairs:
            if previous.table != entity.table:
                self.change.add(
                    {"op": "rename_table", "old": previous.table, "new": entity.table},
                    {"op": "rename_table", "old": entity.table, "new": previous.table},
                    f"rename table {previous.table} to {entity.table}",
                )
            self._alter_table(previous, entity)
        for entity in added:
            for relation in entity.relations:
                if relation.link_table:
                    self._create_link_table(entity, relation)
        for entity in reversed(removed):
            self._drop_table(entity)
        if self.problems:
            raise UnsafeChange(self.problems)
        return self.change

    # --- tables ---------------------------------------------------------------------------

    def _create_table(self, entity: Entity) -> None:
        self.change.add(
            {"op": "create_table", "domain": self.new_json, "entity": self._json(self.new_json, entity)},
            {"op": "drop_table", "table": entity.table},
            f"create table {entity.table}",
        )

    def _drop_table(self, entity: Entity) -> None:
        for relation in entity.relations:
            if relation.link_table:
                self._drop_link_table(entity, relation)
        self.change.add(
            {"op": "drop_table", "table": entity.table},
            {"op": "create_table", "domain": self.old_json, "entity": self._json(self.old_json, entity)},
            f"drop table {entity.table} (entity {entity.name} removed: its rows go with it)",
        )

    def _create_link_table(self, entity: Entity, relation: Relation) -> None:
        self.change.add(
            self._link(self.new_json, entity, relation, "create_link_table"),
            {"op": "drop_table", "table": relation.link_table},
            f"create link table {relation.link_table}",
        )

    def _drop_link_table(self, entity: Entity, relation: Relation) -> None:
        self.change.add(
            {"op": "drop_table", "table": relation.link_table},
            self._link(self.old_json, entity, relation, "create_link_table"),
            f"drop link table {relation.link_table}",
        )

    # --- columns --------------------------------------------------------------------------

    def _alter_table(self, previous: Entity, entity: Entity) -> None:
        old_fields = {f.name: f for f in previous.fields}
        matched: set[str] = set()
        for new_field in entity.fields:
            old_field = old_fields.get(new_field.name)
            if old_field is None and new_field.renamed_from in old_fields:
                old_field = old_fields[new_field.renamed_from]
            if old_field is None:
                self._add_column(entity, new_field)
                continue
            matched.add(old_field.name)
            self._alter_column(previous, entity, old_field, new_field)
        for old_field in previous.fields:
            if old_field.name not in matched:
                self._drop_column(previous, entity, old_field)
        self._alter_relations(previous, entity)
        self._alter_unique_together(previous, entity)

    def _alter_unique_together(self, previous: Entity, entity: Entity) -> None:
        old = {group.name: group.columns for group in previous.unique_together}
        new = {group.name: group.columns for group in entity.unique_together}
        for name in sorted(set(old) - set(new)):
            step = {"op": "unique_together", "table": entity.table, "name": name, "columns": old[name]}
            self.change.add(
                {**step, "add": False}, {**step, "add": True}, f"drop unique ({', '.join(old[name])}) on {entity.table}"
            )
        for name in sorted(set(new) - set(old)):
            step = {"op": "unique_together", "table": entity.table, "name": name, "columns": new[name]}
            self.change.add(
                {**step, "add": True}, {**step, "add": False}, f"add unique ({', '.join(new[name])}) on {entity.table}"
            )

    def _add_column(self, entity: Entity, new_field: Field) -> None:
        server_default = None
        if not new_field.nullable:
            if not new_field.has_default or new_field.default is None:
                self.problems.append(
                    f"{entity.name}.{new_field.name} is a new required field without a default, and the "
                    f"{entity.table} table may hold rows: give it a `default`, or add it with "
                    "`required: false` first"
                )
                return
            server_default = _server_default(new_field)
        self.change.add(
            {
                "op": "add_column",
                "domain": self.new_json,
                "table": entity.table,
                "field": self._field_json(self.new_json, entity, new_field),
                "server_default": server_default,
            },
            {"op": "drop_column", "table": entity.table, "column": new_field.name, "foreign_key": None, "indexes": []},
            f"add column {entity.table}.{new_field.name}",
        )

    def _drop_column(self, previous: Entity, entity: Entity, old_field: Field) -> None:
        self.change.add(
            {"op": "drop_column", "table": entity.table, "column": old_field.name, "foreign_key": None, "indexes": []},
            {
                "op": "add_column",
                "domain": self.old_json,
                "table": entity.table,
                "field": {**self._field_json(self.old_json, previous, old_field), "nullable": True},
                "server_default": None,
            },
            f"drop column {entity.table}.{old_field.name} (its values are lost)",
        )

    def _alter_column(self, previous: Entity, entity: Entity, old_field: Field, new_field: Field) -> None:
        old_json = self._field_json(self.old_json, previous, old_field)
        new_json = self._field_json(self.new_json, entity, new_field)
        old_type = self.column_type(self.old_json, old_json)
        new_type = self.column_type(self.new_json, new_json)
        renamed = old_field.name != new_field.name
        retyped = old_type != new_type
        if retyped and old_field.type == new_field.type == "enum":
            retyped = False  # a VARCHAR and a CHECK of the values: the check is replaced below
            self._change_enum_values(previous, entity, old_field, new_field)
        nullability = old_field.nullable != new_field.nullable
        if renamed or retyped or nullability:
            backfill = None
            if nullability and not new_field.nullable and new_field.has_default and new_field.default is not None:
                backfill = _server_default(new_field)
            self.change.add(
                {
                    "op": "alter_column",
                    "table": entity.table,
                    "column": old_field.name,
                    "new_name": new_field.name if renamed else None,
                    "type": new_type if retyped else None,
                    "existing_type": old_type,
                    "nullable": new_field.nullable if nullability else None,
                    "existing_nullable": old_field.nullable,
                    "backfill": backfill,
                    "check": _check_name(entity.table, old_field) if retyped else None,
                },
                {
                    "op": "alter_column",
                    "table": entity.table,
                    "column": new_field.name,
                    "new_name": old_field.name if renamed else None,
                    "type": old_type if retyped else None,
                    "existing_type": new_type,
                    "nullable": old_field.nullable if nullability else None,
                    "existing_nullable": new_field.nullable,
                    "backfill": None,
                    "check": _check_name(entity.table, new_field) if retyped else None,
                },
                _alter_line(entity.table, old_field, new_field, old_type, new_type),
            )
        for kind, before, after in (
            ("unique", old_field.unique, new_field.unique),
            ("index", old_field.index and not old_field.unique, new_field.index and not new_field.unique),
        ):
            old_step = _constraint(kind, entity.table, old_field.name)
            new_step = _constraint(kind, entity.table, new_field.name)
            if before and after and renamed:
                # the constraint is named after its column (the naming convention): rename it too
                self.change.add({**old_step, "add": False}, {**old_step, "add": True}, "")
                self.change.add({**new_step, "add": True}, {**new_step, "add": False}, "")
            elif before != after:
                self.change.add(
                    {**new_step, "add": after},
                    {**new_step, "add": before},
                    f"{'add' if after else 'drop'} {kind} on {entity.table}.{new_field.name}",
                )

    def _change_enum_values(self, previous: Entity, entity: Entity, old_field: Field, new_field: Field) -> None:
        old_values = self._enum_values(self.old, old_field)
        new_values = self._enum_values(self.new, new_field)
        step = {
            "op": "enum_values",
            "table": entity.table,
            "column": new_field.name,
            "check": f"ck_{entity.table}_{new_field.name}",
            "existing_nullable": new_field.nullable,
        }
        old_length, new_length = max(map(len, old_values)), max(map(len, new_values))
        up = {**step, "values": new_values, "length": new_length, "existing_length": old_length}
        down = {**step, "values": old_values, "length": old_length, "existing_length": new_length}
        removed = sorted(set(old_values) - set(new_values))
        note = f" (rows holding {', '.join(removed)} make it fail)" if removed else ""
        self.change.add(up, down, f"values of {entity.table}.{new_field.name}: {', '.join(new_values)}{note}")

    @staticmethod
    def _enum_values(domain: Domain, f: Field) -> list[str]:
        return list(next(enum.values for enum in domain.enums if enum.name == f.enum))

    def _alter_relations(self, previous: Entity, entity: Entity) -> None:
        old_relations = {r.name: r for r in previous.relations}
        matched: set[str] = set()
        for relation in entity.relations:
            old = old_relations.get(relation.name)
            if old is None and relation.renamed_from in old_relations:
                old = old_relations[relation.renamed_from]
            same_target = old is not None and old.target == self.previous_names.get(relation.target, relation.target)
            if old is not None and old.kind == relation.kind and same_target:
                matched.add(old.name)
                self._rename_relation(entity, old, relation)
                if relation.fk_name and old.on_delete != relation.on_delete:
                    step = {
                        "op": "foreign_key_action",
                        "table": entity.table,
                        "column": relation.fk_name,
                        "target": relation.target_table,
                        "name": f"fk_{entity.table}_{old.fk_name}_{old.target_table}",
                    }
                    self.change.add(
                        {**step, "on_delete": relation.on_delete},
                        {**step, "on_delete": old.on_delete},
                        f"on_delete of {entity.table}.{relation.fk_name}: {old.on_delete} -> {relation.on_delete}",
                    )
                continue
            if relation.link_table:
                self._create_link_table(entity, relation)
            elif relation.required:
                self.problems.append(
                    f"{entity.name}.{relation.name} is a new required relation, and the {entity.table} table "
                    "may hold rows that have none: add it with `required: false` first"
                )
            else:
                self.change.add(
                    {
                        "op": "add_foreign_key",
                        "domain": self.new_json,
                        "table": entity.table,
                        "relation": self._relation_json(self.new_json, entity, relation),
                    },
                    self._drop_fk(entity.table, relation),
                    f"add column {entity.table}.{relation.fk_name} (references {relation.target_table})",
                )
        for old in previous.relations:
            if old.name in matched:
                continue
            if old.link_table:
                self._drop_link_table(previous, old)
            else:
                self.change.add(
                    self._drop_fk(entity.table, old),
                    {
                        "op": "add_foreign_key",
                        "domain": self.old_json,
                        "table": entity.table,
                        "relation": {**self._relation_json(self.old_json, previous, old), "nullable": True},
                    },
                    f"drop column {entity.table}.{old.fk_name} (relation {old.name} removed)",
                )

    def _rename_relation(self, entity: Entity, old: Relation, relation: Relation) -> None:
        if old.fk_name and relation.fk_name and old.fk_name != relation.fk_name:
            self.change.add(
                {
                    "op": "alter_column",
                    "table": entity.table,
                    "column": old.fk_name,
                    "new_name": relation.fk_name,
                    "type": None,
                    "existing_type": self._id_type(),
                    "nullable": None,
                    "existing_nullable": old.nullable,
                    "backfill": None,
                    "check": None,
                },
                {
                    "op": "alter_column",
                    "table": entity.table,
                    "column": relation.fk_name,
                    "new_name": old.fk_name,
                    "type": None,
                    "existing_type": self._id_type(),
                    "nullable": None,
                    "existing_nullable": relation.nullable,
                    "backfill": None,
                    "check": None,
                },
                f"rename column {entity.table}.{old.fk_name} to {relation.fk_name}",
            )
        if old.link_table and relation.link_table and old.link_table != relation.link_table:
            self.change.add(
                {"op": "rename_table", "old": old.link_table, "new": relation.link_table},
                {"op": "rename_table", "old": relation.link_table, "new": old.link_table},
                f"rename link table {old.link_table} to {relation.link_table}",
            )

    def _drop_fk(self, table: str, relation: Relation) -> dict[str, Any]:
        index = [] if relation.kind == "one_to_one" else [f"ix_{table}_{relation.fk_name}"]
        return {
            "op": "drop_column",
            "table": table,
            "column": relation.fk_name,
            "foreign_key": f"fk_{table}_{relation.fk_name}_{relation.target_table}",
            "indexes": index,
        }

    # --- JSON of the model, as the template reads it -----------------------------------------

    def _id_type(self) -> str:
        return (
            "sa.Uuid()"
            if self.new.service.id_type == "uuid"
            else 'sa.BigInteger().with_variant(sa.Integer(), "sqlite")'
        )

    @staticmethod
    def _json(domain_json: dict[str, Any], entity: Entity) -> dict[str, Any]:
        result: dict[str, Any] = next(e for e in domain_json["entities"] if e["name"] == entity.name)
        return result

    def _field_json(self, domain_json: dict[str, Any], entity: Entity, f: Field) -> dict[str, Any]:
        result: dict[str, Any] = next(x for x in self._json(domain_json, entity)["fields"] if x["name"] == f.name)
        return result

    def _relation_json(self, domain_json: dict[str, Any], entity: Entity, r: Relation) -> dict[str, Any]:
        result: dict[str, Any] = next(x for x in self._json(domain_json, entity)["relations"] if x["name"] == r.name)
        return result

    def _link(self, domain_json: dict[str, Any], entity: Entity, relation: Relation, op: str) -> dict[str, Any]:
        return {
            "op": op,
            "domain": domain_json,
            "entity": self._json(domain_json, entity),
            "relation": self._relation_json(domain_json, entity, relation),
        }


def _check_name(table: str, f: Field) -> str | None:
    """The CHECK constraint an enum or boolean column carries (the naming convention's `ck`)."""
    return f"ck_{table}_{f.name}" if f.type in ("enum", "boolean") else None


def _constraint(kind: str, table: str, column: str) -> dict[str, Any]:
    prefix = "uq" if kind == "unique" else "ix"
    return {"op": "constraint", "kind": kind, "table": table, "column": column, "name": f"{prefix}_{table}_{column}"}


def _creation_order(entities: list[Entity]) -> list[Entity]:
    """New tables after the new tables they refer to (a cycle keeps the domain's order)."""
    names = {entity.name for entity in entities}
    ordered: list[Entity] = []
    pending = list(entities)
    while pending:
        ready = [
            e
            for e in pending
            if all(
                r.target in {o.name for o in ordered} or r.target not in names or r.target == e.name
                for r in e.relations
                if r.fk_name
            )
        ]
        chosen = ready[0] if ready else pending[0]
        ordered.append(chosen)
        pending.remove(chosen)
    return ordered


def _server_default(f: Field) -> str:
    """The field's default as the Python expression of a server default for existing rows."""
    value = f.default
    if f.type == "boolean":
        return "sa.true()" if value else "sa.false()"
    if f.type in ("integer", "number", "decimal"):
        return f"sa.text({json.dumps(str(value))})"
    if f.type == "json":
        return python_string(json.dumps(value))
    return python_string(str(value))


def _alter_line(table: str, old: Field, new: Field, old_type: str, new_type: str) -> str:
    parts = []
    if old.name != new.name:
        parts.append(f"rename column {table}.{old.name} to {new.name}")
    if old_type != new_type:
        parts.append(f"change {table}.{new.name} from {old_type} to {new_type}")
    if old.nullable != new.nullable:
        parts.append(f"make {table}.{new.name} {'nullable' if new.nullable else 'required'}")
    return "; ".join(parts)
