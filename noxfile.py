"""Developer and CI sessions. `nox -l` lists them; `nox -s ci` is what CI runs.

Sessions:
  demo       generate the bookstore example and serve it on SQLite (http://127.0.0.1:8000)
  tests      the fast suite (no generated service is installed)
  services   generate every example, install it, run its own tests on SQLite/PostgreSQL/MariaDB
  lint       ruff over the generator, tests and scripts
  typecheck  mypy (strict) over the generator
  conformance  outside tools against generated services: schemathesis, a generated client,
             concurrency and faults, two random domains
  random-domains  more random domains end to end (`nox -s random-domains -- 10`)
  ci         lint + typecheck + the whole test suite, as CI runs it (conformance included, 2 random domains)
  bench      benchmarks: generation and generated-service speed against baselines (< 15 min)
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "typecheck", "tests"]

ROOT = Path(__file__).parent
PYTHON = "3.11"
DEV = ".[dev]"


def _npm_ci(session: nox.Session) -> None:
    """The contract linters (Spectral, Redocly) and mermaid-cli from npm, pinned by the lock file,
    and Debian's chromium, which mermaid-cli renders with (browsers cannot be downloaded here)."""
    env = {"PUPPETEER_SKIP_DOWNLOAD": "1", "REDOCLY_TELEMETRY": "off"}
    session.run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", external=True, env=env)
    session.run("bash", "scripts/install-system-deps.sh", "tests", external=True)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Fast tests: loader, validator, contract, CLI, golden files."""
    session.install("-e", DEV)
    _npm_ci(session)
    session.run("pytest", "-m", "not slow", "-n", "auto", *session.posargs)


@nox.session(python=PYTHON)
def services(session: nox.Session) -> None:
    """Generated services, installed and tested for real (minutes)."""
    session.install("-e", DEV)
    session.run("pytest", "-m", "slow", "-n", "2", "--dist", "loadgroup", *session.posargs)


@nox.session(name="random-domains", python=PYTHON)
def random_domains(session: nox.Session) -> None:
    """More random domains end to end: `nox -s random-domains -- 10` (default 10, ~100 s each)."""
    session.install("-e", DEV)
    count = session.posargs[0] if session.posargs else "10"
    env = {"SCAFFOLD_RANDOM_DOMAINS": count}
    session.run("pytest", "tests/test_random_domains.py", "-m", "slow", "-k", "random_domain_generates", env=env)


@nox.session(python=PYTHON)
def conformance(session: nox.Session) -> None:
    """Schemathesis, a generated client, concurrency and faults, random domains (as many as CI draws)."""
    session.install("-e", DEV)
    session.run("pytest", "-m", "conformance", "-n", "2", "--dist", "loadgroup", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    session.install("-e", DEV)
    paths = ["generator", "tests", "scripts", "noxfile.py"]
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    session.install("-e", DEV)
    session.run("mypy")


@nox.session(python=PYTHON)
def ci(session: nox.Session) -> None:
    """Everything, in one environment: lint, types, the fast suite, then the generated services."""
    session.install("-e", DEV)
    _npm_ci(session)
    paths = ["generator", "tests", "scripts", "noxfile.py"]
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)
    session.run("mypy")
    session.run("python", "scripts/sync_template.py", "--check")
    session.run("pytest", "-n", "2", "--dist", "loadgroup", *session.posargs)


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """Generate specs/examples/bookstore.yaml into ./out/bookstore and serve it on SQLite."""
    session.install("-e", DEV)
    output = ROOT / "out" / "bookstore"
    session.run("scaffold", "new", "specs/examples/bookstore.yaml", "--output", str(output), "--force")
    session.install("-e", str(output))
    session.chdir(output)
    env = {"ENVIRONMENT": "development", "HOST": os.environ.get("HOST", "127.0.0.1")}
    session.run("python", "-m", "bookstore", "migrate", env=env)
    session.log("Serving on http://127.0.0.1:8000 (try /healthz); Ctrl-C stops it")
    session.run("python", "-m", "bookstore", "serve", env=env)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks -> benchmarks/results/ (table + plots). `nox -s bench -- --quick` checks the harness.

    Needs wrk (scripts/install-system-deps.sh installs it), PostgreSQL on 127.0.0.1:5432 and
    Redis on 127.0.0.1:6379 (figures that need a missing one are reported as missing).
    The peers and the services get environments of their own under .nox/bench-tools.
    """
    session.run("bash", "scripts/install-system-deps.sh", "bench", external=True)
    session.env["UV_COMPILE_BYTECODE"] = "1"
    session.install("-e", ".", "matplotlib>=3.8", "uv>=0.9")
    session.run("python", "benchmarks/run.py", *session.posargs)
