"""Every operation of the API refuses a request without credentials or without its scope."""

import pytest
from fastapi.testclient import TestClient

from conftest import AuthHeaders
from factories import Factory
from problems import assert_problem
from resources import OPERATIONS, SPEC, UNKNOWN_ID

SCOPES = sorted({scope for _, _, _, scope in OPERATIONS})
# The entity of each collection path, whose create body a POST sends.
COLLECTIONS = {spec.path: spec.entity for spec in SPEC.values()}
CASES = [pytest.param(*operation, id=f"{operation[0]} {operation[1]}") for operation in OPERATIONS]


@pytest.mark.parametrize(("method", "path", "owner", "scope"), CASES)
def test_operations_without_credentials_are_401(
    client: TestClient, method: str, path: str, owner: str | None, scope: str
) -> None:
    assert_problem(client.request(method, path.format(id=UNKNOWN_ID)), 401, "unauthorized")


@pytest.mark.parametrize(("method", "path", "owner", "scope"), CASES)
def test_operations_without_their_scope_are_403(
    client: TestClient, auth_headers: AuthHeaders, method: str, path: str, owner: str | None, scope: str
) -> None:
    others = [name for name in SCOPES if name != scope]
    response = client.request(method, path.format(id=UNKNOWN_ID), headers=auth_headers(*others, "other:scope"))
    assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize(
    ("method", "path", "owner", "scope"),
    [case for case in CASES if case.values[2] is None or SPEC[str(case.values[2])].creatable],
)
def test_operations_with_their_scope_succeed(
    client: TestClient,
    auth_headers: AuthHeaders,
    method: str,
    path: str,
    owner: str | None,
    scope: str,
) -> None:
    factory = Factory(client, auth_headers)
    url = path.format(id=factory.create(owner)["id"]) if owner else path
    body = factory.body(COLLECTIONS[path]) if method == "POST" else {}
    response = client.request(method, url, json=body, headers=auth_headers(scope))
    assert 200 <= response.status_code < 300, response.text
