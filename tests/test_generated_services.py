"""Every example domain, generated, installed in its own venv, and run for real.

These are the slow tests (`-m slow`): each example is generated once per worker, installed
with uv, and its own test suite runs on SQLite and, when their URLs are given, on
PostgreSQL and MariaDB.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from generator.contract import emit_contract
from generator.docs import design_document, er_diagram
from generator.project.template_check import check_project
from tests.support.services import (
    ROOT,
    Installed,
    example_params,
    generate,
    same_tree,
    scratch_database,
    serving,
)

pytestmark = pytest.mark.slow


def _tail(result: subprocess.CompletedProcess[str], lines: int = 60) -> str:
    return "\n".join((result.stdout + result.stderr).splitlines()[-lines:])


def _run_own_tests(installed: Installed, database_url: str | None) -> None:
    env = {"TEST_DATABASE_URL": database_url} if database_url else {}
    result = installed.run("-m", "pytest", "-q", "-p", "no:cacheprovider", env=env, timeout=900)
    assert result.returncode == 0, _tail(result)
    assert re.search(r"\d+ passed", result.stdout), _tail(result)


examples = pytest.mark.parametrize("installed", example_params(), indirect=True)


@examples
def test_own_tests_pass_on_sqlite(installed: Installed) -> None:
    _run_own_tests(installed, None)


@examples
def test_own_tests_pass_on_postgresql(installed: Installed) -> None:
    admin_url = os.environ.get("TEST_POSTGRES_URL")
    if not admin_url:
        pytest.skip("TEST_POSTGRES_URL is not set")
    with scratch_database(admin_url, installed.domain.service.package) as url:
        _run_own_tests(installed, url)


@examples
def test_own_tests_pass_on_mariadb(installed: Installed) -> None:
    admin_url = os.environ.get("TEST_MARIADB_URL")
    if not admin_url:
        pytest.skip("TEST_MARIADB_URL is not set")
    with scratch_database(admin_url, installed.domain.service.package) as url:
        _run_own_tests(installed, url)


@examples
def test_ruff_and_mypy_clean(installed: Installed) -> None:
    # No caches: the project directory is shared with the leftover and determinism checks.
    checks = (["ruff", "check", "--no-cache", "."], ["ruff", "format", "--no-cache", "--check", "."])
    for args in (*checks, ["mypy", "--cache-dir", os.devnull]):
        result = installed.run("-m", *args)
        assert result.returncode == 0, f"{' '.join(args)}:\n{_tail(result)}"


@examples
def test_no_template_leftovers(installed: Installed) -> None:
    leftovers = []
    for path in installed.project.rglob("*"):
        if {".venv", "__pycache__", ".git", ".ruff_cache"} & set(path.parts) or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if re.search(r"\{\{|\{%|cookiecutter|_entity_templates", text):
            leftovers.append(str(path.relative_to(installed.project)))
    assert not leftovers
    assert not (installed.project / "_entity_templates").exists()


@examples
def test_generation_is_deterministic(installed: Installed, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(installed.domain_file, again)
    assert same_tree(installed.project, again) == []


@examples
def test_serves_its_contract(installed: Installed, tmp_path: Path) -> None:
    package = installed.domain.service.package
    env = {"ENVIRONMENT": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}"}
    migrated = installed.run("-m", package, "migrate", env=env)
    assert migrated.returncode == 0, _tail(migrated)
    contract = YAML(typ="safe").load((installed.project / "openapi.yaml").read_text(encoding="utf-8"))
    with serving(installed, env) as base:
        with urllib.request.urlopen(f"{base}/openapi.json", timeout=5) as response:
            assert json.load(response) == contract
        with urllib.request.urlopen(f"{base}/readyz", timeout=5) as response:
            assert response.status == 200
        with urllib.request.urlopen(f"{base}/metrics", timeout=5) as response:
            assert b"http_requests_total" in response.read()


CHROMIUM = Path("/usr/bin/chromium")  # scripts/install-system-deps.sh installs it


@pytest.mark.parametrize("installed", [p for p in example_params() if p.id == "bookstore"], indirect=True)
def test_docs_render_in_a_browser_offline_under_their_policy(installed: Installed, tmp_path: Path) -> None:
    """A real browser, every host but the service unresolvable, the page's own CSP enforced."""
    package = installed.domain.service.package
    env = {
        "ENVIRONMENT": "production",
        "DOCS_ENABLED": "true",
        "JWT_SECRET": "s" * 48,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'docs.db'}",
    }
    migrated = installed.run("-m", package, "migrate", env=env)
    assert migrated.returncode == 0, _tail(migrated)
    contract = YAML(typ="safe").load((installed.project / "openapi.yaml").read_text(encoding="utf-8"))
    with serving(installed, env) as base:
        browser = subprocess.run(
            [str(CHROMIUM), "--headless=new", "--no-sandbox", "--disable-gpu",
             f"--user-data-dir={tmp_path / 'profile'}",
             "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
             "--virtual-time-budget=15000", "--dump-dom", f"{base}/docs"],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert browser.returncode == 0, browser.stderr[-2000:]
    rendered = set(re.findall(r'data-path="([^"]+)"', browser.stdout))
    assert rendered == set(contract["paths"]), browser.stdout[-2000:]  # every operation is on the page


_UNIQUE_CONSTRAINTS = """
import json, sys
import sqlalchemy as sa
from sqlmodel import SQLModel
import {package}.models
found = []
for table in SQLModel.metadata.sorted_tables:
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            found.append([table.name, constraint.name, [column.name for column in constraint.columns]])
    found += [[table.name, None, [column.name]] for column in table.columns if column.unique]
json.dump(found, sys.stdout)
"""


@examples
def test_carries_its_design_document(installed: Installed) -> None:
    """docs/design.md is `scaffold docs`; the README links it and shows the ER diagram."""
    domain = installed.domain
    design = (installed.project / "docs" / "design.md").read_text(encoding="utf-8")
    assert design == design_document(domain, emit_contract(domain))
    readme = (installed.project / "README.md").read_text(encoding="utf-8")
    assert "(docs/design.md)" in readme
    assert f"```mermaid\n{er_diagram(domain)}\n```" in readme


@examples
def test_design_document_lists_every_unique_constraint_of_the_models(installed: Installed) -> None:
    """Read from the generated SQLModel metadata, so that template and document cannot drift apart."""
    result = installed.run("-c", _UNIQUE_CONSTRAINTS.format(package=installed.domain.service.package))
    assert result.returncode == 0, _tail(result)
    design = (installed.project / "docs" / "design.md").read_text(encoding="utf-8")
    invariants = design[design.index("#### Uniqueness") :]
    invariants = invariants[: invariants.index("\n#", 1)]
    constraints = json.loads(result.stdout)
    assert constraints
    for table, name, columns in constraints:
        if table == "idempotency_records":
            continue  # the service's own bookkeeping, not a domain invariant
        cells = ", ".join(f"`{column}`" for column in columns)
        assert f"| {cells} |" in invariants, (table, columns)
        if name:
            assert f"`{name}`" in invariants, name


@pytest.mark.xdist_group("template-default")
def test_template_works_on_its_own(tmp_path: Path) -> None:
    """`cookiecutter cookiecutter-service --no-input` yields a service that passes its own ruff,
    mypy and tests (the hook formats it; `template check` runs the same steps)."""
    subprocess.run(
        [sys.executable, "-m", "cookiecutter", str(ROOT / "cookiecutter-service"), "--no-input", "-o", str(tmp_path)],
        check=True,
        env={**os.environ, "HOME": str(tmp_path)},  # keep cookiecutter's replay files out of the real home
    )
    (project,) = [p for p in tmp_path.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert check_project(project) is None
