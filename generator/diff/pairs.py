"""Matching the nodes of two domain models: by name, or by the `renamed_from` of the new one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar


class Named(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def renamed_from(self) -> str | None: ...


N = TypeVar("N", bound=Named)


def pair(old: Sequence[N], new: Sequence[N]) -> tuple[list[tuple[N, N]], list[N], list[N]]:
    """(matched (old, new) pairs in the new order, removed old nodes, added new nodes).

    A node keeps its name or names its old one in `renamed_from`; a name that is still in
    use by a new node is not taken by a rename.
    """
    by_name = {node.name: node for node in old}
    names = {node.name for node in new}
    pairs: list[tuple[N, N]] = []
    added: list[N] = []
    taken: set[str] = set()
    for node in new:
        previous = by_name.get(node.name)
        if previous is None and node.renamed_from and node.renamed_from not in names:
            previous = by_name.get(node.renamed_from)
        if previous is None or previous.name in taken:
            added.append(node)
            continue
        taken.add(previous.name)
        pairs.append((previous, node))
    removed = [node for node in old if node.name not in taken]
    return pairs, removed, added
