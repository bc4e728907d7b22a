{% set domain = cookiecutter._domain %}
{% set pkg = domain.service.package %}
{% set scheme = domain.auth.scheme %}
"""Configuration: safe defaults, refusal to start insecurely, every variable documented."""

{% if scheme == "jwt" %}
import os
{% endif %}
import pathlib
{% if scheme == "jwt" %}
import subprocess
import sys
{% endif %}

import pytest

{% if scheme == "jwt" %}
from conftest import settings_for_tests
from {{ pkg }}.main import create_app
{% endif %}{% if scheme == "jwt" %}
from {{ pkg }}.settings import ConfigurationError, Settings
{% else %}
from {{ pkg }}.settings import Settings
{% endif %}

PROJECT = pathlib.Path(__file__).resolve().parents[1]


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in readme]
    assert missing == []


@pytest.mark.parametrize("rate", ["10", "0/minute", "5/fortnight", "x/second"])
def test_bad_rate_is_refused(rate: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        Settings(_env_file=None, rate_limit_read=rate)


def test_rates_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # As deploy/k8s/configmap.yaml and .env.example write them (not JSON).
    monkeypatch.setenv("RATE_LIMIT_READ", "600/minute")
    monkeypatch.setenv("RATE_LIMIT_WRITE", "5/second")
    settings = Settings(_env_file=None)
    assert (settings.rate_limit_read.count, settings.rate_limit_read.seconds) == (600, 60)
    assert (settings.rate_limit_write.count, settings.rate_limit_write.seconds) == (5, 1)
{% if scheme == "jwt" %}


def test_refuses_to_start_without_a_jwt_secret(migrated_database_url: str) -> None:
    settings = settings_for_tests(migrated_database_url, environment="production", jwt_secret=None)
    with pytest.raises(ConfigurationError, match="JWT_SECRET"):
        create_app(settings)


def test_refuses_a_short_jwt_secret(migrated_database_url: str) -> None:
    settings = settings_for_tests(migrated_database_url, jwt_secret="too-short")
    with pytest.raises(ConfigurationError, match="at least"):
        create_app(settings)


def test_development_generates_a_secret_with_a_warning(
    migrated_database_url: str,
    tmp_path: pathlib.Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = settings_for_tests(migrated_database_url, environment="development", jwt_secret=None)
    create_app(settings)
    secret_file = tmp_path / ".jwt-dev-secret"
    assert len(secret_file.read_text()) >= 32
    assert secret_file.stat().st_mode & 0o077 == 0
    assert "development secret" in capsys.readouterr().out


def test_serve_exits_with_a_message_not_a_traceback(tmp_path: pathlib.Path) -> None:
    env = {**os.environ, "ENVIRONMENT": "production", "JWT_SECRET": "", "JWT_PUBLIC_KEY": ""}
    env.pop("JWT_SECRET")
    env.pop("JWT_PUBLIC_KEY")
    result = subprocess.run(
        [sys.executable, "-m", "{{ pkg }}", "serve"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "JWT_SECRET" in result.stderr
    assert "Traceback" not in result.stderr
{% elif scheme == "api_key" %}


def test_api_keys_are_read_from_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_KEYS", '{"k1": ["a:read", "a:write"]}')
    assert Settings(_env_file=None).api_keys == {"k1": ["a:read", "a:write"]}
    assert "k1" not in repr(Settings(_env_file=None))


def test_malformed_api_keys_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_KEYS", '["not", "an", "object"]')
    with pytest.raises(ValueError, match="api_keys"):
        Settings(_env_file=None)
{% endif %}
