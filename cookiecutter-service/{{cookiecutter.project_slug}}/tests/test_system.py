"""Probes, metrics and the served contract."""

import json
import pathlib
import re

import anyio
import httpx2
import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from conftest import PROBE_PATH, ClientFactory, SettingsFactory, add_probe_routes, dispose_engines
from {{ cookiecutter._domain.service.package }}.main import create_app
from {{ cookiecutter._domain.service.package }}.migrations_state import expected_head

PROJECT = pathlib.Path(__file__).resolve().parents[1]


def test_liveness(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_with_the_database_up(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200


def test_readiness_with_every_pooled_connection_busy(make_client: ClientFactory) -> None:
    client = make_client(db_pool_size=1, db_max_overflow=0, db_pool_timeout=30)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with engine.connect():
        response = client.get("/readyz")
    assert response.status_code == 200


def test_readiness_without_the_database(make_client: ClientFactory, tmp_path: pathlib.Path) -> None:
    unreachable = f"sqlite:///{tmp_path / 'missing-directory' / 'db.sqlite'}"
    client = make_client(database_url=unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "service_unavailable"


def test_readiness_before_the_migrations_ran(make_client: ClientFactory, tmp_path: pathlib.Path) -> None:
    """A database the migrations have not reached: the release must not take traffic yet."""
    client = make_client(database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    response = client.get("/readyz")
    assert response.status_code == 503
    head = expected_head()
    assert head is not None
    assert response.json()["detail"] == (
        f"The database is at migration none; this release expects {head}: run migrate."
    )


def test_a_missing_table_is_a_500_not_a_503(probe_client: TestClient) -> None:
    """No such table or column is the code ahead of the schema, not an outage to retry."""
    response = probe_client.get(f"{PROBE_PATH}/missing-table")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "no_such_table" not in response.text


def test_a_connection_lost_after_the_answer_does_not_cut_the_response(
    probe_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database dropped the connection: the rollback on close fails, the answer stands."""
    close = Session.close

    def close_on_a_lost_connection(session: Session) -> None:
        close(session)
        raise OperationalError("ROLLBACK", None, Exception("terminating connection"))

    monkeypatch.setattr(Session, "close", close_on_a_lost_connection)
    response = probe_client.get(f"{PROBE_PATH}/db")
    assert response.status_code == 200
    assert response.json() == {"name": "database", "count": 1}


def test_served_contract_is_the_emitted_one(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    emitted = yaml.safe_load((PROJECT / "openapi.yaml").read_text(encoding="utf-8"))
    assert response.json() == json.loads(json.dumps(emitted))


def test_docs_are_served_from_the_package_without_inline_script(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    page = response.text
    assert "http://" not in page and "https://" not in page  # nothing from a CDN
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.DOTALL)
    assert scripts and all(body.strip() == "" and "src=" in attrs for attrs, body in scripts)
    for asset in re.findall(r'(?:src|href)="(/docs/[^"]+)"', page):
        fetched = client.get(asset)
        assert fetched.status_code == 200 and fetched.content, asset
    assert "/openapi.json" in client.get("/docs/init.js").text
    assert client.get("/docs/../settings.py").status_code == 404
    assert client.get("/docs/nothing.js").status_code == 404


@pytest.mark.parametrize(
    ("environment", "enabled", "served"),
    [("production", None, False), ("staging", None, True), ("production", True, True), ("test", False, False)],
)
def test_docs_and_contract_follow_docs_enabled(
    make_client: ClientFactory, environment: str, enabled: bool | None, served: bool
) -> None:
    client = make_client(environment=environment, docs_enabled=enabled)
    for path in ("/docs", "/openapi.json", "/docs/swagger-ui-bundle.js"):
        assert (client.get(path).status_code == 200) is served, path


def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    client.get("/healthz")
    client.get("/no/such/path/12345")
    text = client.get("/metrics").text
    assert 'http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in text
    assert 'route="<unmatched>",status="404"' in text
    assert "/no/such/path/12345" not in text
    assert 'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/healthz"' in text
    assert "http_requests_in_flight 1.0" in text  # the scrape itself
    assert "db_pool_size" in text
    assert 'service_build_info{python="' in text


def test_a_small_pool_serves_many_concurrent_requests(make_settings: SettingsFactory) -> None:
    """More concurrent requests than worker threads and connections: all are served."""
    app = create_app(make_settings(db_pool_size=1, db_max_overflow=0, db_pool_timeout=20))
    add_probe_routes(app)

    async def fetch_all() -> list[int]:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
            statuses = [0] * 64

            async def fetch(index: int) -> None:
                statuses[index] = (await client.get(f"{PROBE_PATH}/db")).status_code

            with anyio.fail_after(15):
                async with anyio.create_task_group() as group:
                    for index in range(len(statuses)):
                        group.start_soon(fetch, index)
            return statuses

    try:
        assert anyio.run(fetch_all) == [200] * 64
    finally:
        dispose_engines(app)  # the transport runs no lifespan, which would close them
