"""The result of `scaffold diff`: changes with a level, a layer and a place, and the bump they need."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .codes import BUMPS, CHECKS, LEVELS, Bump, Layer, Level


@dataclass(frozen=True, slots=True)
class Change:
    code: str
    message: str
    location: str  # FILE:LINE:COLUMN
    operations: tuple[str, ...] = ()  # "METHOD /path" of the operations whose contract changes

    @property
    def level(self) -> Level:
        return CHECKS[self.code].level

    @property
    def layer(self) -> Layer:
        return CHECKS[self.code].layer

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "level": self.level,
            "layer": self.layer,
            "code": self.code,
            "message": self.message,
            "location": self.location,
        }
        if self.operations:
            data["operations"] = list(self.operations)
        return data


@dataclass(frozen=True, slots=True)
class Report:
    old: str  # the file names as given
    new: str
    changes: list[Change] = field(default_factory=list)

    @property
    def bump(self) -> Bump:
        return needed_bump(self.changes)

    def at_least(self, level: Level) -> list[Change]:
        """The changes of `level` or worse."""
        worst = LEVELS.index(level)
        return [change for change in self.changes if LEVELS.index(change.level) <= worst]

    def counts(self) -> dict[Level, int]:
        return {level: sum(1 for change in self.changes if change.level == level) for level in LEVELS}

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.old,
            "to": self.new,
            "bump": self.bump,
            "changes": [change.to_json() for change in self.changes],
        }


def needed_bump(changes: list[Change]) -> Bump:
    bumps = [CHECKS[change.code].bump for change in changes]
    return min(bumps, key=BUMPS.index, default="none")


_SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")


def made_bump(old_version: str, new_version: str) -> Bump | None:
    """The bump from one version to the other, None when either is not semver or it goes back.

    Below 1.0.0 a minor step counts as major and a patch step as minor (SemVer's "anything
    may change" range, read the way Cargo and npm's caret ranges read it).
    """
    old, new = _SEMVER.match(old_version), _SEMVER.match(new_version)
    if old is None or new is None:
        return None
    before = tuple(int(part) for part in old.groups())
    after = tuple(int(part) for part in new.groups())
    if after < before:
        return None
    if after == before:
        return "none"
    step = next(index for index in range(3) if after[index] != before[index])
    if before[0] == 0 and after[0] == 0:
        step = max(step - 1, 0)
    bump: Bump = BUMPS[step]
    return bump


def enough(made: Bump, needed: Bump) -> bool:
    return BUMPS.index(made) <= BUMPS.index(needed)
