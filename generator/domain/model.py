"""The typed domain model (IR) that every stage after validation reads.

Every derived name (Python identifiers, SQL names, URL segments, operation ids, schema names)
is computed once by `generator.domain.build` and stored here, so emitters never derive names and
the cookiecutter template (which sees this model as JSON) reads the same names as the
generator. `path` fields hold the location of the node in the domain file for messages.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

Path = tuple[str | int, ...]

SCALAR_TYPES = (
    "string",
    "text",
    "integer",
    "number",
    "decimal",
    "boolean",
    "date",
    "datetime",
    "uuid",
    "email",
    "url",
    "json",
)
STRING_TYPES = ("string", "text", "email", "url")
NUMERIC_TYPES = ("integer", "number", "decimal")
TEMPORAL_TYPES = ("date", "datetime")
OPERATIONS = ("list", "create", "read", "update", "delete")
RESERVED_FIELDS = ("id", "created_at", "updated_at", "version")
RELATION_KINDS = ("many_to_one", "one_to_one", "many_to_many")
ON_DELETE = ("restrict", "cascade", "set_null")

# Maximum lengths given to string types that the domain leaves unbounded, so that every
# string in the contract and every column is bounded (email: RFC 5321 path limit).
DEFAULT_MAX_LENGTH = {"string": 255, "email": 254, "url": 2048, "text": 65535}

FieldType = Literal[
    "string",
    "text",
    "integer",
    "number",
    "decimal",
    "boolean",
    "date",
    "datetime",
    "uuid",
    "email",
    "url",
    "json",
    "enum",
]


@dataclass(frozen=True, slots=True)
class Enum:
    name: str  # PascalCase, the schema component name
    sql_name: str  # database enum type name
    description: str | None
    values: list[str]
    path: Path


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # wire name and SQL column name, as written in the domain
    attr: str  # Python attribute name (keywords and reserved names get a suffix)
    type: FieldType
    enum: str | None  # the enum's name when type == "enum"
    required: bool  # must be given on create (no default)
    nullable: bool
    has_default: bool
    default: Any
    unique: bool
    index: bool  # an index is wanted (declared, or implied by filter/sort use)
    description: str | None
    example: Any
    min_length: int | None
    max_length: int | None  # always set for string types (see DEFAULT_MAX_LENGTH)
    pattern: str | None
    minimum: int | float | None
    maximum: int | float | None
    max_digits: int | None
    decimal_places: int | None
    read_only: bool
    write_only: bool
    immutable: bool
    samples: list[Any]  # distinct valid wire values (the example first), for examples and tests
    renamed_from: str | None  # the previous name, for the migration of `scaffold update`
    path: Path


@dataclass(frozen=True, slots=True)
class Relation:
    """A relation declared on its source entity.

    To-one relations own a foreign key column `fk_name`; many-to-many relations own a
    link table and appear on the wire as the list `ids_name`.
    """

    name: str
    attr: str  # Python attribute of the ORM relationship
    kind: Literal["many_to_one", "one_to_one", "many_to_many"]
    target: str  # target entity name
    target_table: str
    target_class: str
    required: bool
    nullable: bool
    on_delete: Literal["restrict", "cascade", "set_null"]
    inverse: str | None
    description: str | None
    # to-one
    fk_name: str | None  # wire and column name, e.g. author_id
    fk_attr: str | None
    # many-to-many
    ids_name: str | None  # wire name, e.g. tag_ids
    ids_attr: str | None
    link_table: str | None
    link_source_column: str | None
    link_target_column: str | None
    renamed_from: str | None
    path: Path


@dataclass(frozen=True, slots=True)
class Inverse:
    """The read-only reverse listing of a relation, exposed on the relation's target."""

    name: str  # as written in `inverse:`
    segment: str  # kebab-case URL segment
    source: str  # entity that declares the relation
    source_plural: str
    relation: str  # relation name on the source entity
    kind: Literal["many_to_one", "one_to_one", "many_to_many"]
    operation_id: str
    path: Path


@dataclass(frozen=True, slots=True)
class Filter:
    """One query parameter of a list endpoint."""

    param: str  # query parameter name
    column: str  # wire/column name it filters (a field or a foreign key)
    attr: str  # Python attribute of that column
    type: FieldType  # type of the column
    enum: str | None
    op: Literal["eq", "gte", "lte"]


@dataclass(frozen=True, slots=True)
class SortKey:
    key: str  # value accepted by `sort` (without the `-`)
    attr: str
    type: FieldType
    nullable: bool


@dataclass(frozen=True, slots=True)
class ListOptions:
    filters: list[Filter]
    sort: list[SortKey]
    default_sort: str  # a sort key, with a leading `-` when descending
    search: list[str]  # field names searched by `q`
    search_attrs: list[str]
    page_size: int
    max_page_size: int


@dataclass(frozen=True, slots=True)
class UniqueTogether:
    name: str  # constraint name
    members: list[str]  # names as written (fields and to-one relations)
    columns: list[str]  # column names (relations resolved to their foreign keys)
    path: Path


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A budget as `count` requests per `seconds`; None means the service default."""

    read: str | None
    write: str | None


@dataclass(frozen=True, slots=True)
class Entity:
    name: str  # PascalCase as written: the read schema's name
    class_name: str  # SQLModel table class
    snake: str  # singular snake_case
    plural: str  # plural snake_case
    module: str  # module name of its routes
    segment: str  # kebab-case plural URL segment
    table: str
    title: str  # human-readable singular, e.g. "Order item"
    description: str | None
    fields: list[Field]
    relations: list[Relation]
    inverses: list[Inverse]
    unique_together: list[UniqueTogether]
    listing: ListOptions  # list endpoint options
    read_scope: str
    write_scope: str
    operations: list[str]
    operation_ids: dict[str, str]  # operation -> operationId
    create_schema: str
    update_schema: str
    page_schema: str
    rate_limit: RateLimit
    renamed_from: str | None
    path: Path


@dataclass(frozen=True, slots=True)
class Contact:
    name: str | None
    url: str | None
    email: str | None


@dataclass(frozen=True, slots=True)
class License:
    name: str
    identifier: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    package: str
    title: str
    version: str
    description: str | None
    id_type: Literal["uuid", "integer"]
    base_path: str
    contact: Contact | None
    license: License | None


@dataclass(frozen=True, slots=True)
class Auth:
    scheme: Literal["jwt", "api_key", "none"]
    scopes: dict[str, str]  # every scope in use, declared or default, with its description


@dataclass(frozen=True, slots=True)
class Domain:
    format_version: int
    service: Service
    auth: Auth
    enums: list[Enum]
    entities: list[Entity]
    source: str = field(default="<domain>")
    source_sha256: str = field(default="")
    source_text: str = field(default="", repr=False)

    def entity(self, name: str) -> Entity:
        return next(e for e in self.entities if e.name == name)

    def enum(self, name: str) -> Enum:
        return next(e for e in self.enums if e.name == name)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data: the form the cookiecutter template reads.

        The file name and text are left out so that the same domain gives the same project wherever it lives.
        """
        data = dataclasses.asdict(self)
        del data["source"], data["source_text"]
        return data
