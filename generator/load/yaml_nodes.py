"""YAML text -> a tree of nodes, each with its position, bounded in size and depth.

ruamel's composer keeps positions only for collections and resolves anchors into shared
objects; this one keeps a line and column for every scalar and key, and refuses a document
too large or too deep before building it (a billion-laughs file stops at the node budget).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

MAX_NODES = 200_000
MAX_DEPTH = 64
_OPENING = (MappingStartEvent, SequenceStartEvent)
_CLOSING = (MappingEndEvent, SequenceEndEvent)
_NODE_EVENTS = (ScalarEvent, AliasEvent, *_OPENING)

Position = tuple[int, int]
TAG = "tag:yaml.org,2002:"


def compose(text: str) -> Node | None:
    """The node tree of `text`, every node with its position; scalars are built by `_Converter`.

    libyaml's C parser (ruamel.yaml.clib) is ~5x faster but follows YAML 1.1 scanning rules
    (it rejects `read: books:read` inside a flow mapping); whatever it rejects is parsed again
    by the pure-Python YAML 1.2 parser, whose verdict and messages are the ones reported.
    """
    fast = YAML(typ="safe", pure=False)
    fast.version = (1, 2)
    if fast.Parser is not YAML(typ="safe", pure=True).Parser:
        try:
            return _Composer().compose(fast.parse(text))
        except _TooDeep:
            raise  # the pure-Python parser would take seconds to find the same
        except (Malformed, YAMLError, ValueError, TypeError, AttributeError, RecursionError):
            pass
    _check_flow_nesting(text)
    exact = YAML(typ="safe", pure=True)
    exact.version = (1, 2)
    return _Composer().compose(exact.parse(text))


@dataclass(slots=True)
class Node:
    """A composed node: `value` is a scalar's text, a sequence's items or a mapping's pairs."""

    kind: str  # "scalar", "sequence" or "mapping"
    tag: str  # the resolved tag: `str`, `int`, ... for the core schema, else as written
    value: Any
    line: int  # 1-based
    column: int
    plain_key: bool = False  # an untagged plain scalar: `<<` is then a merge key


class Malformed(Exception):
    """A document the event stream allows but a domain file cannot be, at a position."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(line, column, message)
        self.line = line
        self.column = column
        self.message = message


class _TooDeep(Malformed):
    def __init__(self, line: int, column: int) -> None:
        super().__init__(line, column, f"the document is too large: more than {MAX_DEPTH} levels of nesting")


class _Composer:
    """Builds `Node`s from the parser's events without recursion.

    libyaml's own composer recurses in C once per level (a 100 KB file of `[` crashed the
    process) and calls a Python resolver per scalar (most of the load time); this one stops
    one level past the limit that `_Converter` reports, and resolves scalars itself.
    """

    def __init__(self) -> None:
        self.anchors: dict[str, Node] = {}
        self.open_anchors: set[str] = set()

    def compose(self, events: Iterator[Any]) -> Node | None:
        root: Node | None = None
        documents = 0
        stack: list[tuple[Node, str | None]] = []
        for event in events:
            if type(event) is ScalarEvent and event.anchor is None:  # most events: the fast path
                mark = event.start_mark
                tag = event.tag
                plain = tag is None and event.implicit[0]
                if tag is None or tag == "!":
                    tag = TAG + (_resolve_plain(event.value) if plain else "str")
                node = Node("scalar", tag, event.value, mark.line + 1, mark.column + 1, plain)
                if stack:
                    _add(stack[-1][0], node)
                else:
                    root = node
                continue
            if isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    line, column = _mark(event)
                    raise Malformed(line, column, "invalid YAML: a domain file holds one document, found another")
                continue
            if isinstance(event, _CLOSING):
                node, anchor = stack.pop()
                if anchor is not None:
                    self.open_anchors.discard(anchor)
                    self.anchors[anchor] = node
                continue
            if not isinstance(event, _NODE_EVENTS):
                continue
            node = self._node(event)
            if stack:
                _add(stack[-1][0], node)
            else:
                root = node
            if isinstance(event, _OPENING):
                if len(stack) > MAX_DEPTH:
                    raise _TooDeep(node.line, node.column)
                stack.append((node, event.anchor))
                if event.anchor is not None:
                    self.open_anchors.add(event.anchor)
            elif event.anchor is not None and not isinstance(event, AliasEvent):
                self.anchors[event.anchor] = node  # the latest definition is the one an alias names
                self.open_anchors.discard(event.anchor)
        return root

    def _node(self, event: Any) -> Node:
        line, column = _mark(event)
        if isinstance(event, AliasEvent):
            if event.anchor in self.open_anchors:
                message = f"`*{event.anchor}` refers to a node that contains it: recursive data is not supported"
                raise Malformed(line, column, message)
            if event.anchor not in self.anchors:
                raise Malformed(line, column, f"invalid YAML: found undefined alias `*{event.anchor}`")
            return self.anchors[event.anchor]
        tag = event.tag
        if isinstance(event, ScalarEvent):
            plain = tag is None and event.implicit[0]
            if tag is None or tag == "!":
                tag = TAG + (_resolve_plain(event.value) if plain else "str")
            return Node("scalar", tag, event.value, line, column, plain_key=plain)
        kind = "mapping" if isinstance(event, MappingStartEvent) else "sequence"
        if tag is None or tag == "!":
            tag = TAG + ("map" if kind == "mapping" else "seq")
        return Node(kind, tag, [], line, column)


def _add(parent: Node, child: Node) -> None:
    """A sequence item, or half of a mapping pair: keys and values arrive in turn."""
    if parent.kind == "sequence":
        parent.value.append(child)
    elif parent.value and len(parent.value[-1]) == 1:
        parent.value[-1].append(child)
    else:
        parent.value.append([child])


def _mark(event: Any) -> Position:
    return (event.start_mark.line + 1, event.start_mark.column + 1)


# YAML 1.2 plain scalars, as ruamel.yaml has always read them here (underscores in numbers,
# `0b` binary); timestamps, `=` and `<<` are plain strings, since the 1.2 core schema has none.
_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_NULL = re.compile(r"~|null|Null|NULL|")
_INT = re.compile(r"[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+")
_FLOAT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
    r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN)"
)
_NUMBER_START = frozenset("-+0123456789.")


def _resolve_plain(text: str) -> str:
    if not text:
        return "null"
    first = text[0]
    if first in "~nN" and _NULL.fullmatch(text):
        return "null"
    if first in "tTfF" and _BOOL.fullmatch(text):
        return "bool"
    if first in _NUMBER_START:
        if _FLOAT.fullmatch(text):
            return "float"
        if _INT.fullmatch(text):
            return "int"
    return "str"


# Quoted scalars and comments (skipped), and flow brackets (counted).
_FLOW_TOKENS = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|(?:^|(?<=\s))#[^\n]*|[\[\]{}]""", re.M)


def _check_flow_nesting(text: str) -> None:
    """A cheap bound on flow nesting for the pure-Python parser, whose scanner is quadratic in
    it (20,000 levels: seconds). Brackets inside plain scalars may be counted too; that takes
    more than 60 unbalanced ones, which no domain has."""
    depth = 0
    for match in _FLOW_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH + 1:
                start = match.start()
                raise _TooDeep(text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start))
        elif token in "]}":
            depth = max(0, depth - 1)


def first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""
