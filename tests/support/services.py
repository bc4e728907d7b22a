"""Generating, installing and running generated services for the slow tests."""

from __future__ import annotations

import contextlib
import filecmp
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from generator.domain.model import Domain
from generator.load import load_domain
from generator.project import new_project

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "specs" / "examples").glob("*.yaml"))


def example_params() -> list[pytest.param]:  # type: ignore[valid-type]
    """One parameter per example; an example's tests share one xdist worker, hence one install."""
    return [pytest.param(path, id=path.stem, marks=pytest.mark.xdist_group(path.stem)) for path in EXAMPLES]


@dataclass(frozen=True)
class Installed:
    domain: Domain
    domain_file: Path
    project: Path
    python: Path

    def run(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.python), *args],
            cwd=self.project,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def generate(domain_file: Path, output: Path) -> Domain:
    domain = load_domain(domain_file)
    new_project(domain, output, force=False)
    return domain


def install(project: Path, domain: Domain, domain_file: Path) -> Installed:
    """A virtual environment of the project's own, with its [dev] extra."""
    venv = project / ".venv"
    subprocess.run(["uv", "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        ["uv", "pip", "install", "-q", "--python", str(python), "-e", f"{project}[dev]"],
        check=True,
        capture_output=True,
        text=True,
    )
    return Installed(domain, domain_file, project, python)


def same_tree(left: Path, right: Path) -> list[str]:
    """Relative paths that differ between two trees (missing on either side or other bytes)."""
    differences: list[str] = []

    def walk(comparison: filecmp.dircmp[str], prefix: str) -> None:
        differences.extend(prefix + name for name in comparison.left_only + comparison.right_only)
        _, mismatch, errors = filecmp.cmpfiles(
            comparison.left, comparison.right, comparison.common_files, shallow=False
        )
        differences.extend(prefix + name for name in mismatch + errors)
        for name, sub in comparison.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right, ignore=[".venv", "__pycache__", ".git", ".ruff_cache", ".mypy_cache"]), "")
    return differences


@contextlib.contextmanager
def scratch_database(admin_url: str, prefix: str) -> Iterator[str]:
    """A new, empty database on the server of `admin_url`; dropped afterwards.

    Connection failures propagate: a test given a database URL fails, never skips.
    """
    name = f"{prefix}_{secrets.token_hex(4)}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    quote = engine.dialect.identifier_preparer.quote
    with engine.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {quote(name)}"))
    url = sa.make_url(admin_url).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)"))
            else:
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS {quote(name)}"))
        engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(installed: Installed, env: dict[str, str]) -> Iterator[str]:
    """`python -m <package> serve` on a free loopback port; yields the base URL.

    The service's output goes to a file: a pipe nobody reads fills up and blocks the
    service on its next log line.
    """
    port = free_port()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        process = subprocess.Popen(
            [str(installed.python), "-m", installed.domain.service.package, "serve"],
            cwd=installed.project,
            env={**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                        break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError(f"the service did not start:\n{log.read()}") from None
                    time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
