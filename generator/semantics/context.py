"""What every semantic rule works with: the document (for positions), the model, the problems."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import Problem, did_you_mean
from ..model import (
    NUMERIC_TYPES,
    STRING_TYPES,
    Domain,
    Path,
)
from ..source import Document

SUGGESTION_BUDGET = 50_000  # names compared for "did you mean" suggestions, per file
RESERVED_COMPONENTS = ("Problem", "ValidationProblem", "ValidationError")
RESERVED_TABLES = ("idempotency_records", "alembic_version")
RESERVED_QUERY_PARAMS = ("limit", "cursor", "sort", "q")
APPLIES_TO = {
    "min_length": STRING_TYPES,
    "max_length": STRING_TYPES,
    "pattern": STRING_TYPES,
    "minimum": NUMERIC_TYPES,
    "maximum": NUMERIC_TYPES,
    "max_digits": ("decimal",),
    "decimal_places": ("decimal",),
}
# MariaDB/MySQL with utf8mb4 (4 bytes a character): the longest VARCHAR, and the row size
# limit that every VARCHAR counts against with its full length (TEXT/JSON count ~12 bytes).
MYSQL_VARCHAR_CHARS = 16383
MYSQL_ROW_BYTES = 65535
VARCHAR_TYPES = ("string", "email", "url")
FIXED_BYTES = {"integer": 8, "number": 8, "boolean": 1, "date": 3, "datetime": 8, "decimal": 30}
UNSORTABLE = ("json", "text")
UNFILTERABLE = ("json",)


class Context:
    """One validation run: rules report problems here, in the order they find them."""

    def __init__(self, document: Document, domain: Domain) -> None:
        self.document = document
        self.domain = domain
        self.problems: list[Problem] = []
        self.suggestion_budget = SUGGESTION_BUDGET
        self.enums = {enum.name: enum for enum in domain.enums}
        self.entities = {entity.name: entity for entity in domain.entities}

    def hint(self, name: str, candidates: Iterable[str]) -> str:
        """A "did you mean" suffix, within a budget of name comparisons: a huge file with
        thousands of misspelt references would otherwise take minutes (quadratic)."""
        options = set(candidates)
        if len(options) > self.suggestion_budget:
            return ""
        self.suggestion_budget -= len(options)
        return did_you_mean(name, options)

    def report(self, path: Path, message: str, *, key: bool = False) -> None:
        self.problems.append(self.document.problem(path, message, key=key))

    def raw(self, path: Path) -> Any:
        node: Any = self.document.data
        for part in path:
            node = node[part]
        return node
