{% set service = cookiecutter._domain.service %}
{% set scheme = cookiecutter._domain.auth.scheme %}
{% if scheme == "jwt" %}
"""Authentication (bearer JWT) and per-operation scope checks; deny by default.

Tokens carry `sub`, `exp` (both required) and `scope` (space-separated, OAuth 2 style).
HS256 with `JWT_SECRET`, or RS256 with `JWT_PUBLIC_KEY`; `JWT_ISSUER` and `JWT_AUDIENCE`
are checked when set.
"""
{% else %}
"""Authentication (API keys in `X-API-Key`) and per-operation scope checks; deny by default.

`API_KEYS` is a JSON object mapping each key to its scopes. An entry is best written as the
key's SHA-256 digest, `sha256:<64 hex digits>`, so the settings never hold a usable key; a
plain key is hashed at start-up and must be at least `MIN_KEY_LENGTH` characters (and not
the example key) unless `ENVIRONMENT=development`. A request's key is hashed and looked up
by its digest: one lookup whatever the number of keys, and its timing tells an attacker
nothing about any key (they cannot choose digests).
"""
{% endif %}

import logging
{% if scheme == "jwt" %}
import os
import pathlib
import secrets
import time
{% else %}
import hashlib
import re
import secrets
{% endif %}
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

{% if scheme == "jwt" %}
import jwt
from cryptography.hazmat.primitives.serialization import load_pem_public_key
{% endif %}
from fastapi import Request
from starlette.datastructures import Headers
from starlette.types import Scope

from .errors import ProblemError
from .settings import ConfigurationError, Settings

{% if scheme == "jwt" %}
DEV_SECRET_FILE = pathlib.Path(".jwt-dev-secret")
MIN_SECRET_BYTES = 32
REALM = 'Bearer realm="{{ service.name }}"'
{% else %}
API_KEY_HEADER = "x-api-key"
REALM = 'APIKey realm="{{ service.name }}", header="X-API-Key"'
DIGEST_PREFIX = "sha256:"
MIN_KEY_LENGTH = 32
EXAMPLE_KEY = "dev-key-change-me"  # the key of .env.example
HEX_DIGEST = re.compile(r"^[0-9a-f]{64}$")
{% endif %}

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Principal:
    sub: str
    scopes: frozenset[str]


{% if scheme == "jwt" %}
class Authenticator:
    def __init__(self, settings: Settings) -> None:
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._leeway = settings.jwt_leeway_seconds
        if settings.jwt_public_key and settings.jwt_secret:
            raise ConfigurationError("Set JWT_SECRET (HS256) or JWT_PUBLIC_KEY (RS256), not both.")
        if settings.jwt_public_key:
            try:
                load_pem_public_key(settings.jwt_public_key.encode())
            except ValueError as exc:
                raise ConfigurationError("JWT_PUBLIC_KEY is not a PEM public key.") from exc
            self._algorithm = "RS256"
            self._key = settings.jwt_public_key
        else:
            self._algorithm = "HS256"
            self._key = signing_secret(settings)

    def authenticate(self, headers: Headers) -> Principal:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise _unauthorized("Send a bearer token in the Authorization header.", REALM)
        try:
            claims = jwt.decode(
                token.strip(),
                self._key,
                algorithms=[self._algorithm],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["sub", "exp"], "verify_aud": self._audience is not None},
            )
        except jwt.ExpiredSignatureError:
            raise _unauthorized("The token has expired.", _invalid_token("expired")) from None
        except jwt.InvalidTokenError:
            raise _unauthorized("The token is not valid.", _invalid_token("invalid")) from None
        sub, scope = claims["sub"], claims.get("scope", "")
        if not isinstance(sub, str) or not isinstance(scope, str):
            raise _unauthorized("The token is not valid.", _invalid_token("invalid"))
        return Principal(sub=sub, scopes=frozenset(scope.split()))


def _invalid_token(description: str) -> str:
    return f'{REALM}, error="invalid_token", error_description="{description}"'


def signing_secret(settings: Settings) -> str:
    """The HS256 secret; in development a generated one, shared through a local file."""
    if settings.jwt_secret is not None:
        secret = settings.jwt_secret.get_secret_value()
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ConfigurationError(f"JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes long.")
        return secret
    if settings.environment != "development":
        raise ConfigurationError(
            "JWT_SECRET (or JWT_PUBLIC_KEY) is required unless ENVIRONMENT=development."
        )
    if not DEV_SECRET_FILE.exists():
        fd = os.open(DEV_SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(48))
    logger.warning(
        "JWT_SECRET is not set: using a development secret from %s; never do this in production",
        DEV_SECRET_FILE,
    )
    return DEV_SECRET_FILE.read_text().strip()


def mint_token(settings: Settings, sub: str, scopes: list[str], ttl_seconds: int = 3600) -> str:
    """A signed HS256 token for development and tests."""
    if settings.jwt_public_key:
        raise ConfigurationError("Tokens for RS256 are issued by the identity provider.")
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": sub,
        "iat": now,
        "exp": now + ttl_seconds,
        "scope": " ".join(scopes),
    }
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    return jwt.encode(claims, signing_secret(settings), algorithm="HS256")
{% else %}
def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_api_key() -> tuple[str, str]:
    """A random key and the `API_KEYS` entry that names it by its digest."""
    key = secrets.token_urlsafe(32)
    return key, DIGEST_PREFIX + key_digest(key)


def _configured_keys(settings: Settings) -> dict[str, frozenset[str]]:
    """`API_KEYS` as digest -> scopes; refuses malformed digests, and weak keys in production."""
    table: dict[str, frozenset[str]] = {}
    weak = 0
    for entry, scopes in settings.api_keys.items():
        if entry.startswith(DIGEST_PREFIX):
            digest = entry.removeprefix(DIGEST_PREFIX)
            if not HEX_DIGEST.match(digest):
                raise ConfigurationError(
                    "API_KEYS: a `sha256:` entry needs 64 lowercase hex digits after the prefix."
                )
        else:
            digest = key_digest(entry)
            weak += len(entry) < MIN_KEY_LENGTH or entry == EXAMPLE_KEY
        table[digest] = frozenset(scopes)
    if weak and settings.environment != "development":
        raise ConfigurationError(
            f"API_KEYS holds {weak} key(s) shorter than {MIN_KEY_LENGTH} characters or the "
            "example key; these are accepted only with ENVIRONMENT=development. Make keys "
            "with `python -m {{ service.package }} api-key` and configure their `sha256:` digests."
        )
    if weak:
        logger.warning("API_KEYS holds a short or example key: never do this in production")
    return table


class Authenticator:
    def __init__(self, settings: Settings) -> None:
        self._keys = _configured_keys(settings)
        # `sha256:` entries are also looked up as configured: one added to the settings after
        # start-up (the project's tests register keys so) is found too.
        self._entries = settings.api_keys
        if not self._keys:
            logger.warning("API_KEYS is empty: every request to the API will be refused")

    def authenticate(self, headers: Headers) -> Principal:
        presented = headers.get(API_KEY_HEADER, "")
        if not presented:
            raise _unauthorized("Send an API key in the X-API-Key header.", REALM)
        digest = key_digest(presented)
        scopes = self._keys.get(digest)
        if scopes is None and (listed := self._entries.get(DIGEST_PREFIX + digest)) is not None:
            scopes = frozenset(listed)
        if scopes is None:
            raise _unauthorized("The API key is not valid.", REALM)
        return Principal(sub=f"key:{digest[:16]}", scopes=scopes)
{% endif %}


def _unauthorized(detail: str, challenge: str) -> ProblemError:
    return ProblemError(
        401, "unauthorized", "Authentication required", detail, {"WWW-Authenticate": challenge}
    )


def authenticate_scope(scope: Scope) -> Principal | ProblemError:
    """Authenticate a request once; the result is kept in the request state."""
    state = scope.setdefault("state", {})
    result: Principal | ProblemError | None = state.get("auth")
    if result is None:
        authenticator: Authenticator = scope["app"].state.authenticator
        try:
            result = authenticator.authenticate(Headers(scope=scope))
        except ProblemError as error:
            result = error
        state["auth"] = result
    return result


def require_scope(required: str) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency: the authenticated principal, which must hold the scope `required`."""

    async def dependency(request: Request) -> Principal:
        result = authenticate_scope(request.scope)
        if isinstance(result, ProblemError):
            raise result
        if required not in result.scopes:
{% if scheme == "jwt" %}
            challenge = f'{REALM}, error="insufficient_scope", scope="{required}"'
            headers = {"WWW-Authenticate": challenge}
{% else %}
            headers = None
{% endif %}
            detail = f"This operation needs the scope {required}."
            raise ProblemError(403, "forbidden", "Permission denied", detail, headers)
        return result

    return dependency
