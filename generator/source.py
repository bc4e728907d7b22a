"""Reading a domain file into plain data while remembering where every node came from."""

from __future__ import annotations

import hashlib
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError
from ruamel.yaml.events import MappingEndEvent, MappingStartEvent, SequenceEndEvent, SequenceStartEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import DomainError, Problem
from .model import Path

MAX_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64
_OPENING = (MappingStartEvent, SequenceStartEvent)
_CLOSING = (MappingEndEvent, SequenceEndEvent)

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
    except _TooDeep as error:
        message = f"the document is too large: more than {MAX_DEPTH} levels of nesting"
        raise DomainError([Problem(name, error.line, error.column, message)]) from None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = error.problem or error.context or "invalid YAML"
        raise DomainError([Problem(name, line, column, f"invalid YAML: {_first_line(what)}")]) from None
    except (YAMLError, ValueError, TypeError, AttributeError, RecursionError) as error:
        # ruamel raises these bare for some malformed inputs (bad tags, deep nesting).
        message = f"invalid YAML: {_first_line(str(error)) or type(error).__name__}"
        raise DomainError([Problem(name, 1, 1, message)]) from None
    document = Document(name, None, hashlib.sha256(raw).hexdigest())
    problems: list[Problem] = []
    document.values[()] = (1, 1)
    document.data = _Converter(document, problems).convert(tree, ())
    if problems:
        raise DomainError(problems)
    return document


def _compose(text: str) -> Node | None:
    """The node tree of `text`, every node with its position; scalars are built by `_Converter`.

    libyaml's C parser (ruamel.yaml.clib) is ~5x faster but follows YAML 1.1 scanning rules
    (it rejects `read: books:read` inside a flow mapping); whatever it rejects is parsed again
    by the pure-Python YAML 1.2 parser, whose verdict and messages are the ones reported.
    """
    fast = YAML(typ="safe", pure=False)
    fast.version = (1, 2)
    if fast.Parser is not YAML(typ="safe", pure=True).Parser:
        try:
            _check_nesting(fast, text)
            return fast.compose(text)  # type: ignore[no-any-return]
        except (YAMLError, ValueError, TypeError, AttributeError, RecursionError):
            pass
    _check_flow_nesting(text)
    exact = YAML(typ="safe", pure=True)
    exact.version = (1, 2)
    with warnings.catch_warnings():
        # a redefined anchor is legal YAML; ruamel would print a multi-line warning to stderr
        warnings.simplefilter("ignore", ReusedAnchorWarning)
        return exact.compose(text)  # type: ignore[no-any-return]


class _TooDeep(Exception):
    def __init__(self, line: int, column: int) -> None:
        super().__init__(line, column)
        self.line = line
        self.column = column


def _check_nesting(yaml: YAML, text: str) -> None:
    """Stop deep nesting in the event stream, before the composer sees it.

    libyaml's composer recurses once per level in C: a 100 KB file of `[` crashed the
    process (SIGSEGV) and 20,000 levels took seconds. The parser itself is iterative. The
    limit lets through one level more than `_Converter` accepts, so that it reports it.
    """
    depth = 0
    for event in yaml.parse(text):
        if isinstance(event, _OPENING):
            depth += 1
            if depth > MAX_DEPTH + 1:
                raise _TooDeep(event.start_mark.line + 1, event.start_mark.column + 1)
        elif isinstance(event, _CLOSING):
            depth -= 1


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
    """Turns composed YAML nodes into plain values under YAML 1.2 rules, recording positions."""

    def __init__(self, document: Document, problems: list[Problem]) -> None:
        self.document = document
        self.problems = problems
        self.nodes = 0

    def convert(self, node: Node | None, path: Path) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES or len(path) > MAX_DEPTH:
            limit = "nodes" if self.nodes > MAX_NODES else "levels of nesting"
            what = MAX_NODES if self.nodes > MAX_NODES else MAX_DEPTH
            message = f"the document is too large: more than {what:,} {limit}"
            raise DomainError([self.document.problem(path, message)])
        if node is None:
            return None
        if isinstance(node, MappingNode) and node.tag == _TAG + "map":
            return self._mapping(node, path)
        if isinstance(node, SequenceNode) and node.tag == _TAG + "seq":
            return self._sequence(node, path)
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        self.problems.append(self.document.problem(path, f"unsupported YAML value: the tag `{node.tag}`"))
        return None

    def _mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_pos = _position(key_node)
            if not isinstance(key_node, ScalarNode) or key_node.tag != _TAG + "str":
                line, column = key_pos
                shown = key_node.value if isinstance(key_node, ScalarNode) else "a collection"
                message = f"keys must be strings, not `{shown}` (quote it)"
                if key_node.tag == _TAG + "merge":
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
            self.document.values[child] = _position(value_node)
            result[key] = self.convert(value_node, child)
        return result

    def _sequence(self, node: SequenceNode, path: Path) -> list[Any]:
        result = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            self.document.values[child] = _position(item)
            result.append(self.convert(item, child))
        return result

    def _scalar(self, node: ScalarNode, path: Path) -> Any:
        tag = str(node.tag).removeprefix(_TAG)
        text = str(node.value)
        try:
            if tag in ("str", "timestamp"):
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


def _position(node: Node) -> Position:
    mark = node.start_mark
    return (mark.line + 1, mark.column + 1)


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
