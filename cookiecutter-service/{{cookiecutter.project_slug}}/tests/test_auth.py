{% set domain = cookiecutter._domain %}
{% set pkg = domain.service.package %}
{% set scheme = domain.auth.scheme %}
{% if scheme == "jwt" %}
"""Bearer JWT authentication and scope checks on every API route."""

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from conftest import PROBE_PATH, PROBE_READ_SCOPE, AuthHeaders, ClientFactory
from {{ pkg }}.auth import mint_token
{% else %}
"""API key authentication and scope checks on every API route."""

import hmac

import pytest
from fastapi.testclient import TestClient

from conftest import PROBE_PATH, PROBE_READ_SCOPE, AuthHeaders
{% endif %}


def test_missing_credentials_are_401_with_a_challenge(probe_client: TestClient) -> None:
    response = probe_client.get(PROBE_PATH)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "unauthorized"
{% if scheme == "jwt" %}
    assert response.headers["www-authenticate"].startswith("Bearer realm=")
{% else %}
    assert response.headers["www-authenticate"].startswith("APIKey realm=")
{% endif %}


def test_missing_scope_is_403(probe_client: TestClient, auth_headers: AuthHeaders) -> None:
    response = probe_client.get(PROBE_PATH, headers=auth_headers("some:other"))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert PROBE_READ_SCOPE in response.json()["detail"]


def test_right_scope_is_served(probe_client: TestClient, auth_headers: AuthHeaders) -> None:
    response = probe_client.get(PROBE_PATH, headers=auth_headers(PROBE_READ_SCOPE, sub="alice"))
    assert response.status_code == 200
{% if scheme == "jwt" %}
    assert response.json() == {"sub": "alice"}
{% endif %}


{% for entity in domain.entities if "list" in entity.operations %}
{% if loop.first %}
@pytest.mark.parametrize(
    "path",
    [
{% endif %}
        "{{ domain.service.base_path }}/{{ entity.segment }}",
{% if loop.last %}
    ],
)
def test_entity_routes_refuse_anonymous_requests(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 401


{% endif %}
{% endfor %}
{% if scheme == "jwt" %}
def test_expired_token_is_401(probe_client: TestClient) -> None:
    settings = probe_client.app.state.settings  # type: ignore[attr-defined]
    token = mint_token(settings, "alice", [PROBE_READ_SCOPE], ttl_seconds=-120)
    response = probe_client.get(PROBE_PATH, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


@pytest.mark.parametrize(
    "claims",
    [
        {"scope": PROBE_READ_SCOPE, "exp": 4_000_000_000},  # no sub
        {"sub": "alice", "scope": PROBE_READ_SCOPE},  # no exp
    ],
)
def test_token_without_required_claims_is_401(
    probe_client: TestClient, claims: dict[str, object]
) -> None:
    secret = probe_client.app.state.settings.jwt_secret.get_secret_value()  # type: ignore[attr-defined]
    token = jwt.encode(claims, secret, algorithm="HS256")
    response = probe_client.get(PROBE_PATH, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_bad_signature_is_401(probe_client: TestClient) -> None:
    claims = {"sub": "alice", "exp": int(time.time()) + 60, "scope": PROBE_READ_SCOPE}
    token = jwt.encode(claims, "another-secret-of-sufficient-length-0123456789", algorithm="HS256")
    response = probe_client.get(PROBE_PATH, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_unsigned_token_is_401(probe_client: TestClient) -> None:
    claims = {"sub": "alice", "exp": int(time.time()) + 60, "scope": PROBE_READ_SCOPE}
    token = jwt.encode(claims, "", algorithm="none")
    response = probe_client.get(PROBE_PATH, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_issuer_and_audience_are_checked_when_set(make_client: ClientFactory) -> None:
    client = make_client(jwt_issuer="https://issuer.example", jwt_audience="{{ domain.service.name }}")
    settings = client.app.state.settings  # type: ignore[attr-defined]
    good = mint_token(settings, "alice", [PROBE_READ_SCOPE])
    response = client.get(PROBE_PATH, headers={"Authorization": f"Bearer {good}"})
    assert response.status_code == 200
    for wrong in ({"jwt_issuer": "https://evil.example"}, {"jwt_audience": "another-service"}):
        token = mint_token(settings.model_copy(update=wrong), "alice", [PROBE_READ_SCOPE])
        response = client.get(PROBE_PATH, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, wrong


def hs256_token_with_any_key(claims: dict[str, object], key: bytes) -> str:
    """An HS256 token signed by hand: PyJWT itself refuses to sign with a PEM key."""

    def encode(part: bytes) -> bytes:
        return base64.urlsafe_b64encode(part).rstrip(b"=")

    header = encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = encode(json.dumps(claims).encode())
    signature = encode(hmac.new(key, header + b"." + payload, hashlib.sha256).digest())
    return (header + b"." + payload + b"." + signature).decode()


def test_rs256_with_a_public_key(make_client: ClientFactory) -> None:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    client = make_client(jwt_secret=None, jwt_public_key=public_pem)
    claims = {"sub": "alice", "exp": int(time.time()) + 60, "scope": PROBE_READ_SCOPE}
    token = jwt.encode(claims, private_key, algorithm="RS256")
    response = client.get(PROBE_PATH, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    # The public key used as an HS256 secret (algorithm confusion) must not work.
    forged = hs256_token_with_any_key(claims, public_pem.encode())
    response = client.get(PROBE_PATH, headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
{% else %}
def test_unknown_key_is_401(probe_client: TestClient, auth_headers: AuthHeaders) -> None:
    auth_headers(PROBE_READ_SCOPE)
    response = probe_client.get(PROBE_PATH, headers={"X-API-Key": "not-a-registered-key"})
    assert response.status_code == 401


def test_every_key_is_compared_in_constant_time(
    probe_client: TestClient, auth_headers: AuthHeaders, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = [auth_headers(PROBE_READ_SCOPE, sub=f"user{i}")["X-API-Key"] for i in range(3)]
    compared: list[bytes] = []
    compare_digest = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append(a)
        return compare_digest(a, b)

    monkeypatch.setattr("{{ pkg }}.auth.hmac.compare_digest", spy)
    response = probe_client.get(PROBE_PATH, headers={"X-API-Key": keys[0]})
    assert response.status_code == 200
    assert sorted(compared) == sorted(key.encode() for key in keys)
{% endif %}
