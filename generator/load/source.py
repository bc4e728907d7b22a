"""Reading a domain file into plain data while remembering where every node came from."""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ..domain.model import Path
from ..errors import DomainError, Problem
from .gc_pause import collector_paused
from .yaml_nodes import MAX_DEPTH, MAX_NODES, TAG, Malformed, Node, Position, compose, first_line

MAX_BYTES = 2 * 1024 * 1024


@dataclass
class Document:
    """Plain JSON-like data of a domain file and the 1-based position of each node."""

    file: str
    data: Any
    sha256: str = ""
    text: str = ""  # the file as read, kept so a project can record the domain it was generated from
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

    def problem(self, path: Path, message: str, *, key: bool = False, code: str = "") -> Problem:
        line, column = self.position(path, key=key)
        return Problem(self.file, line, column, message, code)


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
    with collector_paused():
        return _parsed(raw, name)


def _parsed(raw: bytes, name: str) -> Document:
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
        tree = compose(text)
    except Malformed as error:
        raise DomainError([Problem(name, error.line, error.column, error.message)]) from None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = error.problem or error.context or "invalid YAML"
        raise DomainError([Problem(name, line, column, f"invalid YAML: {first_line(what)}")]) from None
    except (YAMLError, ValueError, TypeError, AttributeError, RecursionError) as error:
        # ruamel raises these bare for some malformed inputs (bad tags).
        message = f"invalid YAML: {first_line(str(error)) or type(error).__name__}"
        raise DomainError([Problem(name, 1, 1, message)]) from None
    document = Document(name, None, hashlib.sha256(raw).hexdigest(), text)
    problems: list[Problem] = []
    document.values[()] = (1, 1)
    document.data = _Converter(document, problems).convert(tree, ())
    if problems:
        raise DomainError(problems)
    return document


class _Converter:
    """Turns composed nodes into plain values, recording positions."""

    def __init__(self, document: Document, problems: list[Problem]) -> None:
        self.document = document
        self.problems = problems
        self.nodes = 0

    def convert(self, node: Node | None, path: Path) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES or len(path) > MAX_DEPTH:
            limit = f"{MAX_NODES:,} nodes" if self.nodes > MAX_NODES else f"{MAX_DEPTH} levels of nesting"
            message = f"the document is too large: more than {limit}"
            raise DomainError([self.document.problem(path, message)])
        if node is None:
            return None
        if node.tag == TAG + "map" and node.kind == "mapping":
            return self._mapping(node, path)
        if node.tag == TAG + "seq" and node.kind == "sequence":
            return self._sequence(node, path)
        if node.kind == "scalar":
            return self._scalar(node, path)
        self.problems.append(self.document.problem(path, f"unsupported YAML value: the tag `{node.tag}`"))
        return None

    def _mapping(self, node: Node, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_pos = (key_node.line, key_node.column)
            if (
                key_node.kind != "scalar"
                or key_node.tag != TAG + "str"
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

    def _sequence(self, node: Node, path: Path) -> list[Any]:
        result = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            self.document.values[child] = (item.line, item.column)
            result.append(self.convert(item, child))
        return result

    def _scalar(self, node: Node, path: Path) -> Any:
        tag = node.tag.removeprefix(TAG)
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
