"""The three-way decision for every file of a project: pure, over (path -> content) maps.

base is the previous pristine generation, ours the project's working tree, theirs the new
generation. What happens to each path follows git's own rules for a merge; the text of a
file changed on both sides is merged by `git merge-file` (see `apply`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Action = Literal["write", "delete", "merge", "conflict-deleted", "conflict-kept"]


@dataclass(frozen=True)
class Step:
    path: str
    action: Action
    content: bytes = b""  # what to write ("write", "conflict-deleted") or the new generation ("merge")
    base: bytes = b""  # the previous generation of the file ("merge"; empty for a file both added)


def plan(base: dict[str, bytes], ours: dict[str, bytes | None], theirs: dict[str, bytes]) -> list[Step]:
    """The steps that bring `ours` from `base` to `theirs`, keeping every change of ours.

    `ours` maps each path of base or theirs to its working-tree content, None when absent.
    - a file the generation did not change is left as it is (edited, deleted or not);
    - a file ours did not change (or changed exactly as theirs) takes the new generation;
    - a file changed on both sides is merged line by line (conflict markers where they overlap);
    - a file the generation removes is deleted when untouched, kept as a conflict when edited;
    - a file the user deleted that the generation changes comes back as a conflict.
    """
    steps: list[Step] = []
    for path in sorted(set(base) | set(theirs)):
        old, mine, new = base.get(path), ours.get(path), theirs.get(path)
        if old == new or mine == new:
            continue
        if new is None:
            if mine is None:
                continue
            steps.append(Step(path, "delete" if mine == old else "conflict-kept"))
        elif mine is None:
            steps.append(Step(path, "write" if old is None else "conflict-deleted", new))
        elif mine == old:
            steps.append(Step(path, "write", new))
        else:
            steps.append(Step(path, "merge", new, old or b""))
    return steps
