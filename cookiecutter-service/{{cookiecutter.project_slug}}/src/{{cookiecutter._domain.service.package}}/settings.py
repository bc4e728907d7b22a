{% set service = cookiecutter._domain.service %}
{% set scheme = cookiecutter._domain.auth.scheme %}
"""Configuration from the environment (and a `.env` file); every variable is in the README."""

from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, SecretStr, field_validator
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
    api_keys: dict[str, list[str]] = Field(default_factory=dict, repr=False)
{% endif %}

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

    @property
    def pool_capacity(self) -> int:
        """Connections the pool hands out at most: requests using the database at once."""
        return self.db_pool_size + self.db_max_overflow


@lru_cache
def get_settings() -> Settings:
    return Settings()
