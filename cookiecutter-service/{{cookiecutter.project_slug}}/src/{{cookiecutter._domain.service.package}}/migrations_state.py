"""Which migration revision the code expects, and which one a database is at.

The expected head comes from the project's own `alembic.ini` (next to the source tree, or in
the working directory, as the Docker image lays it out). `/readyz` and `migrate --check`
compare it with the database's `alembic_version`, so a release never serves a database its
migrations have not reached.
"""

import functools
import pathlib

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

PROJECT = pathlib.Path(__file__).resolve().parents[2]


@functools.cache
def expected_head() -> str | None:
    """The head revision of the project's migrations; None where they are not shipped."""
    for directory in (PROJECT, pathlib.Path.cwd()):
        config_path = directory / "alembic.ini"
        if config_path.is_file():
            return ScriptDirectory.from_config(Config(str(config_path))).get_current_head()
    return None


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def schema_problem(connection: Connection) -> str | None:
    """Why the database does not fit this code, or None when it is at the expected head."""
    expected = expected_head()
    if expected is None:
        return None
    current = current_revision(connection)
    if current == expected:
        return None
    at = current or "none"
    return f"The database is at migration {at}; this release expects {expected}: run migrate."
