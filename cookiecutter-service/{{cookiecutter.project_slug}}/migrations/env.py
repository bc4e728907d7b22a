{% set service = cookiecutter._domain.service %}
"""Alembic environment: the target schema is the SQLModel metadata of `models.py`.

The database is `DATABASE_URL` (service settings), unless the caller passes a connection
in `config.attributes["connection"]` (the tests do).
"""

from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection
from sqlmodel import SQLModel

from {{ service.package }} import models  # registers the tables
from {{ service.package }}.db import create_db_engine
from {{ service.package }}.settings import get_settings

target_metadata = SQLModel.metadata


def render_item(kind: str, item: object, autogen_context: AutogenContext) -> str | Literal[False]:
    """`models.AwareDateTime` as the column type it creates, so that no migration imports the
    models: a migration must keep working whatever later becomes of them."""
    if kind == "type" and isinstance(item, models.AwareDateTime):
        autogen_context.imports.add("from sqlalchemy.dialects import mysql")
        return 'sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")'
    return False


def run_migrations(connection: Connection) -> None:
    # SQLite alters a table by copying it and dropping the old one; with foreign keys on, that
    # DROP would first delete the rows of other tables that refer to it (ON DELETE CASCADE).
    # The pragma only takes effect outside a transaction, and the result is checked after.
    keys_off = connection.dialect.name == "sqlite" and not connection.in_transaction()
    if keys_off:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            render_as_batch=connection.dialect.name == "sqlite",
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
        if keys_off:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.commit()
            if broken:
                raise RuntimeError(f"the migration left rows with dangling references: {broken[:5]}")
    finally:
        if keys_off:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def run_migrations_online() -> None:
    connection: Connection | None = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = create_db_engine(get_settings())
    try:
        with engine.connect() as connection:
            run_migrations(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=get_settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
