"""Storage limits of the databases every service runs on."""

from __future__ import annotations

from ..domain.model import (
    Entity,
)
from .context import Context

# MariaDB/MySQL with utf8mb4 (4 bytes a character): the longest VARCHAR, and the row size
# limit that every VARCHAR counts against with its full length (TEXT/JSON count ~12 bytes).
MYSQL_VARCHAR_CHARS = 16383
MYSQL_ROW_BYTES = 65535
VARCHAR_TYPES = ("string", "email", "url")
FIXED_BYTES = {"integer": 8, "number": 8, "boolean": 1, "date": 3, "datetime": 8, "decimal": 30}


def check_row_size(ctx: Context, entity: Entity) -> None:
    """MariaDB/MySQL refuse a table whose VARCHAR columns could make a row over 64 KiB."""
    if any(f.type in VARCHAR_TYPES and (f.max_length or 0) > MYSQL_VARCHAR_CHARS for f in entity.fields):
        return  # reported with the field
    id_bytes = 128 if ctx.domain.service.id_type == "uuid" else 8  # sa.Uuid is CHAR(32) there
    total = id_bytes + 3 * 8  # id, created_at, updated_at, version
    for field in entity.fields:
        if field.type in VARCHAR_TYPES:
            total += _varchar_bytes(field.max_length or 0)
        elif field.type == "enum":
            values = ctx.enums[field.enum].values if field.enum in ctx.enums else []
            total += _varchar_bytes(max((len(value) for value in values), default=1))
        elif field.type == "uuid":
            total += 128
        elif field.type in ("text", "json"):
            total += 12
        else:
            total += FIXED_BYTES.get(field.type, 30)
    total += id_bytes * sum(1 for relation in entity.relations if relation.fk_name)
    if total > MYSQL_ROW_BYTES:
        message = (
            f"a row of `{entity.name}` can take {total:,} bytes in MariaDB/MySQL (4 bytes a character), "
            f"over their {MYSQL_ROW_BYTES:,}-byte row limit: lower some `max_length` or use `text`"
        )
        ctx.report(entity.path, message, key=True, code="row-too-large")


def _varchar_bytes(length: int) -> int:
    size = 4 * length
    return size + (1 if size < 256 else 2)
