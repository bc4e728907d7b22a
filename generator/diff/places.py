"""FILE:LINE:COLUMN of a node of either domain file, for the `location` of a change."""

from __future__ import annotations

from typing import Any

from ..domain.model import Path
from ..load.source import Document


class Places:
    def __init__(self, old: Document, new: Document) -> None:
        self.old_document, self.new_document = old, new

    def new(self, path: Path) -> str:
        return _place(self.new_document, path)

    def old(self, path: Path) -> str:
        return _place(self.old_document, path)


def _place(document: Document, path: Path) -> str:
    """The key of the deepest node of `path` the file writes (an item of a list by its value)."""
    path = _with_item(document.data, path)
    for end in range(len(path), 0, -1):
        prefix = path[:end]
        position = document.keys.get(prefix) or (document.values.get(prefix) if isinstance(prefix[-1], int) else None)
        if position is not None:
            return f"{document.file}:{position[0]}:{position[1]}"
    return f"{document.file}:1:1"


def _with_item(data: Any, path: Path) -> Path:
    """A path whose last step names a list entry (`('list', 'filter', 'genre')`) gets its index."""
    node = data
    for index, step in enumerate(path):
        if isinstance(node, list) and isinstance(step, str):
            return (*path[:index], node.index(step)) if step in node else path[:index]
        keyed = isinstance(node, dict) and step in node
        indexed = isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        if keyed or indexed:
            node = node[step]
        else:
            return path
    return path
