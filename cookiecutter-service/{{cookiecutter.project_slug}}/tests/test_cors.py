{% set domain = cookiecutter._domain %}
{% set pkg = domain.service.package %}
{% set scheme = domain.auth.scheme %}
"""CORS: no cross-origin access by default; listed origins get preflights and headers."""

import pytest
from pydantic import ValidationError

from conftest import PROBE_PATH, PROBE_READ_SCOPE, AuthHeaders, ClientFactory
from {{ pkg }}.settings import Settings

APP = "https://app.example.com"
OTHER = "https://evil.example.net"
{% if scheme == "jwt" %}
CREDENTIAL_HEADER = "Authorization"
{% elif scheme == "api_key" %}
CREDENTIAL_HEADER = "X-API-Key"
{% endif %}


def preflight(origin: str, method: str = "PATCH", headers: str = "content-type, if-match") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


def test_no_origin_is_allowed_by_default(make_client: ClientFactory, auth_headers: AuthHeaders) -> None:
    client = make_client()
    response = client.get(PROBE_PATH, headers={**auth_headers(PROBE_READ_SCOPE), "Origin": APP})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    answered = client.options(PROBE_PATH, headers=preflight(APP))
    assert "access-control-allow-origin" not in answered.headers


def test_a_preflight_from_a_listed_origin_is_answered(make_client: ClientFactory) -> None:
    client = make_client(cors_allowed_origins=[APP], cors_max_age=900)
{% if scheme != "none" %}
    headers = f"content-type, if-match, idempotency-key, {CREDENTIAL_HEADER.lower()}"
{% else %}
    headers = "content-type, if-match, idempotency-key"
{% endif %}
    response = client.options(PROBE_PATH, headers=preflight(APP, headers=headers))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP
    assert "PATCH" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert all(name.strip() in allowed for name in headers.split(","))
    assert response.headers["access-control-max-age"] == "900"
    assert "access-control-allow-credentials" not in response.headers


def test_a_preflight_from_another_origin_is_refused(make_client: ClientFactory) -> None:
    client = make_client(cors_allowed_origins=[APP])
    response = client.options(PROBE_PATH, headers=preflight(OTHER))
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


def test_responses_to_a_listed_origin_carry_the_headers(
    make_client: ClientFactory, auth_headers: AuthHeaders
) -> None:
    client = make_client(cors_allowed_origins=[APP])
    response = client.get(PROBE_PATH, headers={**auth_headers(PROBE_READ_SCOPE), "Origin": APP})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP
    assert "origin" in response.headers["vary"].lower()
    assert "etag" in response.headers["access-control-expose-headers"].lower()
    # Errors too: a browser client can read the problem document.
    missing = client.get(f"{PROBE_PATH}/no-such-route", headers={"Origin": APP})
    assert missing.status_code == 404
    assert missing.headers["access-control-allow-origin"] == APP
    other = client.get(PROBE_PATH, headers={**auth_headers(PROBE_READ_SCOPE), "Origin": OTHER})
    assert "access-control-allow-origin" not in other.headers


def test_origins_are_read_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", f"{APP}, http://localhost:5173")
    assert Settings(_env_file=None).cors_allowed_origins == [APP, "http://localhost:5173"]


@pytest.mark.parametrize("origin", ["app.example.com", "https://app.example.com/path", "ftp://x"])
def test_a_malformed_origin_is_refused(origin: str) -> None:
    with pytest.raises(ValidationError, match="not an origin"):
        Settings(_env_file=None, cors_allowed_origins=[origin])


def test_credentials_are_refused_for_every_origin() -> None:
    with pytest.raises(ValidationError, match="CORS_ALLOW_CREDENTIALS"):
        Settings(_env_file=None, cors_allowed_origins=["*"], cors_allow_credentials=True)
