{% set pkg = cookiecutter._domain.service.package %}
"""The migrations build exactly the schema that the models describe, and can be undone."""

import pathlib

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from conftest import settings_for_tests
from {{ pkg }} import models  # noqa: F401  (registers the tables)
from {{ pkg }}.db import create_db_engine

PROJECT = pathlib.Path(__file__).resolve().parents[1]


def differences(connection: sa.Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


def test_the_migrated_schema_matches_the_models(migrated_database_url: str) -> None:
    engine = create_db_engine(settings_for_tests(migrated_database_url))
    try:
        with engine.connect() as connection:
            assert differences(connection) == []
    finally:
        engine.dispose()


def test_downgrade_removes_every_table_and_upgrade_restores_them(
    migrated_database_url: str,
) -> None:
    engine = create_db_engine(settings_for_tests(migrated_database_url))
    config = Config(str(PROJECT / "alembic.ini"))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        with engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        with engine.connect() as connection:
            assert differences(connection) == []
    finally:
        engine.dispose()
