"""The catalogue of `scaffold diff` checks: each code has one layer, one level and one meaning.

A fixed level per code keeps `--fail-on` predictable: a reviewer who has seen a code once
knows what it does to a pipeline. The API names follow oasdiff's checks where one exists.
`bump` is the part of `service.version` the change alone asks to raise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Layer = Literal["api", "db"]
Level = Literal["breaking", "warning", "info"]
Bump = Literal["major", "minor", "patch", "none"]

LEVELS: tuple[Level, ...] = ("breaking", "warning", "info")
BUMPS: tuple[Bump, ...] = ("major", "minor", "patch", "none")


@dataclass(frozen=True, slots=True)
class Check:
    code: str
    layer: Layer
    level: Level
    bump: Bump
    meaning: str


def _check(code: str, layer: Layer, level: Level, meaning: str, bump: Bump | None = None) -> Check:
    default: Bump = "major" if level == "breaking" else "minor"
    return Check(code, layer, level, bump or default, meaning)


_CHECKS = [
    # --- api: paths and operations -----------------------------------------------------------
    _check("api-path-removed", "api", "breaking", "An entity (or an inverse listing) is gone: its paths answer 404."),
    _check("api-operation-removed", "api", "breaking", "An operation of an entity is no longer offered."),
    _check("api-path-added", "api", "info", "A new entity or inverse listing: new paths."),
    _check("api-operation-added", "api", "info", "An entity offers an operation it did not."),
    _check(
        "api-entity-renamed",
        "api",
        "breaking",
        "An entity renamed with `renamed_from`: its paths or schema names change.",
    ),
    _check("api-operation-id-changed", "api", "warning", "An operationId changed: generated clients rename a method."),
    _check("api-base-path-changed", "api", "breaking", "`service.base_path` changed: every path moves."),
    _check(
        "api-id-type-changed", "api", "breaking", "`service.id_type` changed: every id and id parameter changes type."
    ),
    # --- api: security -----------------------------------------------------------------------
    _check(
        "api-security-scope-changed",
        "api",
        "breaking",
        "An operation needs another scope: tokens granted the old one get 403.",
    ),
    _check(
        "api-security-scheme-changed",
        "api",
        "breaking",
        "`auth.scheme` changed between jwt and api_key, or auth was turned on.",
    ),
    _check(
        "api-security-removed", "api", "warning", "`auth.scheme` became none: the API no longer asks for credentials."
    ),
    # --- api: request bodies -----------------------------------------------------------------
    _check(
        "new-required-request-property",
        "api",
        "breaking",
        "A create body has a new required member: existing clients omit it.",
    ),
    _check("new-optional-request-property", "api", "info", "A request body accepts a new optional member."),
    _check("request-property-became-required", "api", "breaking", "A create body member is now required."),
    _check("request-property-became-optional", "api", "info", "A create body member is no longer required."),
    _check(
        "request-property-removed",
        "api",
        "breaking",
        "A request body member is gone: bodies that send it are refused (no additional properties).",
    ),
    _check(
        "api-property-renamed",
        "api",
        "breaking",
        "A member renamed with `renamed_from`: its wire name changes in requests and responses.",
    ),
    _check("request-property-type-changed", "api", "breaking", "A request member changed type or format."),
    _check("request-property-became-not-nullable", "api", "breaking", "A request member no longer accepts null."),
    _check("request-property-became-nullable", "api", "info", "A request member accepts null."),
    _check("request-property-max-length-decreased", "api", "breaking", "A request member's maxLength is smaller."),
    _check("request-property-min-length-increased", "api", "breaking", "A request member's minLength is larger."),
    _check("request-property-max-decreased", "api", "breaking", "A request member's maximum is smaller."),
    _check("request-property-min-increased", "api", "breaking", "A request member's minimum is larger."),
    _check(
        "request-property-precision-decreased",
        "api",
        "breaking",
        "A decimal request member takes fewer digits or decimal places.",
    ),
    _check(
        "request-property-pattern-changed",
        "api",
        "warning",
        "A request member's pattern was added or changed: some values may no longer match.",
    ),
    _check("request-property-enum-value-removed", "api", "breaking", "A request member's enum lost a value."),
    _check("request-property-enum-value-added", "api", "info", "A request member's enum has a new value."),
    _check(
        "request-property-default-changed",
        "api",
        "warning",
        "A create body member's default changed: clients that omit it get another value.",
    ),
    _check(
        "request-property-widened",
        "api",
        "info",
        "A request member accepts more (a larger maxLength or maximum, a smaller minimum, no pattern).",
    ),
    # --- api: responses ----------------------------------------------------------------------
    _check("response-property-removed", "api", "breaking", "A response member is gone."),
    _check("response-property-added", "api", "info", "A response has a new member."),
    _check("response-property-became-nullable", "api", "breaking", "A response member may now be null."),
    _check("response-property-became-not-nullable", "api", "info", "A response member is never null now."),
    _check("response-property-type-changed", "api", "breaking", "A response member changed type or format."),
    _check(
        "response-property-enum-value-added",
        "api",
        "warning",
        "A response member's enum has a new value: clients with exhaustive enums break.",
    ),
    # --- api: query parameters ---------------------------------------------------------------
    _check("request-parameter-removed", "api", "breaking", "A query parameter of a list (a filter or `q`) is gone."),
    _check("request-parameter-added", "api", "info", "A list has a new query parameter (a filter or `q`)."),
    _check("request-parameter-type-changed", "api", "breaking", "A filter's value changed type or format."),
    _check(
        "request-parameter-enum-value-removed",
        "api",
        "breaking",
        "A query parameter's enum lost a value (a sort key or a filter's value).",
    ),
    _check(
        "request-parameter-enum-value-added",
        "api",
        "info",
        "A query parameter's enum has a new value (a sort key or a filter's value).",
    ),
    _check("request-parameter-max-decreased", "api", "breaking", "`limit` accepts less: `max_page_size` is smaller."),
    _check(
        "request-parameter-default-value-changed", "api", "warning", "A default changed: `page_size` or `default_sort`."
    ),
    # --- api: documentation and version ------------------------------------------------------
    _check("api-documentation-changed", "api", "info", "A title or description changed: documentation only.", "patch"),
    _check(
        "service-version-bump-too-small",
        "api",
        "warning",
        "`service.version` does not make the bump the changes need.",
        "none",
    ),
    # --- db: destructive ---------------------------------------------------------------------
    _check("db-table-dropped", "db", "breaking", "A table is dropped: its rows are lost."),
    _check("db-column-dropped", "db", "breaking", "A column is dropped: its values are lost."),
    _check("db-link-table-dropped", "db", "breaking", "A many-to-many link table is dropped: the links are lost."),
    _check(
        "db-not-null-column-without-default",
        "db",
        "breaking",
        "A NOT NULL column without a default is added: existing rows have no value (update refuses it).",
    ),
    _check(
        "db-id-type-changed",
        "db",
        "breaking",
        "Every primary and foreign key changes type: no migration converts them.",
    ),
    # --- db: data-dependent ------------------------------------------------------------------
    _check(
        "db-not-null-added",
        "db",
        "warning",
        "An existing column becomes NOT NULL: rows holding null make the migration fail, unless a default fills them.",
    ),
    _check(
        "db-unique-added",
        "db",
        "warning",
        "A column becomes unique: duplicate values in existing rows make the migration fail.",
    ),
    _check(
        "db-unique-together-added",
        "db",
        "warning",
        "A composite unique constraint is added: duplicate rows make the migration fail.",
    ),
    _check(
        "db-column-length-decreased",
        "db",
        "warning",
        "A string column is shorter: longer values in existing rows make the migration fail.",
    ),
    _check(
        "db-enum-value-removed",
        "db",
        "warning",
        "An enum column's CHECK loses a value: rows holding it make the migration fail.",
    ),
    _check(
        "db-column-type-changed",
        "db",
        "warning",
        "A column changes type: values may not convert; PostgreSQL rewrites the table under an ACCESS EXCLUSIVE lock.",
    ),
    _check(
        "db-on-delete-changed",
        "db",
        "warning",
        "A foreign key's on_delete changed: deleting a target row now does something else.",
    ),
    # --- db: locks and safe changes ----------------------------------------------------------
    _check(
        "db-index-added",
        "db",
        "warning",
        "An index is built: PostgreSQL blocks writes to the table while it builds (not CONCURRENTLY).",
    ),
    _check("db-table-added", "db", "info", "A table (or a link table) is created."),
    _check("db-column-added", "db", "info", "A nullable column, or one with a default, is added."),
    _check("db-column-widened", "db", "info", "A string column is longer (metadata only on PostgreSQL)."),
    _check(
        "db-enum-value-added",
        "db",
        "info",
        "An enum column's CHECK accepts a new value (PostgreSQL scans the table to validate it).",
    ),
    _check("db-table-renamed", "db", "info", "A table renamed with `renamed_from`: the rows are kept."),
    _check("db-column-renamed", "db", "info", "A column renamed with `renamed_from`: the values are kept."),
    _check("db-constraint-dropped", "db", "info", "A unique constraint or an index is dropped."),
    _check("db-null-allowed", "db", "info", "A NOT NULL column accepts null."),
]

CHECKS: dict[str, Check] = {check.code: check for check in _CHECKS}
