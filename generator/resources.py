"""Files the generator ships: found inside the installed package or in the source tree."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_SOURCE_TREE = _PACKAGE.parent


def _find(packaged: str, in_tree: str) -> Path:
    candidate = _PACKAGE / "data" / packaged
    return candidate if candidate.exists() else _SOURCE_TREE / in_tree


def domain_schema_path() -> Path:
    return _find("domain.schema.json", "specs/domain.schema.json")


def template_path() -> Path:
    return _find("cookiecutter-service", "cookiecutter-service")


def examples_path() -> Path:
    """The example domains of the format (specs/examples), which `template check` renders."""
    return _find("examples", "specs/examples")
