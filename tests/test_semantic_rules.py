"""The semantic rule registry: every registered rule is exercised by a bad domain of the suite."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator import semantics
from generator.errors import DomainError
from generator.load import load_domain

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
