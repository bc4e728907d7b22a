"""Concurrent writes and a vanishing database, against a real running generated service.

Each example with a fitting entity (create, read and update; a unique writable field; no
required relation; no budget of its own in the domain) is served by `python -m <pkg> serve`
on SQLite, and on PostgreSQL and MariaDB when `TEST_POSTGRES_URL` / `TEST_MARIADB_URL` are
set (a given URL that cannot be reached fails the test). `N` threads wait on a barrier with
an open connection each, then send their request at once:

- the same `If-Match` on one row: exactly one 200, the others 412 problems with the winner's
  `ETag`, version + 1;
- the same `Idempotency-Key` and body: one row; every response is the first 201 (same body,
  same `Location`), the others marked `Idempotent-Replayed` (the contract documents no
  "request in progress" conflict, so a concurrent retry waits for the first and replays it);
- the same unique value without a key: exactly one 201, the others 409 `unique_violation`.

The fault test takes the service's own database away (PostgreSQL: `ALLOW_CONNECTIONS false`
and `pg_terminate_backend` on its scratch database; MariaDB: the service's own account locked
and its connections killed), checks 503 problems without internals and a failing `/readyz`,
then gives the database back and checks that the service recovers without a restart. The
database code is the same for every domain, so that test runs on the bookstore only.

One service runs per example and backend (the tests are grouped so). The whole file takes
about 2-4 minutes on 2 busy cores, most of it migrating and starting the 14 services.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from generator.domain.model import Domain, Entity, Field
from generator.load import load_domain
from tests.support.services import Installed, example_params, scratch_database, serving

pytestmark = [pytest.mark.slow, pytest.mark.conformance]

N = 16
BACKENDS = {"sqlite": None, "postgresql": "TEST_POSTGRES_URL", "mariadb": "TEST_MARIADB_URL"}
JWT_SECRET = "concurrency-test-secret-" + "x" * 32
API_KEY = secrets.token_urlsafe(32)
# Configured as production should be: by the key's digest, never the key itself.
API_KEY_ENTRY = "sha256:" + hashlib.sha256(API_KEY.encode()).hexdigest()
# Far beyond what these tests spend, so that no request is refused by the rate limiter.
UNLIMITED = "1000000/minute"
PROBLEM = "application/problem+json"
# Words that would betray internals in an error response.
INTERNALS = re.compile(r"traceback|sqlalchemy|psycopg|pymysql|sqlite|operationalerror|select |127\.0\.0\.1", re.I)


@dataclass(frozen=True)
class Target:
    """The entity the tests write to, and the fields they use."""

    entity: Entity
    unique: Field  # a unique writable field
    patch: Field  # a writable field a merge patch may change

    def body(self, index: int) -> dict[str, Any]:
        """A valid create body: the `index`-th sample of every writable field."""
        return {f.name: f.samples[index % len(f.samples)] for f in self.entity.fields if not f.read_only and f.samples}


def target_of(domain: Domain) -> Target | None:
    for entity in domain.entities:
        if not {"create", "read", "update"} <= set(entity.operations):
            continue
        if entity.rate_limit.read or entity.rate_limit.write or any(r.required for r in entity.relations):
            continue
        writable = [f for f in entity.fields if not f.read_only and len(f.samples) >= 3]
        unique = next((f for f in writable if f.unique), None)
        changeable = [f for f in writable if not f.immutable]
        patch = next((f for f in changeable if not f.unique), changeable[0] if changeable else None)
        if unique is not None and patch is not None:
            return Target(entity, unique, patch)
    return None


def fitting_examples() -> list[Any]:
    return [p for p in example_params() if target_of(load_domain(p.values[0])) is not None]


@dataclass
class Service:
    installed: Installed
    backend: str
    base: str
    headers: dict[str, str]
    target: Target
    database_url: str

    @property
    def collection(self) -> str:
        return self.installed.domain.service.base_path + "/" + self.target.entity.segment

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers=self.headers, timeout=60)


_tokens: dict[str, str] = {}


def _credentials(installed: Installed) -> tuple[dict[str, str], dict[str, str]]:
    """Environment and request headers granting every scope of the domain."""
    scheme, scopes = installed.domain.auth.scheme, sorted(installed.domain.auth.scopes)
    if scheme == "jwt":
        env = {"JWT_SECRET": JWT_SECRET}
        package = installed.domain.service.package
        if package not in _tokens:
            minted = installed.run("-m", package, "token", "--scope", " ".join(scopes), "--ttl", "7200", env=env)
            assert minted.returncode == 0, minted.stderr
            _tokens[package] = minted.stdout.strip()
        return env, {"Authorization": f"Bearer {_tokens[package]}"}
    if scheme == "api_key":
        return {"API_KEYS": json.dumps({API_KEY_ENTRY: scopes})}, {"X-API-Key": API_KEY}
    return {}, {}


def _admin_url(backend: str) -> str | None:
    variable = BACKENDS[backend]
    if variable is None:
        return None
    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"{variable} is not set")
    return url


@contextlib.contextmanager
def _database(backend: str, package: str, directory: Path) -> Iterator[str]:
    admin_url = _admin_url(backend)
    if admin_url is None:
        yield f"sqlite:///{directory / 'service.db'}"
        return
    with scratch_database(admin_url, f"conc_{package}") as url:
        yield url


@contextlib.contextmanager
def running(installed: Installed, database_url: str, backend: str) -> Iterator[Service]:
    """The service migrated and served on `database_url`."""
    target = target_of(installed.domain)
    assert target is not None
    credentials, headers = _credentials(installed)
    env = {
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
        "RATE_LIMIT_READ": UNLIMITED,
        "RATE_LIMIT_WRITE": UNLIMITED,
        "LOG_LEVEL": "WARNING",
        **credentials,
    }
    migrated = installed.run("-m", installed.domain.service.package, "migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    with serving(installed, env) as base:
        yield Service(installed, backend, base, headers, target, database_url)


# One service at a time, kept for the tests of the same example and backend.
_kept: dict[str, Any] = {}


def _stop_kept() -> None:
    if stack := _kept.pop("stack", None):
        stack.close()
    _kept.clear()


@pytest.fixture(scope="module", autouse=True)
def _stop_at_end() -> Iterator[None]:
    yield
    _stop_kept()


@pytest.fixture
def service(installed: Installed, backend: str, tmp_path_factory: pytest.TempPathFactory) -> Service:
    key = (installed.domain.service.package, backend)
    if _kept.get("key") != key:
        _stop_kept()
        stack = contextlib.ExitStack()
        try:
            package = installed.domain.service.package
            url = stack.enter_context(_database(backend, package, tmp_path_factory.mktemp(f"{package}-{backend}")))
            _kept["service"] = stack.enter_context(running(installed, url, backend))
        except BaseException:
            stack.close()
            raise
        _kept.update(key=key, stack=stack)
    service: Service = _kept["service"]
    return service


def concurrently(service: Service, send: Callable[[httpx.Client], httpx.Response]) -> list[httpx.Response]:
    """`send` from N threads at once, each on a connection opened before the barrier."""
    barrier = threading.Barrier(N)

    def one(_: int) -> httpx.Response:
        with service.client() as client:
            assert client.get("/healthz").status_code == 200  # the connection is open
            barrier.wait(timeout=30)
            return send(client)

    with ThreadPoolExecutor(N) as pool:
        return list(pool.map(one, range(N)))


def assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body = response.json()
    assert (body["status"], body["code"]) == (status, code), body
    assert not INTERNALS.search(response.text), response.text


def statuses(responses: list[httpx.Response]) -> dict[int, int]:
    counted: dict[int, int] = {}
    for response in responses:
        counted[response.status_code] = counted.get(response.status_code, 0) + 1
    return counted


def create(client: httpx.Client, service: Service, body: dict[str, Any], **headers: str) -> httpx.Response:
    response = client.post(service.collection, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response


backends = pytest.mark.parametrize("backend", list(BACKENDS), scope="module")
examples = pytest.mark.parametrize("installed", fitting_examples(), indirect=True, scope="module")


@backends
@examples
def test_same_if_match_in_parallel_changes_the_row_once(service: Service) -> None:
    target = service.target
    with service.client() as client:
        created = create(client, service, target.body(0))
    row, tag = created.json(), created.headers["ETag"]
    url = f"{service.collection}/{row['id']}"
    patch = {target.patch.name: target.patch.samples[1]}

    responses = concurrently(service, lambda c: c.patch(url, json=patch, headers={"If-Match": tag}))

    assert statuses(responses) == {200: 1, 412: N - 1}, [r.text for r in responses if r.status_code != 412]
    (winner,) = [r for r in responses if r.status_code == 200]
    for response in responses:
        if response.status_code == 412:
            # stale when read, or lost the compare-and-set: either way the contract's current ETag
            assert_problem(response, 412, "precondition_failed")
            assert response.headers["ETag"] == winner.headers["ETag"]
    with service.client() as client:
        now = client.get(url)
    assert now.status_code == 200, now.text
    assert now.json()["version"] == row["version"] + 1 == winner.json()["version"]
    assert now.headers["ETag"] == winner.headers["ETag"] != tag


@backends
@examples
def test_same_idempotency_key_in_parallel_creates_one_row(service: Service) -> None:
    target = service.target
    body, key = target.body(1), f"concurrent-{secrets.token_hex(8)}"

    responses = concurrently(service, lambda c: c.post(service.collection, json=body, headers={"Idempotency-Key": key}))

    assert statuses(responses) == {201: N}, [r.text for r in responses if r.status_code != 201]
    assert len({r.content for r in responses}) == 1
    assert len({r.headers["Location"] for r in responses}) == 1
    assert sorted(r.headers.get("Idempotent-Replayed", "") for r in responses) == [""] + ["true"] * (N - 1)
    unique = target.unique.name
    with service.client() as client:
        found = [item for item in _all_items(client, service.collection) if item[unique] == responses[0].json()[unique]]
    assert [item["id"] for item in found] == [responses[0].json()["id"]]


def _all_items(client: httpx.Client, collection: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = client.get(collection, params={"limit": 100, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if not cursor:
            return items


@backends
@examples
def test_same_unique_value_in_parallel_is_one_201_and_409s(service: Service) -> None:
    body = service.target.body(2)

    responses = concurrently(service, lambda c: c.post(service.collection, json=body))

    assert statuses(responses) == {201: 1, 409: N - 1}, [r.text for r in responses if r.status_code != 409]
    for response in responses:
        if response.status_code == 409:
            assert_problem(response, 409, "unique_violation")


@contextlib.contextmanager
def _outage_switch(
    backend: str, admin_url: str, url: str
) -> Iterator[tuple[str, Callable[[], None], Callable[[], None]]]:
    """(the URL the service uses, cut, restore) for the scratch database `url` only.

    PostgreSQL: the database refuses connections and its backends are terminated. MariaDB
    has no such switch per database: the service gets an account of its own, which is
    locked and whose connections are killed. Other databases on the server are untouched.
    """
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    database = sa.make_url(url).database
    assert database is not None
    quote = admin.dialect.identifier_preparer.quote

    def run(*statements: str, **params: str) -> list[Any]:
        """The rows of each statement (None for those that return none)."""
        with admin.connect() as connection:
            results = [connection.execute(sa.text(s), params) for s in statements]
            return [result.fetchall() if result.returns_rows else None for result in results]

    if backend == "postgresql":
        allow = f"ALTER DATABASE {quote(database)} ALLOW_CONNECTIONS "
        terminate = (
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = :database AND pid <> pg_backend_pid()"
        )
        left = "SELECT pid, state, query FROM pg_stat_activity WHERE datname = :database"

        def cut() -> None:
            run(allow + "false", terminate, database=database)
            _until_empty(lambda: run(left, database=database)[0])

        try:
            yield url, cut, lambda: run(allow + "true")
        finally:
            run(allow + "true")
            admin.dispose()
        return
    user, password = f"svc_{secrets.token_hex(4)}", secrets.token_hex(16)
    account = f"'{user}'@'%'"
    run(f"CREATE USER {account} IDENTIFIED BY '{password}'", f"GRANT ALL ON {quote(database)}.* TO {account}")

    def cut() -> None:
        run(f"ALTER USER {account} ACCOUNT LOCK")
        listed = "SELECT id FROM information_schema.processlist WHERE user = :user"
        (ids,) = run(listed, user=user)
        for (connection_id,) in ids:
            with contextlib.suppress(sa.exc.DBAPIError):  # it may have closed meanwhile
                run(f"KILL CONNECTION {int(connection_id)}")
        _until_empty(lambda: run(listed, user=user)[0])

    try:
        service_url = sa.make_url(url).set(username=user, password=password)
        yield (
            service_url.render_as_string(hide_password=False),
            cut,
            lambda: run(f"ALTER USER {account} ACCOUNT UNLOCK"),
        )
    finally:
        run(f"DROP USER IF EXISTS {account}")
        admin.dispose()


def _until_empty(rows: Callable[[], list[Any]]) -> None:
    """Wait for the server to end the connections it was told to end (it does so shortly)."""
    deadline = time.monotonic() + 10
    while rows():
        assert time.monotonic() < deadline, f"the service's connections did not end {rows()}"
        time.sleep(0.05)


def _assert_unavailable(response: httpx.Response, database: str) -> None:
    assert_problem(response, 503, "service_unavailable")
    assert int(response.headers["Retry-After"]) > 0
    assert database not in response.text


@pytest.mark.parametrize("backend", ["postgresql", "mariadb"], scope="module")
@pytest.mark.parametrize(
    "installed", [p for p in fitting_examples() if p.id == "bookstore"], indirect=True, scope="module"
)
def test_database_outage_is_503_and_the_service_recovers(installed: Installed, backend: str) -> None:
    admin_url = _admin_url(backend)
    assert admin_url is not None
    package = installed.domain.service.package
    with (
        scratch_database(admin_url, f"outage_{package}") as url,
        _outage_switch(backend, admin_url, url) as (service_url, cut, restore),
        running(installed, service_url, backend) as service,
    ):
        database = str(sa.make_url(url).database)
        target = service.target
        with service.client() as client:
            row = create(client, service, target.body(0)).json()
        item = f"{service.collection}/{row['id']}"
        patch = {target.patch.name: target.patch.samples[1]}

        # Readers keep going through the outage: each answer is a 200 or a 503 problem.
        stop, seen = threading.Event(), []

        def read() -> None:
            with service.client() as client:
                while not stop.is_set():
                    seen.append(client.get(item if len(seen) % 2 else service.collection, timeout=15))

        with ThreadPoolExecutor(4) as pool:
            readers = [pool.submit(read) for _ in range(4)]
            try:
                time.sleep(0.3)
                cut()
                _check_outage(service, item, patch, database)
                restore()
                _check_recovery(service, item, patch, row["version"])
                time.sleep(0.3)
            finally:
                stop.set()
            for reader in readers:
                reader.result()
        assert {r.status_code for r in seen} == {200, 503}, statuses(seen)
        for response in seen:
            if response.status_code == 503:
                _assert_unavailable(response, database)


def _check_outage(service: Service, item: str, patch: dict[str, Any], database: str) -> None:
    with service.client() as client:
        _assert_unavailable(client.get(item), database)
        _assert_unavailable(client.get(service.collection), database)
        _assert_unavailable(client.post(service.collection, json=service.target.body(1)), database)
        _assert_unavailable(client.patch(item, json=patch), database)
        _assert_unavailable(client.get("/readyz"), database)
        assert client.get("/healthz").status_code == 200  # alive: no restart wanted


def _check_recovery(service: Service, item: str, patch: dict[str, Any], version: int) -> None:
    with service.client() as client:
        deadline = time.monotonic() + 20
        while client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, "/readyz did not recover"
            time.sleep(0.2)
        assert client.get(item).status_code == 200
        created = client.post(service.collection, json=service.target.body(1))
        assert created.status_code == 201, created.text
        patched = client.patch(item, json=patch)
        assert patched.status_code == 200, patched.text
        assert patched.json()["version"] == version + 1
