"""API checks: what a client of the contract sees change between two domain models."""

from __future__ import annotations

from typing import Protocol

from ..domain.model import Domain, Entity, Field, Path, Relation
from .pairs import pair
from .places import Places
from .report import Change
from .surface import Member, Surface, Wire

_OPS = ("list", "create", "read", "update", "delete")


def api_changes(old: Domain, new: Domain, places: Places) -> list[Change]:
    return _ApiDiff(old, new, places).run()


class _ApiDiff:
    def __init__(self, old: Domain, new: Domain, places: Places) -> None:
        self.old, self.new = old, new
        self.before, self.after = Surface(old), Surface(new)
        self.places = places
        self.changes: list[Change] = []

    def add(self, code: str, message: str, location: str, operations: tuple[str, ...] = ()) -> None:
        self.changes.append(Change(code, message, location, operations))

    def run(self) -> list[Change]:
        self._service()
        pairs, removed, added = pair(self.old.entities, self.new.entities)
        for entity in removed:
            paths = ", ".join(sorted({op.split(" ", 1)[1] for op in self.before.reading(entity)})) or "none"
            self.add(
                "api-path-removed",
                f"{entity.name} is removed: its operations are gone (paths {paths})",
                self.places.old(entity.path),
                tuple(self.before.operation(entity, name) for name in entity.operations),
            )
        for entity in added:
            self.add(
                "api-path-added",
                f"{entity.name} is new: {self.after.collection(entity)}",
                self.places.new(entity.path),
            )
        for previous, entity in pairs:
            self._entity(previous, entity)
        return self.changes

    # --- the service -------------------------------------------------------------------------

    def _service(self) -> None:
        old, new = self.old.service, self.new.service
        everything = self.after.everything()
        if old.base_path != new.base_path:
            self.add(
                "api-base-path-changed",
                f"the base path changed from {old.base_path} to {new.base_path}: every path moves",
                self.places.new(("service", "base_path")),
                everything,
            )
        if old.id_type != new.id_type:
            self.add(
                "api-id-type-changed",
                f"ids changed from {old.id_type} to {new.id_type}: every id a client holds is invalid",
                self.places.new(("service", "id_type")),
                everything,
            )
        before, after = self.old.auth.scheme, self.new.auth.scheme
        if before != after:
            code = "api-security-removed" if after == "none" else "api-security-scheme-changed"
            self.add(
                code,
                f"authentication changed from {before} to {after}",
                self.places.new(("auth", "scheme")),
                everything,
            )
        for attribute in ("title", "description", "contact", "license"):
            if getattr(old, attribute) != getattr(new, attribute):
                self._documentation(f"service.{attribute}", ("service", attribute))

    def _documentation(self, what: str, path: Path) -> None:
        self.add("api-documentation-changed", f"{what} changed (documentation only)", self.places.new(path))

    # --- one entity --------------------------------------------------------------------------

    def _entity(self, previous: Entity, entity: Entity) -> None:
        here = self.places.new(entity.path)
        if previous.name != entity.name or previous.segment != entity.segment:
            moved = previous.segment != entity.segment
            detail = (
                f"its paths move from {self.before.collection(previous)} to {self.after.collection(entity)}"
                if moved
                else "its schema names change (generated clients rename their types)"
            )
            self.add(
                "api-entity-renamed",
                f"{previous.name} is renamed {entity.name}: {detail}",
                self.places.new((*entity.path, "renamed_from")),
                tuple(self.after.operation(entity, name) for name in entity.operations),
            )
        if previous.description != entity.description:
            self._documentation(f"{entity.name}.description", (*entity.path, "description"))
        for name in _OPS:
            if name in previous.operations and name not in entity.operations:
                self.add(
                    "api-operation-removed",
                    f"{self.before.operation(previous, name)} ({name} of {entity.name}) is removed",
                    self.places.new((*entity.path, "operations")),
                    (self.before.operation(previous, name),),
                )
            elif name in entity.operations and name not in previous.operations:
                self.add(
                    "api-operation-added",
                    f"{self.after.operation(entity, name)} ({name} of {entity.name}) is new",
                    self.places.new((*entity.path, "operations")),
                )
            elif name in entity.operations and previous.operation_ids[name] != entity.operation_ids[name]:
                self.add(
                    "api-operation-id-changed",
                    f"the operationId of {self.after.operation(entity, name)} changed from "
                    f"{previous.operation_ids[name]} to {entity.operation_ids[name]}",
                    here,
                    (self.after.operation(entity, name),),
                )
        self._scopes(previous, entity)
        self._renames(previous, entity)
        both = set(previous.operations) & set(entity.operations)
        if "create" in both:
            self._request(previous, entity, "create")
        if "update" in both:
            self._request(previous, entity, "update")
        if both - {"delete"}:
            self._response(previous, entity)
        if "list" in both:
            self._parameters(previous, entity)
        self._inverses(previous, entity)
        for old_field, new_field in pair(previous.fields, entity.fields)[0]:
            if old_field.description != new_field.description:
                self._documentation(f"{entity.name}.{new_field.name} description", (*new_field.path, "description"))

    def _scopes(self, previous: Entity, entity: Entity) -> None:
        if self.new.auth.scheme == "none" or self.old.auth.scheme == "none":
            return
        for kind, before, after, operations in (
            ("read", previous.read_scope, entity.read_scope, self.after.read_scoped(entity)),
            ("write", previous.write_scope, entity.write_scope, self.after.write_scoped(entity)),
        ):
            if before != after and operations:
                self.add(
                    "api-security-scope-changed",
                    f"the {kind} operations of {entity.name} need the scope {after} instead of {before}: "
                    f"tokens granted only {before} get 403",
                    self.places.new((*entity.path, "auth", kind)),
                    operations,
                )

    def _inverses(self, previous: Entity, entity: Entity) -> None:
        old = {inverse.name: inverse for inverse in previous.inverses}
        new = {inverse.name: inverse for inverse in entity.inverses}
        collection = self.after.collection(entity)
        for name in sorted(set(old) - set(new)):
            path = f"{self.before.collection(previous)}/{{id}}/{old[name].segment}"
            self.add(
                "api-path-removed",
                f"the listing {path} ({old[name].source_plural} of a {entity.name.lower()}) is removed",
                self.places.old(old[name].path),
                (f"GET {path}",),
            )
        for name in sorted(set(new) - set(old)):
            self.add(
                "api-path-added",
                f"the listing {collection}/{{id}}/{new[name].segment} is new",
                self.places.new(new[name].path),
            )
        for name in sorted(set(old) & set(new)):
            if old[name].operation_id != new[name].operation_id:
                self.add(
                    "api-operation-id-changed",
                    f"the operationId of the listing {collection}/{{id}}/{new[name].segment} changed from "
                    f"{old[name].operation_id} to {new[name].operation_id}",
                    self.places.new(new[name].path),
                    (f"GET {collection}/{{id}}/{new[name].segment}",),
                )

    # --- bodies ------------------------------------------------------------------------------

    def _matched(
        self, previous: Entity, entity: Entity, mode: str
    ) -> tuple[list[tuple[Member, Member]], list[Member], list[Member]]:
        """Members of the two schemas, matched through the fields and relations they come from."""
        old = self.before.members(previous, mode)
        new = self.after.members(entity, mode)
        renamed = {_wire_name(a): _wire_name(b) for a, b in self._nodes(previous, entity)}
        pairs = []
        for name, member in old.items():
            counterpart = renamed.get(name, name)
            if counterpart in new:
                pairs.append((member, new[counterpart]))
        paired_old = {a.name for a, _ in pairs}
        paired_new = {b.name for _, b in pairs}
        removed = [m for name, m in old.items() if name not in paired_old]
        added = [m for name, m in new.items() if name not in paired_new]
        return pairs, removed, added

    def _request(self, previous: Entity, entity: Entity, mode: str) -> None:
        schema = entity.create_schema if mode == "create" else entity.update_schema
        operation = (self.after.operation(entity, mode),)
        pairs, removed, added = self._matched(previous, entity, mode)
        for member in removed:
            self.add(
                "request-property-removed",
                f"{schema}.{member.name} is no longer accepted: bodies that send it are refused",
                self._member_place(member, entity, old=True),
                operation,
            )
        for member in added:
            code = "new-required-request-property" if member.required else "new-optional-request-property"
            why = ": existing clients omit it" if member.required else ""
            self.add(code, f"{schema}.{member.name} is new{why}", self._member_place(member, entity), operation)
        for before, after in pairs:
            label = f"{schema}.{after.name}"
            if after.required and not before.required:
                self.add(
                    "request-property-became-required",
                    f"{label} is now required: existing clients omit it",
                    self._member_place(after, entity, "required"),
                    operation,
                )
            elif before.required and not after.required:
                self.add(
                    "request-property-became-optional",
                    f"{label} is now optional",
                    self._member_place(after, entity, "required"),
                    operation,
                )
            self._request_member(label, before, after, entity, operation, defaults=mode == "create")

    @staticmethod
    def _nodes(previous: Entity, entity: Entity) -> list[tuple[Field | Relation, Field | Relation]]:
        """The fields and relations of an entity matched with their previous selves."""
        fields: list[tuple[Field | Relation, Field | Relation]] = list(pair(previous.fields, entity.fields)[0])
        return fields + list(pair(previous.relations, entity.relations)[0])

    def _renames(self, previous: Entity, entity: Entity) -> None:
        for before, after in self._nodes(previous, entity):
            if _wire_name(before) != _wire_name(after):
                self.add(
                    "api-property-renamed",
                    f"{entity.name}.{_wire_name(before)} is renamed {_wire_name(after)}: clients send and read "
                    "the old name",
                    self.places.new((*after.path, "renamed_from")),
                    self.after.reading(entity),
                )

    def _request_member(
        self, label: str, before: Member, after: Member, entity: Entity, operation: tuple[str, ...], *, defaults: bool
    ) -> None:
        old, new = before.wire, after.wire

        def report(code: str, message: str, key: str | None = None) -> None:
            self.add(code, f"{label} {message}", self._member_place(after, entity, key), operation)

        if old.kind != new.kind:
            report("request-property-type-changed", f"changed from {_kind(old)} to {_kind(new)}", "type")
            return
        if old.nullable and not new.nullable:
            report("request-property-became-not-nullable", "no longer accepts null", "nullable")
        elif new.nullable and not old.nullable:
            report("request-property-became-nullable", "now accepts null", "nullable")
        if old.enum is not None and new.enum is not None:
            gone = [value for value in old.enum if value not in new.enum]
            extra = [value for value in new.enum if value not in old.enum]
            place = self._enum_place(after)
            if gone:
                self.add(
                    "request-property-enum-value-removed",
                    f"{label} no longer accepts {', '.join(gone)}",
                    place,
                    operation,
                )
            if extra:
                self.add(
                    "request-property-enum-value-added", f"{label} also accepts {', '.join(extra)}", place, operation
                )
        if new.format == "decimal":
            self._decimal(label, before, after, report)
        else:
            self._bounds(old, new, report)
        if defaults and (old.has_default or new.has_default) and (old.default != new.default):
            shown = repr(new.default) if new.has_default else "none"
            report("request-property-default-changed", f"has the default {shown} instead of {old.default!r}", "default")

    @staticmethod
    def _bounds(old: Wire, new: Wire, report: _Report) -> None:
        widened: list[str] = []
        for key, name, smaller_is_narrower in (
            ("max_length", "maxLength", True),
            ("min_length", "minLength", False),
            ("maximum", "maximum", True),
            ("minimum", "minimum", False),
        ):
            before, after = getattr(old, key), getattr(new, key)
            if before == after:
                continue
            if after is not None and (before is None or (after < before) == smaller_is_narrower):
                code = {
                    "max_length": "request-property-max-length-decreased",
                    "min_length": "request-property-min-length-increased",
                    "maximum": "request-property-max-decreased",
                    "minimum": "request-property-min-increased",
                }[key]
                report(code, f"{name} is {after} (was {before if before is not None else 'unbounded'})", key)
            else:
                widened.append(f"{name} {before} -> {after if after is not None else 'unbounded'}")
        if new.pattern and new.pattern != old.pattern:
            report("request-property-pattern-changed", f"must match {new.pattern!r} (was {old.pattern!r})", "pattern")
        elif old.pattern and not new.pattern:
            widened.append("no pattern")
        if widened:
            report("request-property-widened", f"accepts more: {', '.join(widened)}")

    @staticmethod
    def _decimal(label: str, before: Member, after: Member, report: _Report) -> None:
        old, new = before.node, after.node
        if not isinstance(old, Field) or not isinstance(new, Field):
            return
        digits = (old.max_digits or 18, old.decimal_places or 0)
        now = (new.max_digits or 18, new.decimal_places or 0)
        if now[0] < digits[0] or now[1] < digits[1] or now[0] - now[1] < digits[0] - digits[1]:
            report(
                "request-property-precision-decreased",
                f"takes {now[0]} digits, {now[1]} after the point (was {digits[0]}, {digits[1]})",
                "max_digits" if now[0] != digits[0] else "decimal_places",
            )
        for key, code, sign in (
            ("minimum", "request-property-min-increased", 1),
            ("maximum", "request-property-max-decreased", -1),
        ):
            was, value = getattr(old, key), getattr(new, key)
            if value is not None and (was is None or sign * (value - was) > 0):
                report(code, f"{key} is {value} (was {was if was is not None else 'unbounded'})", key)
        if old.minimum is not None and old.minimum >= 0 and (new.minimum is None or new.minimum < 0):
            report("request-property-widened", "accepts negative values", "minimum")

    def _response(self, previous: Entity, entity: Entity) -> None:
        operations = self.after.reading(entity)
        pairs, removed, added = self._matched(previous, entity, "read")
        for member in removed:
            self.add(
                "response-property-removed",
                f"{entity.name}.{member.name} is no longer returned",
                self._member_place(member, entity, old=True),
                operations,
            )
        for member in added:
            self.add(
                "response-property-added", f"{entity.name}.{member.name} is new", self._member_place(member, entity)
            )
        for before, after in pairs:
            label = f"{entity.name}.{after.name}"
            old, new = before.wire, after.wire
            if old.kind != new.kind:
                self.add(
                    "response-property-type-changed",
                    f"{label} changed from {_kind(old)} to {_kind(new)}",
                    self._member_place(after, entity, "type"),
                    operations,
                )
                continue
            if new.nullable and not old.nullable:
                self.add(
                    "response-property-became-nullable",
                    f"{label} may now be null: clients that read it unguarded break",
                    self._member_place(after, entity, "nullable"),
                    operations,
                )
            elif old.nullable and not new.nullable:
                self.add(
                    "response-property-became-not-nullable",
                    f"{label} is never null now",
                    self._member_place(after, entity, "nullable"),
                    operations,
                )
            if old.enum is not None and new.enum is not None:
                extra = [value for value in new.enum if value not in old.enum]
                if extra:
                    self.add(
                        "response-property-enum-value-added",
                        f"{label} may now be {', '.join(extra)}: clients with exhaustive enums break",
                        self._enum_place(after),
                        operations,
                    )

    # --- list parameters ---------------------------------------------------------------------

    def _parameters(self, previous: Entity, entity: Entity) -> None:
        old, new = self.before.parameters(previous), self.after.parameters(entity)
        listing = self.after.operation(entity, "list")
        columns = {f.param: f.column for f in entity.listing.filters}
        old_columns = {f.param: f.column for f in previous.listing.filters}

        def place(name: str, *, old_file: bool = False) -> str:
            source = previous if old_file else entity
            known = old_columns if old_file else columns
            if name in known:
                member = _member_name(source, known[name])
                step: tuple[str, ...] = ("list", "filter", member)
            else:
                step = {"q": ("list", "search"), "sort": ("list", "sort"), "limit": ("list", "max_page_size")}.get(
                    name, ("list",)
                )
            return (self.places.old if old_file else self.places.new)((*source.path, *step))

        for name in sorted(old.keys() - new.keys()):
            self.add(
                "request-parameter-removed",
                f"the {name} parameter of {listing} is gone",
                place(name, old_file=True),
                (listing,),
            )
        for name in sorted(new.keys() - old.keys()):
            self.add("request-parameter-added", f"{listing} has the new parameter {name}", place(name))
        for name in sorted(old.keys() & new.keys()):
            before, after = old[name], new[name]
            if before.kind != after.kind:
                self.add(
                    "request-parameter-type-changed",
                    f"the {name} parameter of {listing} changed from {_kind(before)} to {_kind(after)}",
                    place(name),
                    (listing,),
                )
                continue
            if before.enum is not None and after.enum is not None:
                gone = [value for value in before.enum if value not in after.enum]
                extra = [value for value in after.enum if value not in before.enum]
                if gone:
                    self.add(
                        "request-parameter-enum-value-removed",
                        f"the {name} parameter of {listing} no longer accepts {', '.join(gone)}",
                        place(name),
                        (listing,),
                    )
                if extra:
                    self.add(
                        "request-parameter-enum-value-added",
                        f"the {name} parameter of {listing} also accepts {', '.join(extra)}",
                        place(name),
                    )
            narrower = after.maximum is not None and before.maximum is not None and after.maximum < before.maximum
            if name == "limit" and narrower:
                self.add(
                    "request-parameter-max-decreased",
                    f"limit of {listing} is at most {after.maximum} (was {before.maximum})",
                    place(name),
                    (listing, *self.after.inverse_listings(entity)),
                )
            if before.has_default and after.has_default and before.default != after.default:
                key = {"limit": ("list", "page_size"), "sort": ("list", "default_sort")}.get(name, ("list",))
                self.add(
                    "request-parameter-default-value-changed",
                    f"the default {name} of {listing} is {after.default} (was {before.default})",
                    self.places.new((*entity.path, *key)),
                    (listing,),
                )

    # --- places ------------------------------------------------------------------------------

    def _member_place(self, member: Member, entity: Entity, key: str | None = None, *, old: bool = False) -> str:
        node = member.node
        where = self.places.old if old else self.places.new
        if node is None:
            return where(entity.path)
        return where((*node.path, key) if key else node.path)

    def _enum_place(self, member: Member) -> str:
        node = member.node
        if isinstance(node, Field) and node.enum:
            return self.places.new(("enums", node.enum, "values"))
        return self.places.new(node.path if node else ())


class _Report(Protocol):
    def __call__(self, code: str, message: str, key: str | None = None) -> None: ...


def _kind(wire: Wire) -> str:
    if wire.type == "array":
        return f"array of {wire.items or 'values'}"
    return f"{wire.type} ({wire.format})" if wire.format else wire.type


def _wire_name(node: Field | Relation) -> str:
    if isinstance(node, Relation):
        return node.fk_name or node.ids_name or node.name
    return node.name


def _member_name(entity: Entity, column: str) -> str:
    """The name `list.filter` writes for a filtered column (a relation for its foreign key)."""
    for relation in entity.relations:
        if relation.fk_name == column:
            return relation.name
    return column
