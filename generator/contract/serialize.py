"""Deterministic text forms of the contract: the same document always gives the same bytes.

Keys keep the order the emitter wrote them in (a readable order chosen there); YAML uses
block style, literal blocks for multi-line text, no anchors or aliases, and quotes every
string a YAML 1.1 or 1.2 reader could take for another type.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

try:  # libyaml's emitter: the same output, several times faster
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]


class _ContractDumper(_BaseDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


# Line breaks to a YAML 1.1 reader, ordinary characters to a 1.2 one: only the double-quoted
# style, which escapes them (`\N`, `\L`, `\P`), reads back alike in both.
_AMBIGUOUS_BREAKS = ("\x85", "\u2028", "\u2029")


def _represent_str(dumper: _ContractDumper, value: str) -> yaml.ScalarNode:
    if any(char in value for char in _AMBIGUOUS_BREAKS):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if "\n" in value and not value.startswith((" ", "\n")) and "\r" not in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_ContractDumper.add_representer(str, _represent_str)


def dump_yaml(doc: dict[str, Any]) -> str:
    """The contract as YAML text."""
    text: str = yaml.dump(
        doc,
        Dumper=_ContractDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
        indent=2,
    )
    return text


def dump_json(doc: dict[str, Any]) -> str:
    """The contract as JSON text (two-space indent, UTF-8, trailing newline)."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
