"""Checks of the one error shape every endpoint answers with (RFC 9457 problem details)."""

import httpx2


def assert_problem(response: httpx2.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code


def assert_errors(response: httpx2.Response, *expected: tuple[str, str]) -> None:
    """A 422 whose errors are exactly these (pointer, code) pairs."""
    assert_problem(response, 422, "validation_failed")
    errors = response.json()["errors"]
    assert [(error["pointer"], error["code"]) for error in errors] == list(expected)
