{% set pkg = cookiecutter._domain.service.package %}
"""Idempotency records are kept for the retention and then swept, so the table stays bounded."""

import datetime as dt
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from conftest import ClientFactory
from {{ pkg }} import idempotency
from {{ pkg }}.models import IdempotencyRecord, utcnow
from {{ pkg }}.settings import Settings


def add_records(engine: Engine, key_prefix: str, count: int, age: dt.timedelta) -> None:
    created_at = utcnow() - age
    with Session(engine) as session:
        for index in range(count):
            session.add(
                IdempotencyRecord(
                    principal="sweep-test",
                    key=f"{key_prefix}-{index}",
                    request_hash="0" * 64,
                    status_code=201,
                    response_body={},
                    created_at=created_at,
                )
            )
        session.commit()


def keys(engine: Engine) -> list[str]:
    with Session(engine) as session:
        statement = select(IdempotencyRecord.key).where(col(IdempotencyRecord.principal) == "sweep-test")
        return sorted(session.exec(statement))


def test_the_sweep_deletes_expired_records_in_batches(
    client: TestClient, engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    retention = settings.idempotency_retention
    add_records(engine, "old", 25, retention + dt.timedelta(minutes=1))
    add_records(engine, "new", 2, retention - dt.timedelta(minutes=1))
    monkeypatch.setattr(idempotency, "SWEEP_BATCH", 10)
    assert idempotency.sweep_expired(engine, retention) == 25
    assert keys(engine) == ["new-0", "new-1"]
    assert idempotency.sweep_expired(engine, retention) == 0


def test_the_retention_is_a_setting(make_settings: Callable[..., Settings]) -> None:
    assert make_settings(idempotency_retention_hours=48).idempotency_retention == dt.timedelta(hours=48)


def test_a_running_service_sweeps_by_itself(make_client: ClientFactory, engine: Engine) -> None:
    add_records(engine, "old", 3, dt.timedelta(hours=2))
    make_client(idempotency_retention_hours=1, idempotency_sweep_interval_seconds=1)  # started
    deadline = time.monotonic() + 10
    while keys(engine) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert keys(engine) == []
