"""What every semantic rule works with: the document (for positions), the model, the problems."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..domain.model import Domain, Path
from ..errors import Problem, did_you_mean

if TYPE_CHECKING:  # the loader runs these rules: importing it here would be a cycle
    from ..load.source import Document

SUGGESTION_BUDGET = 50_000  # names compared for "did you mean" suggestions, per file


class Context:
    """One validation run: rules report problems here, in the order they find them."""

    def __init__(self, document: Document, domain: Domain) -> None:
        self.document = document
        self.domain = domain
        self.problems: list[Problem] = []
        # Every prefix of every path reported, so a rule can ask whether a node already has one.
        self.reported: set[Path] = set()
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

    def report(self, path: Path, message: str, *, code: str, key: bool = False) -> None:
        """A problem at `path`; `code` names the rule (see `codes.CODES`)."""
        self.problems.append(self.document.problem(path, message, key=key, code=code))
        self.reported.update(path[:length] for length in range(len(path) + 1))

    def reported_under(self, path: Path) -> bool:
        return tuple(path) in self.reported

    def raw(self, path: Path) -> Any:
        node: Any = self.document.data
        for part in path:
            node = node[part]
        return node


def article(word: str | None) -> str:
    word = word or ""
    # "a uuid", "a url", "a UserRole": a leading "u" that sounds like "you" takes "a"
    sounds_like_a_vowel = word[:1].lower() in tuple("aeiou") and not word.lower().startswith(("uu", "ur", "us", "uni"))
    return f"an {word}" if sounds_like_a_vowel else f"a {word}"
