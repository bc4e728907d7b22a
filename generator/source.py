"""Reading a domain file into plain data while remembering where every node came from."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from .errors import DomainError, Problem
from .model import Path

MAX_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64
_OPENING = (MappingStartEvent, SequenceStartEvent)
_CLOSING = (MappingEndEvent, SequenceEndEvent)
_NODE_EVENTS = (ScalarEvent, AliasEvent, *_OPENING)

Position = tuple[int, int]


@dataclass
class Document:
    """Plain JSON-like data of a domain file and the 1-based position of each node."""

    file: str
    data: Any
    sha256: str = ""
    values: dict[Path, Position] = field(default_factory=dict)
    keys: dict[Path, Position] = field(default_factory=dict)

    def position(self, path: Path, *, key: bool = False) -> Position:
        """Where the node at `path` (or its key) starts; falls back to the nearest parent."""
        table = self.keys if key else self.values
        if path in table:
            return table[path]
        for end in range(len(path), -1, -1):
            if path[:end] in self.values:
                return self.values[path[:end]]
        return (1, 1)

    def problem(self, path: Path, message: str, *, key: bool = False) -> Problem:
        line, column = self.position(path, key=key)
        return Problem(self.file, line, column, message)


def read_document(path: FilePath) -> Document:
    """Parse `path` as YAML 1.2; every fault becomes a `DomainError` with a position."""
    name = str(path)
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)  # never more: /dev/zero or a 10 GB file
            size = max(len(raw), path.stat().st_size)
    except OSError as error:
        raise DomainError([Problem(name, 1, 1, f"cannot read the file: {error.strerror}")]) from None
    if len(raw) > MAX_BYTES:
        what = f"{size:,} bytes" if size > len(raw) else f"over {MAX_BYTES:,} bytes"
        message = f"the file is {what}; domain files are limited to {MAX_BYTES:,} bytes"
        raise DomainError([Problem(name, 1, 1, message)])
    return parse_document(raw, name)


def parse_document(raw: bytes, name: str) -> Document:
    if len(raw) > MAX_BYTES:
        message = f"the file is {len(raw):,} bytes; domain files are limited to {MAX_BYTES:,} bytes"
        raise DomainError([Problem(name, 1, 1, message)])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise DomainError([Problem(name, line, column, "the file is not valid UTF-8")]) from None
    try:
        tree = _compose(text)
    except _Malformed as error:
        raise DomainError([Problem(name, error.line, error.column, error.message)]) from None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = error.problem or error.context or "invalid YAML"
        raise DomainError([Problem(name, line, column, f"invalid YAML: {_first_line(what)}")]) from None
    except (YAMLError, ValueError, TypeError, AttributeError, RecursionError) as error:
        # ruamel raises these bare for some malformed inputs (bad tags).
        message = f"invalid YAML: {_first_line(str(error)) or type(error).__name__}"
        raise DomainError([Problem(name, 1, 1, message)]) from None
    document = Document(name, None, hashlib.sha256(raw).hexdigest())
    problems: list[Problem] = []
    document.values[()] = (1, 1)
    document.data = _Converter(document, problems).convert(tree, ())
    if problems:
        raise DomainError(problems)
    return document


def _compose(text: str) -> _Node | None:
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
        except (_Malformed, YAMLError, ValueError, TypeError, AttributeError, RecursionError):
            pass
    _check_flow_nesting(text)
    exact = YAML(typ="safe", pure=True)
    exact.version = (1, 2)
    return _Composer().compose(exact.parse(text))


@dataclass(slots=True)
class _Node:
    """A composed node: `value` is a scalar's text, a sequence's items or a mapping's pairs."""

    kind: str  # "scalar", "sequence" or "mapping"
    tag: str  # the resolved tag: `str`, `int`, ... for the core schema, else as written
    value: Any
    line: int  # 1-based
    column: int
    plain_key: bool = False  # an untagged plain scalar: `<<` is then a merge key


class _Malformed(Exception):
    """A document the event stream allows but a domain file cannot be, at a position."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(line, column, message)
        self.line = line
        self.column = column
        self.message = message


class _TooDeep(_Malformed):
    def __init__(self, line: int, column: int) -> None:
        super().__init__(line, column, f"the document is too large: more than {MAX_DEPTH} levels of nesting")


class _Composer:
    """Builds `_Node`s from the parser's events without recursion.

    libyaml's own composer recurses in C once per level (a 100 KB file of `[` crashed the
    process) and calls a Python resolver per scalar (most of the load time); this one stops
    one level past the limit that `_Converter` reports, and resolves scalars itself.
    """

    def __init__(self) -> None:
        self.anchors: dict[str, _Node] = {}
        self.open_anchors: set[str] = set()

    def compose(self, events: Iterator[Any]) -> _Node | None:
        root: _Node | None = None
        documents = 0
        stack: list[tuple[_Node, str | None]] = []
        for event in events:
            if isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    line, column = _mark(event)
                    raise _Malformed(line, column, "invalid YAML: a domain file holds one document, found another")
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

    def _node(self, event: Any) -> _Node:
        line, column = _mark(event)
        if isinstance(event, AliasEvent):
            if event.anchor in self.open_anchors:
                message = f"`*{event.anchor}` refers to a node that contains it: recursive data is not supported"
                raise _Malformed(line, column, message)
            if event.anchor not in self.anchors:
                raise _Malformed(line, column, f"invalid YAML: found undefined alias `*{event.anchor}`")
            return self.anchors[event.anchor]
        tag = event.tag
        if isinstance(event, ScalarEvent):
            plain = tag is None and event.implicit[0]
            if tag is None or tag == "!":
                tag = _TAG + (_resolve_plain(event.value) if plain else "str")
            return _Node("scalar", tag, event.value, line, column, plain_key=plain)
        kind = "mapping" if isinstance(event, MappingStartEvent) else "sequence"
        if tag is None or tag == "!":
            tag = _TAG + ("map" if kind == "mapping" else "seq")
        return _Node(kind, tag, [], line, column)


def _add(parent: _Node, child: _Node) -> None:
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
    if _NULL.fullmatch(text):
        return "null"
    if _BOOL.fullmatch(text):
        return "bool"
    if text[0] in _NUMBER_START:
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


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


_TAG = "tag:yaml.org,2002:"


class _Converter:
    """Turns composed nodes into plain values, recording positions."""

    def __init__(self, document: Document, problems: list[Problem]) -> None:
        self.document = document
        self.problems = problems
        self.nodes = 0

    def convert(self, node: _Node | None, path: Path) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES or len(path) > MAX_DEPTH:
            limit = f"{MAX_NODES:,} nodes" if self.nodes > MAX_NODES else f"{MAX_DEPTH} levels of nesting"
            message = f"the document is too large: more than {limit}"
            raise DomainError([self.document.problem(path, message)])
        if node is None:
            return None
        if node.tag == _TAG + "map" and node.kind == "mapping":
            return self._mapping(node, path)
        if node.tag == _TAG + "seq" and node.kind == "sequence":
            return self._sequence(node, path)
        if node.kind == "scalar":
            return self._scalar(node, path)
        self.problems.append(self.document.problem(path, f"unsupported YAML value: the tag `{node.tag}`"))
        return None

    def _mapping(self, node: _Node, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_pos = (key_node.line, key_node.column)
            if (
                key_node.kind != "scalar"
                or key_node.tag != _TAG + "str"
                or (key_node.plain_key and key_node.value == "<<")
            ):
                line, column = key_pos
                shown = key_node.value if key_node.kind == "scalar" else "a collection"
                message = f"keys must be strings, not `{shown}` (quote it)"
                if key_node.plain_key and key_node.value == "<<":
                    message = "merge keys (`<<`) are not supported: repeat the keys"
                self.problems.append(Problem(self.document.file, line, column, message))
                continue
            key = str(key_node.value)
            child = (*path, key)
            if key in result or child in self.document.keys:
                line, column = key_pos
                first = self.document.keys.get(child, key_pos)[0]
                message = f"duplicate key `{key}` (first defined on line {first})"
                self.problems.append(Problem(self.document.file, line, column, message))
                continue
            self.document.keys[child] = key_pos
            self.document.values[child] = (value_node.line, value_node.column)
            result[key] = self.convert(value_node, child)
        return result

    def _sequence(self, node: _Node, path: Path) -> list[Any]:
        result = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            self.document.values[child] = (item.line, item.column)
            result.append(self.convert(item, child))
        return result

    def _scalar(self, node: _Node, path: Path) -> Any:
        tag = node.tag.removeprefix(_TAG)
        text = str(node.value)
        try:
            if tag in ("str", "timestamp"):
                surrogate = _SURROGATE.search(text)
                if surrogate:
                    code = f"U+{ord(surrogate.group()):04X}"
                    message = f"`\\u{code[2:]}` is half of a surrogate pair, not a character: write the character"
                    self.problems.append(self.document.problem(path, message))
                return text  # YAML 1.2 has no timestamps: dates stay ISO strings
            if tag == "null":
                return None
            if tag == "bool":
                return text.lower() == "true"
            if tag == "int":
                return _integer(text)
            if tag == "float":
                number = _float(text)
                if not math.isfinite(number):
                    self.problems.append(self.document.problem(path, "numbers must be finite"))
                return number
        except ValueError:
            self.problems.append(self.document.problem(path, f"`{text}` is not a valid {tag}"))
            return None
        self.problems.append(self.document.problem(path, f"unsupported YAML value: the tag `{node.tag}`"))
        return None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _integer(text: str) -> int:
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    if digits[:2] in ("0o", "0O"):
        return sign * int(digits[2:], 8)
    if digits[:2] in ("0x", "0X"):
        return sign * int(digits[2:], 16)
    if digits[:2] in ("0b", "0B"):
        return sign * int(digits[2:], 2)
    return sign * int(digits, 10)


def _float(text: str) -> float:
    lowered = text.replace("_", "").lower()
    if lowered.lstrip("+-") == ".inf":
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(lowered)
