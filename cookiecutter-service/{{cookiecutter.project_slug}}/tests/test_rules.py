{% set pkg = cookiecutter._domain.service.package %}
"""The business-rule hooks: every entity's endpoints call the `RULES` of its `rules/` module."""

import importlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from conftest import AuthHeaders
from factories import Factory
from problems import assert_problem
from resources import SPECS, ResourceSpec
from {{ pkg }}.api.rules import Rules
from {{ pkg }}.errors import ProblemError


def rules_of(spec: ResourceSpec) -> Rules[Any]:
    rules: Rules[Any] = importlib.import_module(f"{{ pkg }}.rules.{spec.module}").RULES
    return rules


def each(*operations: str) -> list[Any]:
    return [
        pytest.param(spec, id=spec.entity)
        for spec in SPECS
        if all(operation in spec.operations for operation in ("create", *operations))
    ]


def refuse(*args: Any) -> None:
    raise ProblemError(409, "rule_refused", "Refused by a business rule", "Not today.")


@pytest.fixture
def factory(client: TestClient, auth_headers: AuthHeaders) -> Factory:
    return Factory(client, auth_headers)


@pytest.mark.parametrize("spec", each("list"))
def test_a_create_a_rule_refuses_writes_nothing(
    client: TestClient,
    factory: Factory,
    auth_headers: AuthHeaders,
    spec: ResourceSpec,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rules_of(spec), "before_create", refuse)
    response = client.post(spec.path, json=factory.body(spec.entity), headers=auth_headers(spec.write_scope))
    assert_problem(response, 409, "rule_refused")
    listed = client.get(spec.path, headers=auth_headers(spec.read_scope)).json()["items"]
    assert [item for item in listed if item.get("id")] == []


@pytest.mark.parametrize("spec", each())
def test_after_create_sees_the_new_row_in_the_request_transaction(
    client: TestClient, factory: Factory, spec: ResourceSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Any] = []

    def after_create(session: Session, row: Any) -> None:
        seen.append((row.id, session.in_transaction()))

    monkeypatch.setattr(rules_of(spec), "after_create", after_create)
    created = factory.create(spec.entity)
    assert [(str(row_id), active) for row_id, active in seen] == [(str(created["id"]), True)]


@pytest.mark.parametrize("spec", each("update"))
def test_before_update_gets_the_row_and_the_patch(
    client: TestClient,
    factory: Factory,
    auth_headers: AuthHeaders,
    spec: ResourceSpec,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[Any] = []

    def before_update(session: Session, row: Any, data: dict[str, Any]) -> None:
        seen.append((row.version, data))

    monkeypatch.setattr(rules_of(spec), "before_update", before_update)
    created = factory.create(spec.entity)
    response = client.patch(spec.url(created["id"]), json={}, headers=auth_headers(spec.write_scope))
    assert response.status_code == 200, response.text
    assert seen == [(1, {})]


@pytest.mark.parametrize("spec", each("delete", "read"))
def test_a_delete_a_rule_refuses_keeps_the_row(
    client: TestClient,
    factory: Factory,
    auth_headers: AuthHeaders,
    spec: ResourceSpec,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(type(rules_of(spec)), "before_delete", refuse)
    created = factory.create(spec.entity)
    response = client.delete(spec.url(created["id"]), headers=auth_headers(spec.write_scope))
    assert_problem(response, 409, "rule_refused")
    assert client.get(spec.url(created["id"]), headers=auth_headers(spec.read_scope)).status_code == 200
