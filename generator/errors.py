"""Problems found in a domain file, reported together as `FILE:LINE:COLUMN: message`."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True, slots=True)
class Problem:
    file: str
    line: int
    column: int
    message: str
    # The semantic rule that found it (`semantics.codes.CODES`); empty for YAML and schema problems.
    code: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}: {self.message}"
        return f"{where} [{self.code}]" if self.code else where


class DomainError(Exception):
    """The domain file is invalid; `problems` holds every problem found, in file order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


class GenerationError(Exception):
    """Something other than the domain file went wrong (I/O, a tool, the output directory)."""


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """A ` (did you mean `X`?)` suffix when a candidate is close to `name`, else ``."""
    options = sorted(set(candidates))
    match = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    if not match:
        lowered = {option.lower(): option for option in options}
        match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
        match = [lowered[m] for m in match]
    return f" (did you mean `{match[0]}`?)" if match else ""
