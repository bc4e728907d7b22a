"""`scaffold template check`: does a template (a fork) give working services?

For each domain (the examples scaffold ships, and the team's own), the template is
rendered, the project installed in a virtual environment of its own, and its own linters,
type check and tests run, as the service's CI would. The first failing step of a domain is
its result; every domain is tried, so one report shows every broken one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import DomainError, GenerationError
from ..load import load_domain
from .new import generate, write_files
from .template_source import Template, TemplateSource, fetch

STEPS = ("render", "install", "ruff check", "ruff format", "mypy", "pytest")
_TAIL_LINES = 30


@dataclass(frozen=True, slots=True)
class DomainResult:
    domain: str
    failed_step: str | None  # None when every step passed
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.failed_step is None


def check_template(
    source: TemplateSource, domains: Iterable[Path], report: Callable[[DomainResult], None] | None = None
) -> list[DomainResult]:
    results = []
    with tempfile.TemporaryDirectory(prefix="scaffold-template-check-") as directory:
        work = Path(directory)
        template = fetch(source, work)
        for index, path in enumerate(domains):
            result = _check_domain(template, path, work / f"domain-{index}")
            results.append(result)
            if report is not None:
                report(result)
    return results


def _check_domain(template: Template, path: Path, work: Path) -> DomainResult:
    name = str(path)
    try:
        domain = load_domain(path)
    except DomainError as error:
        return DomainResult(name, "render", "\n".join(str(problem) for problem in error.problems))
    work.mkdir()
    project = work / "project"
    try:
        files = generate(domain, work, template)
    except GenerationError as error:
        return DomainResult(name, "render", str(error))
    write_files(project, files)
    failure = check_project(project)
    return DomainResult(name, None) if failure is None else DomainResult(name, *failure)


def check_project(project: Path) -> tuple[str, str] | None:
    """Install a rendered project in `.venv` and run its checks: None, or (failed step, output)."""
    python = project / ".venv" / "bin" / "python"
    commands = {
        "install": [_uv(), "venv", "-q", "--python", sys.executable, str(project / ".venv")],
        "ruff check": [str(python), "-m", "ruff", "check", "--no-cache", "."],
        "ruff format": [str(python), "-m", "ruff", "format", "--check", "--no-cache", "."],
        "mypy": [str(python), "-m", "mypy"],
        "pytest": [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
    }
    for step, command in commands.items():
        failure = _run(command, project)
        if failure is None and step == "install":
            install = [_uv(), "pip", "install", "-q", "--python", str(python), "-e", ".[dev]"]
            failure = _run(install, project)
        if failure is not None:
            return step, failure
    return None


def _run(command: list[str], cwd: Path) -> str | None:
    """None when the command succeeds, else the end of its output."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "PYTHON"))}
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=environment, check=False)
    if result.returncode == 0:
        return None
    lines = (result.stdout + result.stderr).strip().splitlines()
    return "\n".join(lines[-_TAIL_LINES:]) or f"exit status {result.returncode}"


def _uv() -> str:
    from uv import find_uv_bin

    return str(find_uv_bin())
