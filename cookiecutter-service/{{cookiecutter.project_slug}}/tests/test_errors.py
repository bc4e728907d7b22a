"""Every error is a problem document with a request id; nothing internal leaks."""

from collections.abc import Iterator

from fastapi.testclient import TestClient

from conftest import INTERNAL_DETAIL, PROBE_PATH, PROBE_WRITE_SCOPE, AuthHeaders, ClientFactory

PROBLEM = "application/problem+json"


def assert_problem(response_status: int, body: dict[str, object], status: int, code: str) -> None:
    assert response_status == status
    assert body["status"] == status
    assert body["code"] == code
    for member in ("type", "title", "detail", "instance", "request_id"):
        assert body[member], member


def test_unknown_path_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/no/such/path")
    assert response.headers["content-type"] == PROBLEM
    assert_problem(response.status_code, response.json(), 404, "not_found")
    assert response.json()["instance"] == "/no/such/path"
    assert response.json()["request_id"] == response.headers["x-request-id"]


def test_wrong_method_is_a_405_problem_with_allow(client: TestClient) -> None:
    response = client.delete("/healthz")
    assert response.headers["content-type"] == PROBLEM
    assert_problem(response.status_code, response.json(), 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]


def test_allow_lists_the_methods_of_every_route_at_the_path(
    probe_client: TestClient, auth_headers: AuthHeaders
) -> None:
    # GET and POST of the probe are two routes; Starlette's own Allow names the first only.
    response = probe_client.delete(PROBE_PATH, headers=auth_headers(PROBE_WRITE_SCOPE))
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


def test_instance_is_a_uri_reference_even_for_a_non_ascii_path(client: TestClient) -> None:
    response = client.get("/no/such/p%C3%A4th%20x")
    assert response.status_code == 404
    assert response.json()["instance"] == "/no/such/p%C3%A4th%20x"


def test_malformed_json_is_a_400_problem(
    probe_client: TestClient, auth_headers: AuthHeaders
) -> None:
    headers = {**auth_headers(PROBE_WRITE_SCOPE), "Content-Type": "application/json"}
    response = probe_client.post(PROBE_PATH, content=b'{"name": "x", ', headers=headers)
    assert response.headers["content-type"] == PROBLEM
    assert_problem(response.status_code, response.json(), 400, "malformed_request")


def test_body_that_is_not_json_is_a_415_problem(
    probe_client: TestClient, auth_headers: AuthHeaders
) -> None:
    headers = {**auth_headers(PROBE_WRITE_SCOPE), "Content-Type": "text/plain"}
    response = probe_client.post(PROBE_PATH, content=b'{"name": "x", "count": 1}', headers=headers)
    assert_problem(response.status_code, response.json(), 415, "unsupported_media_type")


def test_validation_errors_point_into_the_body(
    probe_client: TestClient, auth_headers: AuthHeaders
) -> None:
    body = {"name": "x" * 51, "count": False}
    response = probe_client.post(PROBE_PATH, json=body, headers=auth_headers(PROBE_WRITE_SCOPE))
    assert_problem(response.status_code, response.json(), 422, "validation_failed")
    pointers = {error["pointer"]: error for error in response.json()["errors"]}
    assert set(pointers) == {"/name", "/count"}
    assert pointers["/name"]["code"] == "string_too_long"
    assert all(error["message"] for error in pointers.values())


def test_unexpected_error_is_a_500_problem_without_internals(probe_client: TestClient) -> None:
    response = probe_client.get(f"{PROBE_PATH}/boom")
    assert response.headers["content-type"] == PROBLEM
    assert_problem(response.status_code, response.json(), 500, "internal_error")
    assert INTERNAL_DETAIL not in response.text
    assert "Traceback" not in response.text and "RuntimeError" not in response.text


def test_declared_oversize_body_is_a_413_problem(
    make_client: ClientFactory, auth_headers: AuthHeaders
) -> None:
    client = make_client(max_body_bytes=64)
    body = {"name": "x" * 40, "count": 1, "padding": "y" * 100}
    response = client.post(PROBE_PATH, json=body, headers=auth_headers(PROBE_WRITE_SCOPE))
    assert response.headers["content-type"] == PROBLEM
    assert_problem(response.status_code, response.json(), 413, "payload_too_large")


def test_streamed_oversize_body_is_a_413_problem(
    make_client: ClientFactory, auth_headers: AuthHeaders
) -> None:
    client = make_client(max_body_bytes=64)

    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(10):
            yield b"x" * 20
        yield b'", "count": 1}'

    headers = {**auth_headers(PROBE_WRITE_SCOPE), "Content-Type": "application/json"}
    response = client.post(PROBE_PATH, content=chunks(), headers=headers)
    assert_problem(response.status_code, response.json(), 413, "payload_too_large")


def test_body_within_the_limit_is_accepted(
    make_client: ClientFactory, auth_headers: AuthHeaders
) -> None:
    client = make_client(max_body_bytes=64)
    body = {"name": "short", "count": 1}
    response = client.post(PROBE_PATH, json=body, headers=auth_headers(PROBE_WRITE_SCOPE))
    assert response.status_code == 201


def test_request_id_is_echoed_when_valid(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123.x:y"})
    assert response.headers["x-request-id"] == "abc-123.x:y"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_request_id_is_generated_when_missing_or_invalid(client: TestClient) -> None:
    first = client.get("/healthz").headers["x-request-id"]
    second = client.get("/healthz").headers["x-request-id"]
    assert first and second and first != second
    injected = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert injected.headers["x-request-id"] != "bad id\twith spaces"
    too_long = client.get("/healthz", headers={"X-Request-ID": "a" * 129})
    assert too_long.headers["x-request-id"] != "a" * 129
