"""Section 1 of the design document: the ER diagram and where each invariant is enforced."""

from __future__ import annotations

from typing import Any

from ..contract.common import MAX_JSON_DEPTH
from ..domain.model import Field
from . import facts
from .context import Context, noun_of, on_delete_sql
from .er import er_diagram
from .markdown import code, codes, join_words, table


class DataModelSections(Context):
    """Section 1: the data model and its invariants."""

    def data_model(self) -> str:
        parts = [
            "## 1. Data model",
            "",
            "### 1.1 Entities and relations",
            "",
            "```mermaid",
            er_diagram(self.domain).rstrip("\n"),
            "```",
            "",
            "Every table has the primary key `id` (" + self.id_desc + "), `version` (1 on "
            "creation, incremented by every update; the resource's `ETag`), and `created_at` and "
            "`updated_at` (timezone-aware, stored in UTC on every database). `PK`, `FK` and `UK` "
            "mark primary keys, foreign keys and single-column unique constraints; composite "
            "unique constraints are listed in 1.3. Types are the domain's: `string(n)`, `email(n)` "
            "and `url(n)` are `VARCHAR(n)` columns, `text` a `TEXT` column, decimals `NUMERIC`; enums "
            "are stored as their values"
            + (" (strings with a `CHECK` constraint)." if facts.ENUM_CHECK_CONSTRAINTS and self.domain.enums else "."),
        ]
        if self.many:
            parts += [
                "",
                "Many-to-many relations are link tables with a composite primary key; on the wire "
                "they are lists of ids: "
                + join_words(f"{code(r.ids_name)} on {e.title} (table {code(r.link_table)})" for e, r in self.many)
                + ".",
            ]
        parts += ["", self.invariants()]
        return "\n".join(parts)

    def invariants(self) -> str:
        parts = [
            "### 1.2 Where invariants are enforced",
            "",
            "- **API**: the request is checked against the contract before anything is written; a "
            "violation is `422 validation_failed` with a JSON Pointer per invalid value.",
            "- **DB**: the database refuses the write; the service maps the refusal to a problem "
            "(`409` for unique and foreign key violations), never to a 500.",
            "- **API + DB**: both, so that rows written outside the API obey the rule too.",
            "",
            "Constraint and index names follow the naming convention in `models.py`; a database "
            "shortens names longer than its identifier limit with a hash suffix.",
            "",
            "### 1.3 Invariants",
            "",
            self.required_table(),
            "",
            self.unique_table(),
            "",
            self.foreign_key_table(),
            "",
            self.value_table(),
        ]
        managed = self.managed_table()
        if managed:
            parts += ["", managed]
        return "\n".join(parts)

    def required_table(self) -> str:
        rows = []
        for entity in self.domain.entities:
            required = [f.name for f in entity.fields if f.required and not f.read_only]
            required += [r.fk_name or "" for r in entity.relations if r.fk_name and r.required]
            defaults = [
                f"{code(f.name)} = {code(_wire(f.default))}"
                for f in entity.fields
                if f.has_default and f.default is not None
            ]
            nullable = [f.name for f in entity.fields if f.nullable]
            nullable += [r.fk_name or "" for r in entity.relations if r.fk_name and r.nullable]
            rows.append(
                (
                    entity.title,
                    codes(required) or "none",
                    ", ".join(defaults) or "none",
                    codes(nullable) or "none",
                )
            )
        return "\n".join(
            [
                "#### Required values",
                "",
                "Required members must be present in a create request (API) and their columns "
                "are `NOT NULL` (DB). Every column not listed as nullable is `NOT NULL`, and "
                "`null` for it is refused with 422. Members with a default may be omitted: the "
                "service applies the default, the columns have no database default, so an "
                "`INSERT` outside the API must give every value.",
                "",
                table(
                    ("Entity", "Required on create (API + DB)", "Defaults (API)", "Nullable columns"),
                    rows,
                ),
            ]
        )

    def unique_table(self) -> str:
        rows = [
            (entity.title, codes(columns), code(name), origin, "DB; the API answers `409 unique_violation`")
            for entity, columns, name, origin in self.unique_constraints()
        ]
        for entity, relation in self.many:
            rows.append(
                (
                    f"{entity.title} {code(relation.name)} (link)",
                    codes([relation.link_source_column, relation.link_target_column]),
                    code(f"pk_{relation.link_table}"),
                    "many-to-many link table",
                    f"DB; the API drops repeated ids in {code(relation.ids_name)}",
                )
            )
        text = [
            "#### Uniqueness",
            "",
        ]
        if not rows:
            text.append("No entity declares unique values; only the primary keys are unique.")
            return "\n".join(text)
        text += [
            "Uniqueness is checked by the database only, so that concurrent requests cannot both "
            "succeed: the second write fails on the constraint and is answered "
            "`409 unique_violation`." + self.null_uniqueness(),
            "",
            table(("Entity", "Columns", "Constraint", "Declared by", "Enforced by"), rows),
        ]
        return "\n".join(text)

    def null_uniqueness(self) -> str:
        nullable = set()
        for entity, columns, _, _ in self.unique_constraints():
            for column in columns:
                field = next((f for f in entity.fields if f.name == column), None)
                relation = next((r for r in entity.relations if r.fk_name == column), None)
                if (field is not None and field.nullable) or (relation is not None and relation.nullable):
                    nullable.add(f"{entity.title}.{code(column)}")
        if not nullable:
            return ""
        return (
            " Nulls never conflict: any number of rows may leave "
            + join_words(sorted(nullable))
            + " null (the behaviour of PostgreSQL, MariaDB/MySQL and SQLite alike)."
        )

    def foreign_key_table(self) -> str:
        rows = []
        for entity, relation in self.to_one:
            target = self.entities.get(relation.target)
            target_title = target.title if target else relation.target
            if relation.on_delete == "restrict":
                effect = f"refused while referenced: `409 still_referenced` on deleting the {target_title.lower()}"
            elif relation.on_delete == "cascade":
                effect = f"the {noun_of(entity)} is deleted with it"
            else:
                effect = f"{code(relation.fk_name)} becomes null"
            rows.append(
                (
                    entity.title,
                    code(relation.fk_name),
                    f"{target_title} ({code(relation.target_table + '.id')})",
                    "yes" if relation.nullable else "no",
                    code(on_delete_sql(relation)),
                    effect,
                )
            )
        for entity, relation in self.many:
            target = self.entities.get(relation.target)
            target_title = target.title if target else relation.target
            for column, referenced, title in (
                (relation.link_source_column, entity.table, entity.title),
                (relation.link_target_column, relation.target_table, target_title),
            ):
                rows.append(
                    (
                        f"link {code(relation.link_table)}",
                        code(column),
                        f"{title} ({code(str(referenced) + '.id')})",
                        "no",
                        code("CASCADE"),
                        f"the link rows of the deleted {title.lower()} are removed",
                    )
                )
        text = ["#### Foreign keys", ""]
        if not rows:
            text.append("The entities do not refer to each other: there are no foreign keys.")
            return "\n".join(text)
        text += [
            "Enforced by **API + DB**. The API looks up every referenced id before writing and "
            "answers `422 validation_failed` with a pointer to each id that does not exist"
            + self.pointer_examples()
            + ". The foreign key itself (SQLite enforces it "
            "with `PRAGMA foreign_keys=ON`) catches a row deleted concurrently: "
            "`409 foreign_key_violation`. The on-delete rule runs in the database"
            + (
                ": rows changed by `SET NULL` keep their `version` and `updated_at`, so an `ETag` "
                "read before still matches them."
                if any(r.on_delete == "set_null" for _, r in self.to_one)
                else "."
            ),
            "",
            table(("Table", "Column", "References", "Nullable", "On delete", "Deleting the referenced row"), rows),
        ]
        return "\n".join(text)

    def pointer_examples(self) -> str:
        pointers = [f"/{r.fk_name}" for _, r in self.to_one[:1]] + [f"/{r.ids_name}/0" for _, r in self.many[:1]]
        return " (for example " + " or ".join(code(p) for p in pointers) + ")" if pointers else ""

    def value_table(self) -> str:
        rows = []
        for entity in self.domain.entities:
            for field in entity.fields:
                rules = _value_rules(field, entity.table)
                if field.read_only:
                    # never accepted in a request: only what the column itself holds applies
                    rules = [(rule, layer.replace("API + DB", "DB")) for rule, layer in rules if "DB" in layer]
                for rule, enforced in rules:
                    rows.append((entity.title, code(field.name), rule, enforced))
        text = ["#### Value checks", ""]
        if not rows:
            text.append("No field has a range, length, pattern or format check.")
            return "\n".join(text)
        text += [
            self.value_checks_intro(),
            "",
            table(("Entity", "Field", "Rule", "Enforced by"), rows),
        ]
        return "\n".join(text)

    def value_checks_intro(self) -> str:
        has_enums = any(f.type == "enum" for e in self.domain.entities for f in e.fields)
        checked = facts.ENUM_CHECK_CONSTRAINTS and has_enums
        text = (
            "Ranges, lengths, patterns and formats are **API** checks (the contract's schema); the "
            "database adds what its column types can hold"
        )
        text += " and a `CHECK` constraint per enum column." if checked else "."
        text += " Ranges and patterns have no `CHECK` constraint: rows written outside the API are not range-checked."
        sqlite = ["`VARCHAR` lengths", "`NUMERIC` precision"]
        if has_enums and not facts.ENUM_CHECK_CONSTRAINTS:
            sqlite.append("enum values")
        return text + " SQLite does not enforce " + ", ".join(sqlite[:-1]) + " or " + sqlite[-1] + "."

    def managed_table(self) -> str:
        rows = []
        for entity in self.domain.entities:
            for field in entity.fields:
                if field.read_only:
                    rows.append((entity.title, code(field.name), "read-only: set by the service, never accepted"))
                if field.immutable:
                    rows.append((entity.title, code(field.name), "immutable: set on create, not accepted on update"))
                if field.write_only:
                    rows.append((entity.title, code(field.name), "write-only: accepted, never returned or logged"))
        if not rows:
            return ""
        return "\n".join(
            [
                "#### Server-managed and write-once values",
                "",
                "Enforced by the **API**: the request schemas leave these members out and refuse "
                "unknown members (`additionalProperties: false`), so sending one is a 422. `id`, "
                "`version`, `created_at` and `updated_at` are server-managed on every entity.",
                "",
                table(("Entity", "Field", "Rule"), rows),
            ]
        )


def _wire(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def _value_rules(field: Field, table_name: str) -> list[tuple[str, str]]:
    """(rule, enforced by) for each value check of a field of the table `table_name`."""
    check_name = f"ck_{table_name}_{field.name}"
    rules: list[tuple[str, str]] = []
    kind = field.type
    servers = "PostgreSQL, MariaDB/MySQL"
    if kind in ("string", "email", "url"):
        rules.append((f"length at most {field.max_length}", f"API + DB (`VARCHAR({field.max_length})`; {servers})"))
    elif kind == "text":
        rules.append((f"length at most {field.max_length}", "API"))
    if field.min_length:
        rules.append((f"length at least {field.min_length}", "API"))
    if kind == "email":
        rules.append(("an email address", "API"))
    if kind == "url":
        rules.append(("a URI", "API"))
    if field.pattern:
        rules.append((f"matches {code(field.pattern)}", "API"))
    if kind in ("string", "text", "email", "url"):
        # PostgreSQL refuses NUL in text; the API refuses it on every database alike.
        rules.append(("no U+0000 (NUL) character", "API"))
    if kind == "json":
        rules.append((f"arrays and objects nested at most {MAX_JSON_DEPTH} deep; no U+0000 in its strings", "API"))
    if kind == "number":
        rules.append(("finite (JSON has no NaN or infinity; `1e400` overflows a double)", "API"))
    if kind == "datetime":
        rules.append(("an instant of the years 0001-9999 in UTC", "API"))
    if kind in ("integer", "number", "decimal"):
        if field.minimum is not None and field.maximum is not None:
            rules.append((f"between {_number(field.minimum)} and {_number(field.maximum)}", "API"))
        elif field.minimum is not None:
            rules.append((f"at least {_number(field.minimum)}", "API"))
        elif field.maximum is not None:
            rules.append((f"at most {_number(field.maximum)}", "API"))
    if kind == "decimal":
        digits, places = field.max_digits or 18, field.decimal_places or 0
        rules.append(
            (
                f"at most {digits} digits, {places} after the point",
                f"API + DB (`NUMERIC({digits}, {places})`; {servers})",
            )
        )
    if kind == "enum":
        if facts.ENUM_CHECK_CONSTRAINTS:
            rules.append((f"one of {code(field.enum)}", f"API + DB (`CHECK` constraint {code(check_name)})"))
        else:
            rules.append((f"one of {code(field.enum)}", f"API + DB (enum column; {servers})"))
    return rules


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
