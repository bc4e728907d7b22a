{% set domain = cookiecutter._domain %}
{% set pkg = domain.service.package %}
{% set scheme = domain.auth.scheme %}
"""Shared fixtures: settings for a migrated test database, the app, a client, credentials.

The database is SQLite in a temporary directory, or, when `TEST_DATABASE_URL` names a
PostgreSQL or MySQL server (and a database to connect to), a database created for this run
and dropped at its end. Tables are emptied after every test that used the client.
"""

import contextlib
import os
import pathlib
import uuid
from collections.abc import Callable, Iterator
from typing import {{ "Annotated, " if scheme != "none" }}Any, Protocol

import pytest
from alembic import command
from alembic.config import Config
{{ "from fastapi import APIRouter, Depends, FastAPI" if scheme != "none" else "from fastapi import APIRouter, FastAPI" }}
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field
from sqlalchemy import Engine, create_engine, make_url, text
from sqlmodel import SQLModel

{% if scheme != "none" %}
from {{ pkg }}.auth import {{ "Principal, mint_token, require_scope" if scheme == "jwt" else "DIGEST_PREFIX, Principal, key_digest, require_scope" }}
{% endif %}
from {{ pkg }}.db import SessionDep, create_db_engine
from {{ pkg }}.main import BASE_PATH, create_app
from {{ pkg }}.settings import Settings

PROJECT = pathlib.Path(__file__).resolve().parents[1]
{% if scheme == "jwt" %}
TEST_JWT_SECRET = "test-only-secret-that-is-long-enough-for-hs256"
{% endif %}
PROBE_PATH = f"{BASE_PATH}/_probe"
PROBE_READ_SCOPE = "probe:read"
PROBE_WRITE_SCOPE = "probe:write"
# Text of an internal error that must never reach a client.
INTERNAL_DETAIL = "internal detail that must stay on the server"
# High enough that only the rate limit tests, which set their own budgets, reach them.
UNLIMITED = "1000000/minute"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the shared resource tests that no entity of this domain applies to.

    pytest marks a test with an empty parametrisation as skipped; in the shared tests that
    only means the domain has nothing the test checks (no JSON member, say).
    """
    shared = ("test_resources.py", "test_rules.py")
    empty = [item for item in items if item.path.name in shared and item.get_closest_marker("skip")]
    if empty:
        config.hook.pytest_deselected(items=empty)
        items[:] = [item for item in items if item not in empty]


class AuthHeaders(Protocol):
    def __call__(self, *scopes: str, sub: str = "test-user") -> dict[str, str]: ...


SettingsFactory = Callable[..., Settings]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("TEST_DATABASE_URL")
    if not given:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    server = make_url(given)
    name = f"test_{{ pkg }}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        drop = f"DROP DATABASE {name}"
        if server.get_backend_name() == "postgresql":
            drop += " WITH (FORCE)"
        with admin.connect() as connection:
            connection.execute(text(drop))
        admin.dispose()


@pytest.fixture(scope="session")
def migrated_database_url(database_url: str) -> str:
    """The test database, upgraded by the project's own migrations."""
    engine = create_db_engine(settings_for_tests(database_url))
    config = Config(str(PROJECT / "alembic.ini"))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()
    return database_url


def settings_for_tests(database_url: str, **overrides: Any) -> Settings:
    """Settings for tests: nothing from `.env`, no Redis, budgets out of reach."""
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "log_level": "INFO",
        "redis_url": None,
        "rate_limit_enabled": True,
        "rate_limit_read": UNLIMITED,
        "rate_limit_write": UNLIMITED,
        "otel_exporter_otlp_endpoint": None,
{% if scheme == "jwt" %}
        "jwt_secret": TEST_JWT_SECRET,
        "jwt_public_key": None,
        "jwt_issuer": None,
        "jwt_audience": None,
{% elif scheme == "api_key" %}
        "api_keys": {},
{% endif %}
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


{% if scheme == "api_key" %}
@pytest.fixture
def api_keys() -> dict[str, list[str]]:
    """The keys `auth_headers` registers; every app of a test accepts them."""
    return {}


@pytest.fixture
def make_settings(migrated_database_url: str, api_keys: dict[str, list[str]]) -> SettingsFactory:
    """Settings on the test database, with some values overridden."""

    def make(**overrides: Any) -> Settings:
        url = overrides.pop("database_url", migrated_database_url)
        settings = settings_for_tests(url, **overrides)
        settings.api_keys = api_keys
        return settings

    return make
{% else %}
@pytest.fixture
def make_settings(migrated_database_url: str) -> SettingsFactory:
    """Settings on the test database, with some values overridden."""

    def make(**overrides: Any) -> Settings:
        url = overrides.pop("database_url", migrated_database_url)
        return settings_for_tests(url, **overrides)

    return make
{% endif %}


@pytest.fixture
def settings(make_settings: SettingsFactory) -> Settings:
    return make_settings()


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    app = create_app(settings)
    yield app
    dispose_engines(app)


def dispose_engines(app: FastAPI) -> None:
    """Close the app's connections: an app a test never started leaves them to the collector."""
    app.state.engine.dispose()
    app.state.probe_engine.dispose()


@pytest.fixture
def engine(app: FastAPI) -> Engine:
    result: Engine = app.state.engine
    return result


@pytest.fixture
def client(app: FastAPI, engine: Engine) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client
    empty_tables(engine)


def empty_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        if connection.dialect.name in {"mysql", "mariadb"}:
            connection.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())


{% if scheme == "api_key" %}
@pytest.fixture
def auth_headers(api_keys: dict[str, list[str]]) -> AuthHeaders:
{% else %}
@pytest.fixture
def auth_headers(settings: Settings) -> AuthHeaders:
{% endif %}
{% if scheme == "jwt" %}
    """Headers with a bearer token for `sub` holding exactly `scopes`."""

    def headers(*scopes: str, sub: str = "test-user") -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(settings, sub, list(scopes))}"}
{% elif scheme == "api_key" %}
    """Headers with an API key (its digest registered in the settings) holding exactly `scopes`."""

    def headers(*scopes: str, sub: str = "test-user") -> dict[str, str]:
        key = f"test-key:{sub}:{' '.join(sorted(scopes))}"
        api_keys[DIGEST_PREFIX + key_digest(key)] = list(scopes)  # as production configures keys
        return {"X-API-Key": key}
{% else %}
    """No credentials: the service has no authentication."""

    def headers(*scopes: str, sub: str = "test-user") -> dict[str, str]:
        del scopes, sub
        return {}
{% endif %}

    return headers


{% if scheme != "none" %}
Reader = Annotated[Principal, Depends(require_scope(PROBE_READ_SCOPE))]
Writer = Annotated[Principal, Depends(require_scope(PROBE_WRITE_SCOPE))]


{% endif %}
class ProbeBody(BaseModel):
    name: str = Field(max_length=50)
    count: int = Field(strict=True)


def add_probe_routes(app: FastAPI) -> None:
    """Routes under the API base path that exercise the runtime independently of entities."""
    router = APIRouter()

{% if scheme != "none" %}
    @router.get("/_probe")
    async def read(principal: Reader) -> dict[str, str]:
        return {"sub": principal.sub}

    @router.post("/_probe", status_code=201)
    async def write(body: ProbeBody, principal: Writer) -> dict[str, str]:
        return {"name": body.name, "sub": principal.sub}
{% else %}
    @router.get("/_probe")
    async def read() -> dict[str, str]:
        return {"status": "ok"}

    @router.post("/_probe", status_code=201)
    async def write(body: ProbeBody) -> dict[str, str]:
        return {"name": body.name}
{% endif %}

    @router.get("/_probe/db")
    def database(session: SessionDep) -> ProbeBody:
        count = session.execute(text("SELECT 1")).scalar_one()
        return ProbeBody(name="database", count=count)

    @router.get("/_probe/missing-table")
    def missing_table(session: SessionDep) -> None:
        session.execute(text("SELECT * FROM no_such_table"))

    @router.get("/_probe/boom")
    async def boom() -> None:
        raise RuntimeError(INTERNAL_DETAIL)

    @router.get("/_probe/invalid")
    async def invalid() -> None:
        ProbeBody.model_validate({"name": "probe", "count": INTERNAL_DETAIL})

    app.include_router(router, prefix=BASE_PATH)


ClientFactory = Callable[..., TestClient]


@pytest.fixture
def make_client(make_settings: SettingsFactory) -> Iterator[ClientFactory]:
    """Clients of apps with the probe routes, built from overridden settings."""
    with contextlib.ExitStack() as stack:

        def make(*, client_address: str = "testclient", **overrides: Any) -> TestClient:
            app = create_app(make_settings(**overrides))
            stack.callback(dispose_engines, app)
            add_probe_routes(app)
            return stack.enter_context(TestClient(app, client=(client_address, 50000)))

        yield make


@pytest.fixture
def probe_client(make_client: ClientFactory) -> TestClient:
    return make_client()
