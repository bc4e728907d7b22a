{% set domain = cookiecutter._domain %}
{% set pkg = domain.service.package %}
{% set scheme = domain.auth.scheme %}
{% set creatable = [] %}
{% for entity in domain.entities if "create" in entity.operations %}
{% if creatable.append(entity) %}{% endif %}
{% endfor %}
"""The command line: serve (with graceful shutdown), migrate{{ " and token" if scheme == "jwt" }}."""

import os
import pathlib
{% if creatable %}
import signal
import socket
{% endif %}
import subprocess
import sys
{% if creatable %}
import time
{% endif %}

{% if domain.auth.scheme == "jwt" %}
import jwt
{% endif %}
import sqlalchemy as sa

PROJECT = pathlib.Path(__file__).resolve().parents[1]


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "{{ pkg }}", *args],
        cwd=PROJECT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


{% if creatable %}
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_serving(port: int, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not start")


def test_in_flight_request_finishes_after_sigterm(tmp_path: pathlib.Path) -> None:
    """A create request whose body is still arriving when SIGTERM comes is answered."""
    port = free_port()
    env = {
        **os.environ,
        "ENVIRONMENT": "production",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
{% if scheme == "jwt" %}
        "JWT_SECRET": "serve-test-secret-long-enough-for-hs256-0123",
{% endif %}
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "{{ pkg }}", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_serving(port, server)
        body = b'{"padding": "' + b"x" * 32 + b'"}'
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            head = (
                "POST {{ domain.service.base_path }}/{{ creatable[0].segment }} HTTP/1.1\r\n"
                "Host: test\r\n"
                "Content-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            )
            connection.sendall(head.encode() + body[:10])
            time.sleep(0.3)
            server.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            assert server.poll() is None, "the server stopped with a request in flight"
            connection.sendall(body[10:])
            response = connection.recv(65536)
        # Refused (no credentials, or missing fields), but answered.
        assert response.startswith(b"HTTP/1.1 4")
        # uvicorn re-raises the signal once it has shut down cleanly.
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        if server.poll() is None:
            server.kill()
        output, _ = server.communicate()
    assert "Traceback" not in output
{% endif %}


def test_migrate_creates_every_table(tmp_path: pathlib.Path) -> None:
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    result = run("migrate", env={"DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    engine = sa.create_engine(url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
{% for entity in domain.entities %}
    assert "{{ entity.table }}" in tables
{% endfor %}
    assert "alembic_version" in tables


def test_migrate_check_fails_until_the_database_is_at_the_head(tmp_path: pathlib.Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'checked.db'}"}
    behind = run("migrate", "--check", env=env)
    assert behind.returncode == 1
    assert "the database is at migration none" in behind.stderr
    assert run("migrate", env=env).returncode == 0
    current = run("migrate", "--check", env=env)
    assert current.returncode == 0, current.stderr


def test_migrate_reports_an_unreachable_database(tmp_path: pathlib.Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing-directory' / 'db.sqlite'}"
    result = run("migrate", env={"DATABASE_URL": url})
    assert result.returncode == 1
    assert "cannot migrate the database" in result.stderr
    assert "Traceback" not in result.stderr
{% if domain.auth.scheme == "jwt" %}


def test_token_is_signed_with_the_configured_secret() -> None:
    secret = "cli-test-secret-long-enough-for-hs256-0123"
    result = run("token", "--scope", "a:read b:write", "--sub", "cli", env={"JWT_SECRET": secret})
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), secret, algorithms=["HS256"])
    assert claims["sub"] == "cli"
    assert claims["scope"] == "a:read b:write"
    assert claims["exp"] > claims["iat"]
{% endif %}
