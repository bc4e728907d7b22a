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

import hashlib
import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from conftest import PROBE_PATH, PROBE_READ_SCOPE, AuthHeaders, add_probe_routes, settings_for_tests
from {{ pkg }} import auth
from {{ pkg }}.__main__ import main
from {{ pkg }}.main import create_app
from {{ pkg }}.settings import ConfigurationError
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


def _app(database_url: str, environment: str, keys: dict[str, list[str]]) -> FastAPI:
    app = create_app(settings_for_tests(database_url, environment=environment, api_keys=keys))
    add_probe_routes(app)
    return app


def test_a_key_configured_by_its_digest_is_accepted(migrated_database_url: str) -> None:
    key, entry = auth.new_api_key()
    assert entry == "sha256:" + hashlib.sha256(key.encode()).hexdigest() and key not in entry
    app = _app(migrated_database_url, "production", {entry: [PROBE_READ_SCOPE]})
    with TestClient(app) as client:
        assert client.get(PROBE_PATH, headers={"X-API-Key": key}).status_code == 200
        assert client.get(PROBE_PATH, headers={"X-API-Key": key[:-1]}).status_code == 401


@pytest.mark.parametrize("key", ["a-key-of-31-characters-is-short", auth.EXAMPLE_KEY])
@pytest.mark.parametrize("environment", ["production", "staging", "test"])
def test_short_and_example_keys_are_refused_outside_development(
    migrated_database_url: str, key: str, environment: str
) -> None:
    with pytest.raises(ConfigurationError, match="ENVIRONMENT=development") as refused:
        _app(migrated_database_url, environment, {key: [PROBE_READ_SCOPE]})
    assert key not in str(refused.value)  # the message never repeats a key


def test_development_accepts_the_example_key(migrated_database_url: str) -> None:
    app = _app(migrated_database_url, "development", {auth.EXAMPLE_KEY: [PROBE_READ_SCOPE]})
    with TestClient(app) as client:
        assert client.get(PROBE_PATH, headers={"X-API-Key": auth.EXAMPLE_KEY}).status_code == 200


@pytest.mark.parametrize("entry", ["sha256:abc", "sha256:" + "A" * 64, "sha256:" + "g" * 64])
def test_a_malformed_digest_is_refused(migrated_database_url: str, entry: str) -> None:
    with pytest.raises(ConfigurationError, match="64 lowercase hex digits"):
        _app(migrated_database_url, "production", {entry: [PROBE_READ_SCOPE]})


def test_a_request_costs_one_digest_whatever_the_number_of_keys(
    migrated_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = [auth.new_api_key() for _ in range(500)]
    app = _app(migrated_database_url, "production", {entry: [PROBE_READ_SCOPE] for _, entry in keys})
    calls: list[str] = []
    digest = auth.key_digest

    def counting(key: str) -> str:
        calls.append(key)
        return digest(key)

    monkeypatch.setattr(auth, "key_digest", counting)
    with TestClient(app) as client:
        for key, _ in (keys[0], keys[-1]):
            calls.clear()
            assert client.get(PROBE_PATH, headers={"X-API-Key": key}).status_code == 200
            assert calls == [key]


def test_the_api_key_command_prints_a_key_and_its_entry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["api-key", "--scope", f"{PROBE_READ_SCOPE} other:write"]) == 0
    lines = capsys.readouterr().out.splitlines()
    key = lines[0].rsplit(" ", 1)[1]
    entry = json.loads(lines[1].split(": ", 1)[1])
    assert len(key) >= auth.MIN_KEY_LENGTH
    assert entry == {auth.DIGEST_PREFIX + auth.key_digest(key): [PROBE_READ_SCOPE, "other:write"]}
{% endif %}
