"""The semantic layer of validation: rules the JSON Schema cannot express.

Runs on the domain model built from structurally valid data; every problem points at the
node in the file that causes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from .build import BUILTIN_SORT_KEYS, SQL_NAME_LIMIT
from .errors import Problem, did_you_mean
from .model import (
    NUMERIC_TYPES,
    RESERVED_FIELDS,
    SCALAR_TYPES,
    STRING_TYPES,
    Domain,
    Entity,
    Field,
    Path,
    Relation,
)
from .source import Document
from .values import value_problem

SUGGESTION_BUDGET = 50_000  # names compared for "did you mean" suggestions, per file
RESERVED_COMPONENTS = ("Problem", "ValidationProblem", "ValidationError")
RESERVED_TABLES = ("idempotency_records", "alembic_version")
RESERVED_QUERY_PARAMS = ("limit", "cursor", "sort", "q")
_APPLIES_TO = {
    "min_length": STRING_TYPES,
    "max_length": STRING_TYPES,
    "pattern": STRING_TYPES,
    "minimum": NUMERIC_TYPES,
    "maximum": NUMERIC_TYPES,
    "max_digits": ("decimal",),
    "decimal_places": ("decimal",),
}
# MariaDB/MySQL with utf8mb4 (4 bytes a character): the longest VARCHAR, and the row size
# limit that every VARCHAR counts against with its full length (TEXT/JSON count ~12 bytes).
MYSQL_VARCHAR_CHARS = 16383
MYSQL_ROW_BYTES = 65535
_VARCHAR_TYPES = ("string", "email", "url")
_FIXED_BYTES = {"integer": 8, "number": 8, "boolean": 1, "date": 3, "datetime": 8, "decimal": 30}
_UNSORTABLE = ("json", "text")
_UNFILTERABLE = ("json",)


def semantic_problems(document: Document, domain: Domain) -> list[Problem]:
    checker = _Checker(document, domain)
    checker.run()
    return checker.problems


class _Checker:
    def __init__(self, document: Document, domain: Domain) -> None:
        self.document = document
        self.domain = domain
        self.problems: list[Problem] = []
        self.suggestion_budget = SUGGESTION_BUDGET
        self.enums = {enum.name: enum for enum in domain.enums}
        self.entities = {entity.name: entity for entity in domain.entities}

    def hint(self, name: str, candidates: Iterable[str]) -> str:
        """A "did you mean" suffix, within a budget of name comparisons: a huge file with
        thousands of misspelt references would otherwise take minutes (quadratic)."""
        options = set(candidates)
        if len(options) > self.suggestion_budget:
            return ""
        self.suggestion_budget -= len(options)
        return did_you_mean(name, options)

    def report(self, path: Path, message: str, *, key: bool = False) -> None:
        self.problems.append(self.document.problem(path, message, key=key))

    def raw(self, path: Path) -> Any:
        node: Any = self.document.data
        for part in path:
            node = node[part]
        return node

    def run(self) -> None:
        self.check_enums()
        self.check_global_names()
        self.check_auth()
        for entity in self.domain.entities:
            self.check_entity(entity)
        self.check_required_cycles()

    # -- enums and names shared across the domain -------------------------------------

    def check_enums(self) -> None:
        for enum in self.domain.enums:
            raw = self.raw(enum.path)
            values_path = enum.path if isinstance(raw, list) else (*enum.path, "values")
            if not enum.values:
                self.report(enum.path, f"enum `{enum.name}` has no values")
            seen: set[str] = set()
            for index, value in enumerate(enum.values):
                if value in seen:
                    self.report((*values_path, index), f"duplicate value `{value}` in `{enum.name}`")
                seen.add(value)

    def check_global_names(self) -> None:
        components: dict[str, str] = {name: "a built-in schema" for name in RESERVED_COMPONENTS}
        for enum in self.domain.enums:
            self._claim(components, enum.name, f"enum `{enum.name}`", enum.path)
        for entity in self.domain.entities:
            for name, role in (
                (entity.name, f"entity `{entity.name}`"),
                (entity.create_schema, f"the create schema of `{entity.name}`"),
                (entity.update_schema, f"the update schema of `{entity.name}`"),
                (entity.page_schema, f"the page schema of `{entity.name}`"),
            ):
                self._claim(components, name, role, entity.path)
        tables: dict[str, str] = {name: "a built-in table" for name in RESERVED_TABLES}
        for enum in self.domain.enums:
            self._claim(tables, enum.sql_name, f"the database type of enum `{enum.name}`", enum.path)
        plurals: dict[str, str] = {}
        segments: dict[str, str] = {}
        modules: dict[str, str] = {}
        classes: dict[str, str] = {}
        operation_ids: dict[str, str] = {}
        for entity in self.domain.entities:
            role = f"entity `{entity.name}`"
            # One name clash usually drags the others along (same plural -> same table, URL path
            # and operation ids): report the first clash of the entity only.
            claims = [
                (plurals, entity.plural, f"the plural of {role}"),
                (segments, entity.segment, f"the URL path of {role}"),
                (tables, entity.table, f"the table of {role}"),
                (modules, entity.module, f"the module name of {role}"),
                (classes, entity.class_name, f"the model class of {role}"),
                *(
                    (operation_ids, entity.operation_ids[op], f"the {op} operation of {role}")
                    for op in entity.operations
                ),
            ]
            clashed = False
            for taken, name, what in claims:
                if name in taken and clashed:
                    continue
                clashed = clashed or name in taken
                self._claim(taken, name, what, entity.path)
            for relation in entity.relations:
                if relation.link_table:
                    link_role = f"the link table of `{entity.name}.{relation.name}`"
                    self._claim(tables, relation.link_table, link_role, relation.path)
            for inverse in entity.inverses:
                inverse_role = f"inverse `{inverse.name}`"
                if operation_ids.get(inverse.operation_id) == inverse_role:
                    continue  # a repeated inverse name, reported by check_wire_names
                self._claim(operation_ids, inverse.operation_id, inverse_role, inverse.path)
        for entity in self.domain.entities:
            self._check_sql_length(entity.table, f"table name `{entity.table}`", entity.path)
            for field in entity.fields:
                self._check_sql_length(field.name, f"column name `{field.name}`", field.path)
            for relation in entity.relations:
                if relation.fk_name:
                    self._check_sql_length(relation.fk_name, f"column name `{relation.fk_name}`", relation.path)
                if relation.link_table:
                    what = f"link table name `{relation.link_table}`"
                    self._check_sql_length(relation.link_table, what, relation.path)
                for column in (relation.link_source_column, relation.link_target_column):
                    if column:
                        self._check_sql_length(column, f"link table column `{column}`", relation.path)

    def _claim(self, taken: dict[str, str], name: str, role: str, path: Path) -> None:
        if name in taken:
            self.report(path, f"{role} is named `{name}`, which is already {taken[name]}", key=True)
        else:
            taken[name] = role

    def _check_sql_length(self, name: str, what: str, path: Path) -> None:
        if len(name) > SQL_NAME_LIMIT:
            limit = f"the {SQL_NAME_LIMIT}-character limit of PostgreSQL"
            self.report(path, f"{what} is {len(name)} characters, over {limit}", key=True)

    # -- auth ----------------------------------------------------------------------------

    def check_auth(self) -> None:
        raw_auth = self.document.data.get("auth") or {}
        declared = raw_auth.get("scopes") or {}
        defaults = {scope for e in self.domain.entities for scope in (f"{e.plural}:read", f"{e.plural}:write")}
        if self.domain.auth.scheme == "none" and declared:
            self.report(("auth", "scopes"), "scopes have no effect with `scheme: none`", key=True)
        for entity in self.domain.entities:
            raw = self.raw(entity.path).get("auth")
            if not raw:
                continue
            if self.domain.auth.scheme == "none":
                message = f"entity `{entity.name}` sets scopes, but auth.scheme is `none`"
                self.report((*entity.path, "auth"), message, key=True)
                continue
            known = set(declared) | defaults
            for access in ("read", "write"):
                scope = raw.get(access)
                if scope is not None and scope not in known:
                    hint = self.hint(scope, known)
                    where = "auth.scopes" if declared else "auth.scopes (none are declared)"
                    message = f"unknown scope `{scope}`{hint}: declare it in {where}"
                    self.report((*entity.path, "auth", access), message)

    # -- entities ------------------------------------------------------------------------

    def check_entity(self, entity: Entity) -> None:
        for field in entity.fields:
            self.check_field(entity, field)
        for relation in entity.relations:
            self.check_relation(entity, relation)
        self.check_wire_names(entity)
        self.check_unique_together(entity)
        self.check_list(entity)
        self.check_row_size(entity)

    def check_field(self, entity: Entity, field: Field) -> None:
        reported = len(self.problems)
        raw = self.raw(field.path)
        long = raw if isinstance(raw, dict) else {}
        type_path = (*field.path, "type") if long else field.path
        if field.name in RESERVED_FIELDS:
            message = f"`{field.name}` is reserved: every entity has {', '.join(RESERVED_FIELDS)}"
            self.report(field.path, message, key=True)
        if field.type == "enum" and field.enum not in self.enums:
            if field.enum in self.entities:
                message = (
                    f"`{field.enum}` is an entity, not a field type: declare a relation instead "
                    f"(relations: {{{field.name}: {{to: {field.enum}, kind: many_to_one}}}})"
                )
                self.report(type_path, message)
                return
            known = [*SCALAR_TYPES, *self.enums]
            hint = self.hint(field.enum or "", known)
            self.report(type_path, f"unknown type `{field.enum}`{hint}")
            return
        enum_values = self.enums[field.enum].values if field.enum else None
        type_label = field.enum if field.type == "enum" else field.type
        for key, types in _APPLIES_TO.items():
            if key in long and field.type not in types:
                message = f"`{key}` does not apply to {_article(type_label)} field"
                self.report((*field.path, key), message, key=True)
        self._check_bounds(field, long)
        if field.type in _VARCHAR_TYPES and (field.max_length or 0) > MYSQL_VARCHAR_CHARS:
            message = (
                f"`max_length` ({field.max_length}) is over {MYSQL_VARCHAR_CHARS:,}, the longest string "
                "MariaDB/MySQL store in a VARCHAR: use `text`"
            )
            self.report((*field.path, "max_length"), message, key=True)
        if field.pattern is not None:
            try:
                re.compile(field.pattern)
            except (re.error, OverflowError, RecursionError) as error:
                # OverflowError: `a{99999999999}`; RecursionError: thousands of nested groups
                reason = error if isinstance(error, re.error | OverflowError) else "too deeply nested"
                self.report((*field.path, "pattern"), f"invalid regular expression: {reason}")
        self._check_flags(field, long, type_label)
        for key in ("default", "example"):
            if key in long:
                problem = value_problem(field, long[key], enum_values)
                if problem:
                    self.report((*field.path, key), f"{key} does not fit the field: {problem}")
        if not field.samples and len(self.problems) == reported:
            # generated tests and contract examples need values; usually the bounds leave none
            if field.pattern:
                message = "no value matching this pattern could be built: add an `example`"
                self.report((*field.path, "pattern"), message)
            else:
                message = "no value that fits this field's constraints could be built: check them, or add an `example`"
                self.report(field.path, message, key=True)

    def _check_bounds(self, field: Field, long: dict[str, Any]) -> None:
        pairs = (("min_length", "max_length"), ("minimum", "maximum"))
        for low, high in pairs:
            if low in long and high in long and long[low] > long[high]:
                message = f"`{low}` ({long[low]}) is greater than `{high}` ({long[high]})"
                self.report((*field.path, low), message, key=True)
        if (
            "min_length" in long
            and "max_length" not in long
            and field.max_length is not None
            and long["min_length"] > field.max_length
        ):
            message = (
                f"`min_length` ({long['min_length']}) is greater than the default `max_length` "
                f"({field.max_length}) of {_article(field.type)} field"
            )
            self.report((*field.path, "min_length"), message, key=True)
        if (
            field.max_digits is not None
            and field.decimal_places is not None
            and field.decimal_places > field.max_digits
        ):
            message = f"`decimal_places` ({field.decimal_places}) is greater than `max_digits` ({field.max_digits})"
            self.report((*field.path, "decimal_places"), message, key=True)

    def _check_flags(self, field: Field, long: dict[str, Any], type_label: str | None) -> None:
        if field.read_only and field.write_only:
            self.report(field.path, "a field cannot be both read_only and write_only", key=True)
        if field.read_only and field.immutable:
            self.report(
                (*field.path, "immutable"),
                "a read_only field is never written: drop `immutable`",
                key=True,
            )
        if field.read_only and not field.has_default and not field.nullable:
            message = "a read_only field needs a default or `nullable: true`: the API never sets it"
            self.report(field.path, message, key=True)
        written_required = long.get("required")
        if written_required is True and field.has_default:
            message = "a field with a default is optional on create: drop `required: true`"
            self.report((*field.path, "required"), message, key=True)
        if written_required is False and not field.nullable and not field.has_default and not field.read_only:
            message = "an optional field that is not nullable needs a default"
            self.report(field.path, message, key=True)
        if field.unique and field.type in ("text", "json"):
            message = f"{_article(type_label).capitalize()} field cannot be unique (use a bounded string)"
            self.report((*field.path, "unique"), message, key=True)
        if field.index and field.type in ("json", "text") and long.get("index"):
            message = f"{_article(type_label).capitalize()} field cannot be indexed"
            self.report((*field.path, "index"), message, key=True)

    def check_relation(self, entity: Entity, relation: Relation) -> None:
        raw = self.raw(relation.path)
        if relation.target in self.enums:
            message = f"`{relation.target}` is an enum, not an entity: use a field of type `{relation.target}`"
            self.report((*relation.path, "to"), message)
        elif relation.target not in self.entities:
            hint = self.hint(relation.target, self.entities)
            self.report((*relation.path, "to"), f"unknown entity `{relation.target}`{hint}")
        if relation.kind == "many_to_many":
            for key in ("on_delete", "required"):
                if key in raw:
                    message = f"`{key}` applies to many_to_one and one_to_one relations only"
                    self.report((*relation.path, key), message, key=True)
        elif relation.on_delete == "set_null" and relation.required:
            message = "`on_delete: set_null` needs `required: false`: the foreign key must allow null"
            self.report((*relation.path, "on_delete"), message)
        if relation.name in RESERVED_FIELDS:
            self.report(relation.path, f"`{relation.name}` is a reserved name", key=True)

    def check_wire_names(self, entity: Entity) -> None:
        """Fields, relations, foreign keys and id lists share one namespace per entity."""
        seen: dict[str, str] = {name: "a built-in field" for name in RESERVED_FIELDS}
        attrs: dict[str, str] = {name: "a built-in field" for name in RESERVED_FIELDS}
        for field in entity.fields:
            if field.name in RESERVED_FIELDS:
                continue  # reported with the field
            self._claim(seen, field.name, f"field `{field.name}`", field.path)
            self._claim(attrs, field.attr, f"the Python name of field `{field.name}`", field.path)
        for relation in entity.relations:
            role = f"relation `{relation.name}`"
            if relation.name not in RESERVED_FIELDS:
                self._claim(seen, relation.name, role, relation.path)
                self._claim(attrs, relation.attr, f"the Python name of {role}", relation.path)
            extra = relation.fk_name or relation.ids_name
            if extra and extra not in RESERVED_FIELDS:
                self._claim(seen, extra, f"the wire name of {role}", relation.path)
        inverses: dict[str, str] = dict(seen)
        for inverse in entity.inverses:
            self._claim(inverses, inverse.name, f"inverse `{inverse.name}`", inverse.path)

    def check_unique_together(self, entity: Entity) -> None:
        fields = {f.name for f in entity.fields}
        to_one = {r.name for r in entity.relations if r.fk_name}
        many = {r.name for r in entity.relations if r.ids_name}
        for group in entity.unique_together:
            seen: set[str] = set()
            for index, member in enumerate(group.members):
                where = (*group.path, index)
                if member in seen:
                    self.report(where, f"`{member}` is listed twice")
                elif member in many:
                    self.report(
                        where,
                        f"many_to_many relation `{member}` cannot be part of a unique constraint",
                    )
                elif member not in fields and member not in to_one:
                    hint = self.hint(member, fields | to_one)
                    self.report(where, f"unknown field or relation `{member}`{hint}")
                seen.add(member)

    def check_list(self, entity: Entity) -> None:
        path = (*entity.path, "list")
        raw = self.raw(entity.path).get("list")
        if raw is None:
            return
        if "list" not in entity.operations:
            self.report(path, "list options are set, but the list operation is disabled", key=True)
        fields = {f.name: f for f in entity.fields}
        relations = {r.name: r for r in entity.relations}
        known = set(fields) | set(relations)
        params: dict[str, str] = {p: "a built-in query parameter" for p in RESERVED_QUERY_PARAMS}
        for index, name in enumerate(raw.get("filter", [])):
            where = (*path, "filter", index)
            for message in self._filter_problems(name, fields, relations, known):
                self.report(where, message)
            relation = relations.get(name)
            column = relation.fk_name if relation else name
            for item in entity.listing.filters:
                if item.column == column:
                    kind = "filter" if item.op == "eq" else f"`{item.param.removeprefix(name)}` range filter"
                    self._claim(params, item.param, f"the {kind} on `{name}`", where)
        for index, name in enumerate(raw.get("sort", [])):
            problem = self._sort_problem(name, fields, relations)
            if problem:
                self.report((*path, "sort", index), problem)
        for index, name in enumerate(raw.get("search", [])):
            field = fields.get(name)
            if field is None:
                self.report((*path, "search", index), f"unknown field `{name}`{self.hint(name, fields)}")
            elif field.type not in STRING_TYPES:
                self.report(
                    (*path, "search", index),
                    f"`{name}` is {_article(field.enum or field.type)} field; search works on strings",
                )
            elif field.write_only:
                self.report((*path, "search", index), f"`{name}` is write_only and cannot be searched")
        default_sort = entity.listing.default_sort.removeprefix("-")
        allowed = [key.key for key in entity.listing.sort]
        if default_sort not in allowed:
            hint = self.hint(default_sort, allowed)
            message = f"default_sort `{default_sort}` is not a sort key{hint}; allowed: {', '.join(allowed)}"
            self.report((*path, "default_sort"), message)
        if entity.listing.page_size > entity.listing.max_page_size:
            message = (
                f"page_size ({entity.listing.page_size}) is greater than max_page_size ({entity.listing.max_page_size})"
            )
            self.report((*path, "page_size"), message)

    def _filter_problems(
        self, name: str, fields: dict[str, Field], relations: dict[str, Relation], known: set[str]
    ) -> Iterator[str]:
        if name in fields:
            field = fields[name]
            if field.type in _UNFILTERABLE:
                yield f"`{name}` is a json field and cannot be filtered"
            if field.write_only:
                yield f"`{name}` is write_only and cannot be filtered"
        elif name in relations:
            if relations[name].kind == "many_to_many":
                yield f"many_to_many relation `{name}` cannot be filtered"
        else:
            yield f"unknown field or relation `{name}`{self.hint(name, known)}"

    def _sort_problem(self, name: str, fields: dict[str, Field], relations: dict[str, Relation]) -> str | None:
        if name in BUILTIN_SORT_KEYS:
            return f"`{name}` is always sortable: drop it from the list"
        if name in relations:
            return f"relation `{name}` cannot be a sort key"
        field = fields.get(name)
        if field is None:
            return f"unknown field `{name}`{self.hint(name, fields)}"
        if field.type in _UNSORTABLE:
            return f"`{name}` is a {field.type} field and cannot be sorted"
        if field.write_only:
            return f"`{name}` is write_only and cannot be sorted"
        return None

    def check_row_size(self, entity: Entity) -> None:
        """MariaDB/MySQL refuse a table whose VARCHAR columns could make a row over 64 KiB."""
        if any(f.type in _VARCHAR_TYPES and (f.max_length or 0) > MYSQL_VARCHAR_CHARS for f in entity.fields):
            return  # reported with the field
        id_bytes = 128 if self.domain.service.id_type == "uuid" else 8  # sa.Uuid is CHAR(32) there
        total = id_bytes + 3 * 8  # id, created_at, updated_at, version
        for field in entity.fields:
            if field.type in _VARCHAR_TYPES:
                total += _varchar_bytes(field.max_length or 0)
            elif field.type == "enum":
                values = self.enums[field.enum].values if field.enum in self.enums else []
                total += _varchar_bytes(max((len(value) for value in values), default=1))
            elif field.type == "uuid":
                total += 128
            elif field.type in ("text", "json"):
                total += 12
            else:
                total += _FIXED_BYTES.get(field.type, 30)
        total += id_bytes * sum(1 for relation in entity.relations if relation.fk_name)
        if total > MYSQL_ROW_BYTES:
            message = (
                f"a row of `{entity.name}` can take {total:,} bytes in MariaDB/MySQL (4 bytes a character), "
                f"over their {MYSQL_ROW_BYTES:,}-byte row limit: lower some `max_length` or use `text`"
            )
            self.report(entity.path, message, key=True)

    # -- relations across entities ---------------------------------------------------------

    def check_required_cycles(self) -> None:
        """Required to-one relations that loop back mean no first row can ever be created.

        One depth-first walk over the graph of required relations (linear in its size);
        each back edge closes a cycle, reported at the cycle's first relation.
        """
        graph = {
            entity.name: [r for r in entity.relations if r.fk_name and r.required and r.target in self.entities]
            for entity in self.domain.entities
        }
        finished: set[str] = set()
        for root in graph:
            if root in finished:
                continue
            on_path = [root]
            via: list[Relation] = []  # via[i] leads from on_path[i] to on_path[i + 1]
            pending = [iter(graph[root])]
            while pending:
                relation = next(pending[-1], None)
                if relation is None:
                    finished.add(on_path.pop())
                    pending.pop()
                    if via:
                        via.pop()
                elif relation.target in on_path:
                    start = on_path.index(relation.target)
                    chain = [*via[start:], relation]
                    loop = " -> ".join([*on_path[start:], relation.target])
                    message = (
                        f"required relations form a cycle ({loop}): no first row could be "
                        "created; make one of them `required: false`"
                    )
                    self.report(chain[0].path, message, key=True)
                elif relation.target not in finished:
                    on_path.append(relation.target)
                    via.append(relation)
                    pending.append(iter(graph[relation.target]))


def _varchar_bytes(length: int) -> int:
    size = 4 * length
    return size + (1 if size < 256 else 2)


def _article(word: str | None) -> str:
    word = word or ""
    # "a uuid", "a url", "a UserRole": a leading "u" that sounds like "you" takes "a"
    sounds_like_a_vowel = word[:1].lower() in tuple("aeiou") and not word.lower().startswith(("uu", "ur", "us", "uni"))
    return f"an {word}" if sounds_like_a_vowel else f"a {word}"
