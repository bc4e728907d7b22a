"""The semantic rule registry: every registered rule is exercised by a bad domain of the suite."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator import semantics
from generator.errors import DomainError, Problem
from generator.load import load_domain
from generator.semantics.codes import CODES

BAD_DOMAINS = sorted((Path(__file__).parent / "bad_domains").glob("*.yaml"))
TABLES = ("DOMAIN_RULES", "FIELD_RULES", "RELATION_RULES", "ENTITY_RULES", "FINAL_RULES")


def test_every_registered_rule_reports_a_problem_of_some_bad_domain(monkeypatch: pytest.MonkeyPatch) -> None:
    reported: set[str] = set()

    def counting(rule: Callable[..., None]) -> Callable[..., None]:
        def run(ctx: Any, *args: Any) -> None:
            before = len(ctx.problems)
            rule(ctx, *args)
            if len(ctx.problems) > before:
                reported.add(f"{rule.__module__}.{rule.__name__}")

        return run

    registered = {f"{rule.__module__}.{rule.__name__}" for table in TABLES for rule in getattr(semantics, table)}
    for table in TABLES:
        monkeypatch.setattr(semantics, table, tuple(counting(rule) for rule in getattr(semantics, table)))
    for path in BAD_DOMAINS:
        with contextlib.suppress(DomainError):
            load_domain(path)
    assert registered - reported == set()


def _semantic_problems() -> list[Problem]:
    problems: list[Problem] = []
    for path in BAD_DOMAINS:
        try:
            load_domain(path)
        except DomainError as error:
            problems += error.problems
    return problems


def test_every_rule_code_is_catalogued_and_reported_by_some_bad_domain() -> None:
    reported = {problem.code for problem in _semantic_problems() if problem.code}
    assert reported - set(CODES) == set(), "codes missing from semantics/codes.py"
    assert set(CODES) - reported == set(), "catalogued codes no bad domain triggers"


def test_every_semantic_problem_ends_with_its_code() -> None:
    for problem in _semantic_problems():
        if problem.code:
            assert str(problem).endswith(f"{problem.message} [{problem.code}]")


def test_the_format_docs_list_every_rule_code() -> None:
    docs = (Path(__file__).parent.parent / "specs" / "README.md").read_text(encoding="utf-8")
    docs = docs[docs.index("## Validation") :]
    listed = set(re.findall(r"^\| `([a-z-]+)` \|", docs, re.M))
    assert listed == set(CODES)
