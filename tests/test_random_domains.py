"""Random valid domains: every one validates, and generates a project that works.

The domains come from `tests.support.domains.valid_domains()`, which covers the whole format
with hostile names (Python keywords, builtins, SQL reserved words).

- `test_random_domains_validate_and_give_a_valid_contract` (fast, ~15 s): 200 domains, each
  accepted by the validator (the strategy must only make valid domains) and emitting a
  contract that passes the OpenAPI validator.
- `test_regression_domain_passes_its_entity_tests` (slow, ~30 s each): the minimal domains
  of the bugs the random domains found (`tests/regression_domains/`), generated, installed,
  and their per-entity tests run.
- `test_random_domain_generates_installs_and_passes_its_tests` (slow, conformance, ~100 s a
  domain): `SCAFFOLD_RANDOM_DOMAINS` domains (default 2) are generated, installed in a venv
  of their own, their own test suite runs on SQLite, and ruff and mypy are clean.

How the slow domains are drawn (a choice): not with `@given` on the slow test itself. A
failing multi-minute example would be replayed by hypothesis, and its first examples are
the simplest ones (one entity, no fields), a waste of a CI run. Instead a seeded
hypothesis run (`@seed(SEED)`, no database, generate phase only) draws candidates in a
fraction of a second each and keeps the first ones that are rich enough (several
entities, fields and relations); each kept domain is one pytest case, `random-0`,
`random-1`, ... The same seed gives the same domains for the same hypothesis version, and a
larger `SCAFFOLD_RANDOM_DOMAINS` only appends cases. On a failure the message carries the
domain YAML: save it to a file and run `scaffold new` on it to reproduce.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings

from generator.contract import emit_contract, validate_contract
from generator.errors import DomainError
from generator.load import validate_document
from generator.load.source import parse_document
from tests.support.domains import dump_yaml, valid_domains
from tests.support.services import generate, install

REGRESSIONS = sorted((Path(__file__).parent / "regression_domains").glob("*.yaml"))
SEED = 20261201
COUNT = int(os.environ.get("SCAFFOLD_RANDOM_DOMAINS", "2"))
FAST_EXAMPLES = 200


def _validated(text: str) -> Any:
    try:
        return validate_document(parse_document(text.encode(), "random.yaml"))
    except DomainError as error:
        problems = "\n".join(str(problem) for problem in error.problems)
        raise AssertionError(f"the strategy drew an invalid domain:\n{problems}\n--- domain ---\n{text}") from None


@settings(
    max_examples=FAST_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(valid_domains())
def test_random_domains_validate_and_give_a_valid_contract(domain: dict[str, Any]) -> None:
    text = dump_yaml(domain)
    model = _validated(text)
    problems = validate_contract(emit_contract(model))
    assert problems == [], "\n".join(problems) + "\n--- domain ---\n" + text


# --- the slow, end-to-end half -------------------------------------------------------------


def _rich(domain: dict[str, Any]) -> bool:
    entities = domain["entities"].values()
    fields = sum(len(entity["fields"]) for entity in entities)
    relations = sum(len(entity.get("relations", {})) for entity in entities)
    return len(domain["entities"]) >= 2 and fields >= 4 and relations >= 1


def draw_domains(count: int) -> list[str]:
    """The first `count` rich domains of a seeded run, as YAML (deterministic)."""
    found: list[str] = []

    @seed(SEED)
    @settings(
        max_examples=max(40, 20 * count),
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(valid_domains(max_entities=3, max_fields=5, max_relations=2))
    def collect(domain: dict[str, Any]) -> None:
        if len(found) < count and _rich(domain):
            found.append(dump_yaml(domain))

    collect()
    assert len(found) == count, f"only {len(found)} of {count} drawn domains were rich enough"
    return found


def _tail(result: subprocess.CompletedProcess[str], lines: int = 80) -> str:
    return "\n".join((result.stdout + result.stderr).splitlines()[-lines:])


@pytest.mark.slow
@pytest.mark.conformance
@pytest.mark.parametrize("case", range(COUNT), ids=lambda case: f"random-{case}")
def test_random_domain_generates_installs_and_passes_its_tests(case: int, tmp_path: Path) -> None:
    text = draw_domains(COUNT)[case]
    reproduce = f"\n--- domain (save as domain.yaml; `scaffold new domain.yaml -o out`) ---\n{text}"
    _validated(text)
    domain_file = tmp_path / "domain.yaml"
    domain_file.write_text(text, encoding="utf-8")
    project = tmp_path / "project"
    try:
        domain = generate(domain_file, project)
    except Exception as error:
        raise AssertionError(f"scaffold new failed: {error!r}{reproduce}") from error
    try:
        installed = install(project, domain, domain_file)
    except subprocess.CalledProcessError as error:
        raise AssertionError(f"install failed:\n{error.stdout}\n{error.stderr}{reproduce}") from error
    result = installed.run("-m", "pytest", "-q", "-p", "no:cacheprovider", timeout=900)
    assert result.returncode == 0, f"the project's own tests failed:\n{_tail(result)}{reproduce}"
    assert re.search(r"\d+ passed", result.stdout), _tail(result) + reproduce
    checks = (["ruff", "check", "--no-cache", "."], ["ruff", "format", "--no-cache", "--check", "."])
    for args in (*checks, ["mypy", "--cache-dir", os.devnull]):
        result = installed.run("-m", *args)
        assert result.returncode == 0, f"{' '.join(args)}:\n{_tail(result)}{reproduce}"


@pytest.mark.slow
@pytest.mark.parametrize("domain_file", REGRESSIONS, ids=[path.stem for path in REGRESSIONS])
def test_regression_domain_passes_its_entity_tests(domain_file: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    domain = generate(domain_file, project)
    installed = install(project, domain, domain_file)
    shared = [name for name in ("tests/test_resources.py", "tests/test_scopes.py") if (project / name).exists()]
    entity_tests = [*shared, *(f"tests/test_{entity.module}.py" for entity in domain.entities)]
    result = installed.run("-m", "pytest", "-q", "-p", "no:cacheprovider", *entity_tests, timeout=900)
    assert result.returncode == 0, _tail(result)
    assert re.search(r"\d+ passed", result.stdout), _tail(result)
