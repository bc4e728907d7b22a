"""DB checks: what the migration of a domain change does to the rows that exist.

Destructive changes lose data; data-dependent ones fail on some existing rows; lock-heavy
ones (in the spirit of squawk's rules) rewrite or block a large PostgreSQL table. The
matching is the migration's: by name, or by `renamed_from`, which renames and keeps the data.
"""

from __future__ import annotations

from ..domain.model import Domain, Entity, Field, Path, Relation
from .pairs import pair
from .places import Places
from .report import Change

_VARCHAR = ("string", "email", "url")


def db_changes(old: Domain, new: Domain, places: Places) -> list[Change]:
    return _DbDiff(old, new, places).run()


class _DbDiff:
    def __init__(self, old: Domain, new: Domain, places: Places) -> None:
        self.old, self.new, self.places = old, new, places
        self.changes: list[Change] = []
        self.old_enums = {enum.name: enum.values for enum in old.enums}
        self.new_enums = {enum.name: enum.values for enum in new.enums}

    def add(self, code: str, message: str, location: str) -> None:
        self.changes.append(Change(code, message, location))

    def run(self) -> list[Change]:
        if self.old.service.id_type != self.new.service.id_type:
            self.add(
                "db-id-type-changed",
                f"every primary and foreign key changes from {self.old.service.id_type} to "
                f"{self.new.service.id_type}: no migration converts the existing keys",
                self.places.new(("service", "id_type")),
            )
        pairs, removed, added = pair(self.old.entities, self.new.entities)
        for entity in removed:
            self.add(
                "db-table-dropped",
                f"table {entity.table} is dropped ({entity.name} removed): its rows are lost",
                self.places.old(entity.path),
            )
            for relation in entity.relations:
                if relation.link_table:
                    self._link_dropped(relation)
        for entity in added:
            self.add("db-table-added", f"table {entity.table} is created", self.places.new(entity.path))
            for relation in entity.relations:
                if relation.link_table:
                    self._link_added(relation)
        for previous, entity in pairs:
            if previous.table != entity.table:
                self.add(
                    "db-table-renamed",
                    f"table {previous.table} is renamed {entity.table}: its rows are kept",
                    self.places.new((*entity.path, "renamed_from")),
                )
            self._columns(previous, entity)
            self._relations(previous, entity)
            self._unique_together(previous, entity)
        return self.changes

    def _link_dropped(self, relation: Relation) -> None:
        self.add(
            "db-link-table-dropped",
            f"link table {relation.link_table} is dropped: the links of {relation.name} are lost",
            self.places.old(relation.path),
        )

    def _link_added(self, relation: Relation) -> None:
        self.add("db-table-added", f"link table {relation.link_table} is created", self.places.new(relation.path))

    # --- columns -------------------------------------------------------------------------------

    def _columns(self, previous: Entity, entity: Entity) -> None:
        pairs, removed, added = pair(previous.fields, entity.fields)
        table = entity.table
        for f in removed:
            self.add(
                "db-column-dropped",
                f"column {table}.{f.name} is dropped: its values are lost",
                self.places.old(f.path),
            )
        for f in added:
            self._column_added(entity, f.name, f.nullable, f.has_default and f.default is not None, f.path)
            self._index_added(entity, f)
        for before, after in pairs:
            self._column(entity, before, after)

    def _column_added(self, entity: Entity, column: str, nullable: bool, backfilled: bool, path: Path) -> None:
        table = entity.table
        if nullable or backfilled:
            how = "nullable" if nullable else "NOT NULL, existing rows get its default"
            self.add("db-column-added", f"column {table}.{column} is added ({how})", self.places.new(path))
        else:
            self.add(
                "db-not-null-column-without-default",
                f"column {table}.{column} is NOT NULL without a default: the rows {table} holds have no value "
                "(add it as optional first, or give it a default)",
                self.places.new(path),
            )

    def _index_added(self, entity: Entity, f: Field, *, was_unique: bool = False, was_index: bool = False) -> None:
        table = entity.table
        if f.unique and not was_unique:
            self.add(
                "db-unique-added",
                f"{table}.{f.name} becomes unique: duplicate values in existing rows make the migration fail",
                self.places.new((*f.path, "unique")),
            )
        elif f.index and not f.unique and not was_index:
            self.add(
                "db-index-added",
                f"an index on {table}.{f.name} is built: PostgreSQL blocks writes to {table} while it builds",
                self.places.new((*f.path, "index")),
            )

    def _column(self, entity: Entity, before: Field, after: Field) -> None:
        table = entity.table
        here = self.places.new(after.path)
        if before.name != after.name:
            self.add(
                "db-column-renamed",
                f"column {table}.{before.name} is renamed {after.name}: its values are kept",
                self.places.new((*after.path, "renamed_from")),
            )
        if before.type == after.type == "enum":
            self._enum_values(table, before, after)
        elif _column_type(before) != _column_type(after):
            self._retyped(table, before, after, here)
        if before.nullable and not after.nullable:
            backfill = after.has_default and after.default is not None
            detail = "rows holding null get its default" if backfill else "rows holding null make the migration fail"
            self.add(
                "db-not-null-added",
                f"{table}.{after.name} becomes NOT NULL: {detail}",
                self.places.new((*after.path, "nullable")),
            )
        elif after.nullable and not before.nullable:
            self.add(
                "db-null-allowed", f"{table}.{after.name} accepts null", self.places.new((*after.path, "nullable"))
            )
        self._index_added(entity, after, was_unique=before.unique, was_index=before.index and not before.unique)
        if before.unique and not after.unique:
            self.add("db-constraint-dropped", f"the unique constraint on {table}.{after.name} is dropped", here)
        elif before.index and not after.index and not before.unique:
            self.add("db-constraint-dropped", f"the index on {table}.{after.name} is dropped", here)

    def _retyped(self, table: str, before: Field, after: Field, here: str) -> None:
        if before.type in _VARCHAR and after.type in _VARCHAR:
            old_length, new_length = before.max_length or 0, after.max_length or 0
            if new_length < old_length:
                self.add(
                    "db-column-length-decreased",
                    f"{table}.{after.name} is VARCHAR({new_length}) (was {old_length}): longer values in "
                    "existing rows make the migration fail",
                    self.places.new((*after.path, "max_length")),
                )
            else:
                self.add(
                    "db-column-widened",
                    f"{table}.{after.name} is VARCHAR({new_length}) (was {old_length})",
                    self.places.new((*after.path, "max_length")),
                )
            return
        self.add(
            "db-column-type-changed",
            f"{table}.{after.name} changes from {_column_type(before)} to {_column_type(after)}: values may not "
            f"convert, and PostgreSQL rewrites {table} under an ACCESS EXCLUSIVE lock",
            self.places.new((*after.path, "type")) if before.type != after.type else here,
        )

    def _enum_values(self, table: str, before: Field, after: Field) -> None:
        old_values = self.old_enums.get(before.enum or "", [])
        new_values = self.new_enums.get(after.enum or "", [])
        gone = [value for value in old_values if value not in new_values]
        extra = [value for value in new_values if value not in old_values]
        place = self.places.new(("enums", after.enum or "", "values"))
        if gone:
            self.add(
                "db-enum-value-removed",
                f"{table}.{after.name} no longer accepts {', '.join(gone)}: rows holding it make the migration fail",
                place,
            )
        if extra:
            self.add("db-enum-value-added", f"{table}.{after.name} also accepts {', '.join(extra)}", place)

    # --- relations -----------------------------------------------------------------------------

    def _relations(self, previous: Entity, entity: Entity) -> None:
        pairs, removed, added = pair(previous.relations, entity.relations)
        table = entity.table
        for relation in removed:
            if relation.link_table:
                self._link_dropped(relation)
            else:
                self.add(
                    "db-column-dropped",
                    f"column {table}.{relation.fk_name} is dropped ({relation.name} removed): its values are lost",
                    self.places.old(relation.path),
                )
        for relation in added:
            if relation.link_table:
                self._link_added(relation)
            else:
                self._column_added(entity, relation.fk_name or "", relation.nullable, False, relation.path)
        for before, after in pairs:
            if before.kind != after.kind or (before.link_table is None) != (after.link_table is None):
                self.add(
                    "db-column-type-changed",
                    f"{entity.name}.{after.name} changes from {before.kind} to {after.kind}: the links are "
                    "stored elsewhere and the old ones are not moved",
                    self.places.new((*after.path, "kind")),
                )
                continue
            if before.fk_name and after.fk_name and before.fk_name != after.fk_name:
                self.add(
                    "db-column-renamed",
                    f"column {table}.{before.fk_name} is renamed {after.fk_name}: its values are kept",
                    self.places.new((*after.path, "renamed_from")),
                )
            if before.link_table and after.link_table and before.link_table != after.link_table:
                self.add(
                    "db-table-renamed",
                    f"link table {before.link_table} is renamed {after.link_table}: the links are kept",
                    self.places.new(after.path),
                )
            if after.fk_name and before.nullable and not after.nullable:
                self.add(
                    "db-not-null-added",
                    f"{table}.{after.fk_name} becomes NOT NULL: rows without a {after.name} make the migration fail",
                    self.places.new((*after.path, "required")),
                )
            elif after.fk_name and after.nullable and not before.nullable:
                self.add("db-null-allowed", f"{table}.{after.fk_name} accepts null", self.places.new(after.path))
            if after.fk_name and before.on_delete != after.on_delete:
                self.add(
                    "db-on-delete-changed",
                    f"deleting a {after.target_table} row now does {after.on_delete} on {table}.{after.fk_name} "
                    f"(was {before.on_delete})",
                    self.places.new((*after.path, "on_delete")),
                )

    def _unique_together(self, previous: Entity, entity: Entity) -> None:
        old = {tuple(group.columns): group for group in previous.unique_together}
        new = {tuple(group.columns): group for group in entity.unique_together}
        for columns in [c for c in new if c not in old]:
            self.add(
                "db-unique-together-added",
                f"({', '.join(columns)}) becomes unique on {entity.table}: duplicate rows make the migration fail",
                self.places.new(new[columns].path),
            )
        for columns in [c for c in old if c not in new]:
            self.add(
                "db-constraint-dropped",
                f"the unique constraint on ({', '.join(columns)}) of {entity.table} is dropped",
                self.places.old(old[columns].path),
            )


def _column_type(f: Field) -> str:
    """The SQL type a field's column has (the models' mapping, named the way a DBA reads it)."""
    if f.type in _VARCHAR:
        return f"VARCHAR({f.max_length})"
    if f.type == "decimal":
        return f"NUMERIC({f.max_digits}, {f.decimal_places})"
    return {
        "text": "TEXT",
        "integer": "BIGINT",
        "number": "DOUBLE PRECISION",
        "boolean": "BOOLEAN",
        "date": "DATE",
        "datetime": "TIMESTAMP WITH TIME ZONE",
        "uuid": "UUID",
        "json": "JSON",
        "enum": "VARCHAR (enum)",
    }[f.type]
