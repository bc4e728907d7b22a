{% set domain = cookiecutter._domain %}
{% set scheme = domain.auth.scheme %}
{% set overridden = [] %}
{% for entity in domain.entities if entity.rate_limit.read and "list" in entity.operations %}
{% if overridden.append(entity) %}{% endif %}
{% endfor %}
"""Per-principal budgets, in process and shared through Redis; fail open without Redis."""

import asyncio
import os
import pathlib
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest
{% if overridden %}
from fastapi.testclient import TestClient
{% endif %}

from conftest import PROBE_PATH, PROBE_READ_SCOPE, PROBE_WRITE_SCOPE, AuthHeaders, ClientFactory
from {{ domain.service.package }} import ratelimit
from {{ domain.service.package }}.settings import parse_rate


def test_budget_headers_and_429(make_client: ClientFactory, auth_headers: AuthHeaders) -> None:
    client = make_client(rate_limit_read="3/minute")
    headers = auth_headers(PROBE_READ_SCOPE)
    remaining = []
    for _ in range(3):
        response = client.get(PROBE_PATH, headers=headers)
        assert response.status_code == 200
        assert response.headers["ratelimit-limit"] == "3"
        assert 0 < int(response.headers["ratelimit-reset"]) <= 60
        remaining.append(int(response.headers["ratelimit-remaining"]))
    assert remaining == [2, 1, 0]
    response = client.get(PROBE_PATH, headers=headers)
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response.headers["retry-after"]) <= 20
    assert response.headers["ratelimit-remaining"] == "0"
    metrics = client.get("/metrics").text
    assert 'ratelimit_rejections_total{kind="read"} 1.0' in metrics


def test_reads_and_writes_have_separate_budgets(
    make_client: ClientFactory, auth_headers: AuthHeaders
) -> None:
    client = make_client(rate_limit_read="1/minute", rate_limit_write="2/minute")
    headers = auth_headers(PROBE_READ_SCOPE, PROBE_WRITE_SCOPE)
    assert client.get(PROBE_PATH, headers=headers).status_code == 200
    assert client.get(PROBE_PATH, headers=headers).status_code == 429
    body = {"name": "n", "count": 1}
    response = client.post(PROBE_PATH, json=body, headers=headers)
    assert response.status_code == 201
    assert response.headers["ratelimit-limit"] == "2"


{% if overridden %}
{% set entity = overridden[0] %}
def test_entity_with_its_own_budget(client: TestClient, auth_headers: AuthHeaders) -> None:
    response = client.get(
        "{{ domain.service.base_path }}/{{ entity.segment }}",
        headers=auth_headers("{{ entity.read_scope }}"),
    )
    assert response.status_code == 200
    assert response.headers["ratelimit-limit"] == "{{ entity.rate_limit.read.split('/')[0] }}"


{% endif %}
def test_probes_are_not_limited(make_client: ClientFactory) -> None:
    client = make_client(rate_limit_read="1/minute")
    assert all(client.get("/healthz").status_code == 200 for _ in range(3))
{% if scheme != "none" %}


def test_each_principal_has_its_own_budget(
    make_client: ClientFactory, auth_headers: AuthHeaders
) -> None:
    client = make_client(rate_limit_read="1/minute")
    alice = auth_headers(PROBE_READ_SCOPE, sub="alice")
    bob = auth_headers(PROBE_READ_SCOPE, sub="bob")
    assert client.get(PROBE_PATH, headers=alice).status_code == 200
    assert client.get(PROBE_PATH, headers=alice).status_code == 429
    assert client.get(PROBE_PATH, headers=bob).status_code == 200


def test_anonymous_requests_are_limited_by_address(make_client: ClientFactory) -> None:
    client = make_client(rate_limit_read="2/minute")
    assert client.get(PROBE_PATH).status_code == 401
    assert client.get(PROBE_PATH, headers={"Authorization": "Bearer forged"}).status_code == 401
    assert client.get(PROBE_PATH).status_code == 429
{% endif %}


def test_unreachable_redis_fails_open(
    make_client: ClientFactory, auth_headers: AuthHeaders
) -> None:
    client = make_client(redis_url="redis://127.0.0.1:1/0", rate_limit_read="1/minute")
    headers = auth_headers(PROBE_READ_SCOPE)
    for _ in range(3):
        response = client.get(PROBE_PATH, headers=headers)
        assert response.status_code == 200
        assert "ratelimit-limit" not in response.headers
    assert "ratelimit_store_errors_total 1.0" in client.get("/metrics").text


@pytest.fixture
def private_redis(tmp_path: pathlib.Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A Redis server of this test alone, which the test may stop."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)]
    server = subprocess.Popen([binary, *options], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0", server
    finally:
        server.kill()
        server.wait()


def test_redis_stopped_while_serving_fails_open(
    make_client: ClientFactory,
    auth_headers: AuthHeaders,
    private_redis: tuple[str, subprocess.Popen[bytes]],
) -> None:
    url, server = private_redis
    client = make_client(redis_url=url, rate_limit_read="100/minute")
    headers = auth_headers(PROBE_READ_SCOPE)
    response = client.get(PROBE_PATH, headers=headers)
    assert response.headers["ratelimit-remaining"] == "99"
    server.terminate()
    server.wait()
    for _ in range(3):
        response = client.get(PROBE_PATH, headers=headers)
        assert response.status_code == 200
        assert "ratelimit-limit" not in response.headers
    assert "ratelimit_store_errors_total 1.0" in client.get("/metrics").text


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set")
    return url


def test_replicas_share_one_budget_in_redis(
    make_client: ClientFactory, auth_headers: AuthHeaders, redis_url: str
) -> None:
    # A principal and an address of its own, so that no other run shares the budget.
    unique = uuid.uuid4().hex
    options = {"redis_url": redis_url, "rate_limit_read": "3/minute", "client_address": unique}
    first = make_client(**options)
    second = make_client(**options)
    headers = auth_headers(PROBE_READ_SCOPE, sub=unique)
    answers = [first.get(PROBE_PATH, headers=headers) for _ in range(2)]
    answers.append(second.get(PROBE_PATH, headers=headers))
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.headers["ratelimit-remaining"] for a in answers] == ["2", "1", "0"]
    assert second.get(PROBE_PATH, headers=headers).status_code == 429
    assert first.get(PROBE_PATH, headers=headers).status_code == 429
    assert "ratelimit_store_errors_total 0.0" in first.get("/metrics").text


def test_memory_buckets_stay_bounded_and_keep_the_busiest(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many principals mid-budget at once (spoofed addresses, say) cannot grow memory unbounded."""
    monkeypatch.setattr(ratelimit, "MAX_MEMORY_BUCKETS", 100)
    buckets = ratelimit.MemoryBuckets()
    rate = parse_rate("5/hour")

    async def spend() -> None:
        for _ in range(5):
            await buckets.take("busy", rate)
        for number in range(1_000):
            await buckets.take(f"client-{number}", rate)
            await buckets.take("busy", rate)

    asyncio.run(spend())
    assert len(buckets) <= 100
    # The principal seen on every request kept its (exhausted) bucket.
    assert not asyncio.run(buckets.take("busy", rate)).allowed
