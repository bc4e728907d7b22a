{% set domain = cookiecutter._domain %}
{% set pkg = domain.service.package %}
{% set scheme = domain.auth.scheme %}
{% set writable = [] %}
{% for entity in domain.entities if "create" in entity.operations %}
{% for field in entity.fields if field.write_only %}
{% if writable.append((entity, field)) %}{% endif %}
{% endfor %}
{% endfor %}
"""One JSON log line per request, and no secret in any line."""

import json

import pytest

from conftest import (
    INTERNAL_DETAIL,
    PROBE_PATH,
    PROBE_READ_SCOPE,
    PROBE_WRITE_SCOPE,
    AuthHeaders,
    ClientFactory,
)
{% if writable %}
from factories import RESOURCES, SAMPLES, Factory
from {{ pkg }}.main import BASE_PATH
{% endif %}


def log_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_one_json_line_per_request(
    make_client: ClientFactory, auth_headers: AuthHeaders, capsys: pytest.CaptureFixture[str]
) -> None:
    client = make_client()
    headers = {**auth_headers(PROBE_READ_SCOPE, sub="alice"), "X-Request-ID": "req-42"}
    capsys.readouterr()
    client.get(PROBE_PATH, headers=headers)
    access = [line for line in log_lines(capsys) if line["logger"] == "{{ pkg }}.access"]
    assert len(access) == 1
    line = access[0]
    assert line["method"] == "GET"
    assert line["route"] == PROBE_PATH
    assert line["status"] == 200
    assert line["request_id"] == "req-42"
    assert isinstance(line["duration_ms"], float)
{% if scheme == "jwt" %}
    assert line["principal"] == "alice"
{% elif scheme == "api_key" %}
    assert str(line["principal"]).startswith("key:")
    assert headers["X-API-Key"] not in json.dumps(line)
{% else %}
    assert "principal" not in line
{% endif %}


def test_unhandled_error_is_logged_with_its_request_id(
    make_client: ClientFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    client = make_client()
    capsys.readouterr()
    client.get(f"{PROBE_PATH}/boom", headers={"X-Request-ID": "req-boom"})
    errors = [line for line in log_lines(capsys) if line["level"] == "ERROR"]
    assert len(errors) == 1
    assert errors[0]["request_id"] == "req-boom"
    assert "RuntimeError" in str(errors[0]["exception"])


def test_failed_validation_is_logged_without_its_input(
    make_client: ClientFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    client = make_client()
    capsys.readouterr()
    assert client.get(f"{PROBE_PATH}/invalid").status_code == 500
    errors = [line for line in log_lines(capsys) if line["level"] == "ERROR"]
    assert len(errors) == 1
    assert "ValidationError" in str(errors[0]["exception"])
    assert "int_type" in str(errors[0]["exception"])
    assert INTERNAL_DETAIL not in json.dumps(errors[0])


def test_request_bodies_never_reach_the_logs(
    make_client: ClientFactory, auth_headers: AuthHeaders, capsys: pytest.CaptureFixture[str]
) -> None:
    client = make_client()
    sentinel = "s3cr3t-write-only-value"
    headers = auth_headers(PROBE_WRITE_SCOPE)
    capsys.readouterr()
    client.post(PROBE_PATH, json={"name": sentinel, "count": 1}, headers=headers)
    client.post(PROBE_PATH, json={"name": sentinel, "count": "no"}, headers=headers)
    client.post(PROBE_PATH, content='{"name": "' + sentinel + '"', headers=headers)
    output = capsys.readouterr().out
    assert output.count('"logger": "{{ pkg }}.access"') == 3
    assert sentinel not in output
{% if writable %}


@pytest.mark.parametrize(
    ("entity", "field"),
    [
{% for entity, field in writable %}
        ("{{ entity.name }}", "{{ field.name }}"),
{% endfor %}
    ],
)
def test_write_only_values_never_reach_the_logs(
    make_client: ClientFactory,
    auth_headers: AuthHeaders,
    capsys: pytest.CaptureFixture[str],
    entity: str,
    field: str,
) -> None:
    client = make_client()
    capsys.readouterr()
    created = Factory(client, auth_headers).create(entity)
    assert field not in created
    path, scope = RESOURCES[entity]
    rejected = client.post(BASE_PATH + path, json={field: "wr1te-only"}, headers=auth_headers(scope))
    assert rejected.status_code == 422
    output = capsys.readouterr().out
    assert output.count('"logger": "{{ pkg }}.access"') >= 2
    assert str(SAMPLES[entity][field][0]) not in output
    assert "wr1te-only" not in output
{% endif %}
