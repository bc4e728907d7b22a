{% set service = cookiecutter._domain.service %}
{% set scheme = cookiecutter._domain.auth.scheme %}
"""Configuration from the environment (and a `.env` file); every variable is in the README."""

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True, slots=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str) -> Rate:
    """`100/minute` -> Rate(100, 60); periods: second, minute, hour, day."""
    count, _, period = text.strip().partition("/")
    if not count.isdigit() or int(count) < 1 or period not in PERIODS:
        raise ValueError(f"{text!r} is not a rate like 100/minute (second, minute, hour, day)")
    return Rate(int(count), PERIODS[period])


def _rate(value: object) -> object:
    return parse_rate(value) if isinstance(value, str) else value


# A budget written `N/second`, `N/minute`, `N/hour` or `N/day`. NoDecode: pydantic-settings
# would otherwise parse the (dataclass-typed) variable as JSON and reject `600/minute`.
RateSetting = Annotated[Rate, NoDecode, BeforeValidator(_rate)]


def _list(value: object) -> object:
    """`a, b` -> ["a", "b"]: a list in the environment is comma-separated (or a JSON array)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        return json.loads(text)
    return [item.strip() for item in text.split(",") if item.strip()]


# A list written `a, b, c` (or as JSON). NoDecode: pydantic-settings would insist on JSON.
ListSetting = Annotated[list[str], NoDecode, BeforeValidator(_list)]

# An origin as browsers send it: scheme, host and port, nothing else.
ORIGIN = re.compile(r"^https?://[^/?#\s]+$")


class ConfigurationError(Exception):
    """The settings do not allow the service to start safely."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "staging", "production"] = "production"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    graceful_shutdown_timeout: int = Field(default=25, ge=0)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    database_url: str = Field(default="sqlite:///./{{ service.package }}.db", repr=False)
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout: float = Field(default=10.0, gt=0)
    db_pool_pre_ping: bool = True

{% if scheme == "jwt" %}
    jwt_secret: SecretStr | None = None
    jwt_public_key: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_leeway_seconds: int = Field(default=30, ge=0)
{% elif scheme == "api_key" %}
    # Key (or `sha256:<hex digest of the key>`, preferred) -> scopes; never logged.
    api_keys: dict[str, list[str]] = Field(default_factory=dict, repr=False)
{% endif %}

    # Cross-origin (browser) access: none unless origins are listed.
    cors_allowed_origins: ListSetting = []
    cors_allowed_methods: ListSetting = ["GET", "HEAD", "POST", "PATCH", "DELETE"]
    cors_allowed_headers: ListSetting = [
{% if scheme == "jwt" %}
        "Authorization",
{% elif scheme == "api_key" %}
        "X-API-Key",
{% endif %}
        "Content-Type",
        "If-Match",
        "If-None-Match",
        "Idempotency-Key",
        "X-Request-ID",
    ]
    cors_allow_credentials: bool = False
    cors_max_age: int = Field(default=600, ge=0, le=86400)

    # The interactive documentation (/docs) and the contract (/openapi.json); off in production
    # unless asked for (DOCS_ENABLED=true). Unset: on everywhere else.
    docs_enabled: bool | None = None

    idempotency_retention_hours: int = Field(default=24, ge=1)
    idempotency_sweep_interval_seconds: int = Field(default=600, ge=0)

    rate_limit_enabled: bool = True
    rate_limit_read: RateSetting = Rate(600, 60)
    rate_limit_write: RateSetting = Rate(120, 60)
    redis_url: SecretStr | None = None
    max_body_bytes: int = Field(default=1_048_576, ge=1)

    otel_exporter_otlp_endpoint: str | None = None
    otel_service_name: str = "{{ service.name }}"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("cors_allowed_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        bad = [origin for origin in origins if origin != "*" and not ORIGIN.match(origin)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not an origin like https://app.example.com")
        return origins

    @model_validator(mode="after")
    def _no_credentials_for_every_origin(self) -> "Settings":
        if self.cors_allow_credentials and "*" in self.cors_allowed_origins:
            raise ValueError(
                "CORS_ALLOW_CREDENTIALS=true needs the origins listed, not '*'"
            )
        return self

    @property
    def docs_served(self) -> bool:
        """/docs and /openapi.json are served: asked for, or by default outside production."""
        if self.docs_enabled is not None:
            return self.docs_enabled
        return self.environment != "production"

    @property
    def idempotency_retention(self) -> dt.timedelta:
        return dt.timedelta(hours=self.idempotency_retention_hours)

    @property
    def pool_capacity(self) -> int:
        """Connections the pool hands out at most: requests using the database at once."""
        return self.db_pool_size + self.db_max_overflow


@lru_cache
def get_settings() -> Settings:
    return Settings()
