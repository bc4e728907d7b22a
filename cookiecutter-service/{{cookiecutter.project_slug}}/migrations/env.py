{% set service = cookiecutter._domain.service %}
"""Alembic environment: the target schema is the SQLModel metadata of `models.py`.

The database is `DATABASE_URL` (service settings), unless the caller passes a connection
in `config.attributes["connection"]` (the tests do).
"""

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

from {{ service.package }} import models  # noqa: F401  (registers the tables)
from {{ service.package }}.db import create_db_engine
from {{ service.package }}.settings import get_settings

target_metadata = SQLModel.metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


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
