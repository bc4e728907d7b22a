"""Where the service template comes from: the built-in one, a directory, or a git repository at a ref.

A platform team forks `cookiecutter-service/` as its starter kit and points scaffold at it
once: `--template`, else `SCAFFOLD_TEMPLATE`, else `template` in `[tool.scaffold]` of the
nearest `pyproject.toml`, else the template scaffold ships. A git source is cloned into the
scratch directory of the run and checked out at its ref, and the commit is recorded in the
project, so `scaffold update` renders the same template again (or another ref of it).
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import GenerationError
from ..resources import template_path
from . import git

ENVIRONMENT_VARIABLE = "SCAFFOLD_TEMPLATE"
# The versions of the template contract (cookiecutter-service/README.md) this scaffold renders.
CONTRACT_KEY = "_template_contract"
CONTRACT_VERSIONS = (1,)


@dataclass(frozen=True, slots=True)
class TemplateSource:
    """A template as recorded: `location` is "" for the built-in template."""

    location: str = ""
    ref: str = ""  # a tag, branch or commit of a git source ("" = the repository's HEAD)
    is_git: bool = False

    @property
    def label(self) -> str:
        if not self.location:
            return "the built-in template"
        return f"{self.location}@{self.ref}" if self.ref else self.location


@dataclass(frozen=True, slots=True)
class Template:
    """A template ready to render: its files on disk and the commit they came from."""

    source: TemplateSource
    path: Path
    commit: str = ""
    digest: str = ""  # of its files, recorded so a template change is seen


def parse_source(spec: str, base: Path) -> TemplateSource:
    """`DIR`, `REPO` or `REPO@REF` (REPO a URL, or the path of a git repository), relative to `base`.

    An existing directory is rendered as it is on disk; `PATH@REF` checks out REF of it."""
    spec = spec.strip()
    if not spec:
        return TemplateSource()
    local = _local(spec, base)
    if local is not None:
        return TemplateSource(str(local))  # a directory, as it is on disk (a fork being edited)
    location, ref = spec, ""
    head, separator, tail = spec.rpartition("@")
    if separator and head and tail and "/" not in tail and ":" not in tail:
        location, ref = head, tail
    local = _local(location, base)
    if local is not None:
        if not (local / ".git").exists():
            raise GenerationError(f"template {spec!r}: {local} is not a git repository, so it has no ref {ref!r}")
        return TemplateSource(str(local), ref, is_git=True)
    if "://" in location or location.startswith("git@") or location.endswith(".git"):
        return TemplateSource(location, ref, is_git=True)
    raise GenerationError(
        f"template {spec!r} is neither a directory nor a git repository (a URL, or a path with a .git)"
    )


def _local(spec: str, base: Path) -> Path | None:
    path = Path(spec).expanduser()
    path = path if path.is_absolute() else base / path
    return path.resolve() if path.is_dir() else None


def configured_source(option: str | None, cwd: Path) -> TemplateSource:
    """The template a command uses when its `--template` is `option` (None when not given)."""
    if option is not None:
        return parse_source(option, cwd)
    from_environment = os.environ.get(ENVIRONMENT_VARIABLE)
    if from_environment:
        return parse_source(from_environment, cwd)
    for directory in (cwd.resolve(), *cwd.resolve().parents):
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            value = _configured(pyproject)
            if value is not None:
                return parse_source(value, directory)
    return TemplateSource()


def _configured(pyproject: Path) -> str | None:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise GenerationError(f"{pyproject} cannot be read for [tool.scaffold]: {error}") from None
    value = data.get("tool", {}).get("scaffold", {}).get("template")
    if value is not None and not isinstance(value, str):
        raise GenerationError(f"{pyproject}: [tool.scaffold] template must be a string")
    return value


def fetch(source: TemplateSource, scratch: Path) -> Template:
    """The template's files: the built-in or local directory as is, a git source checked out."""
    commit = ""
    if not source.location:
        path = template_path()
    elif not source.is_git:
        path = Path(source.location)
        if not path.is_dir():
            raise GenerationError(f"the template directory {path} is not there (moved or deleted?)")
    else:
        path = scratch / "template-source"
        git.git("clone", "--quiet", "--no-checkout", source.location, str(path), cwd=scratch)
        commit = _commit(source, path)
        git.git("checkout", "--quiet", "--detach", commit, cwd=path)
    template = Template(source, path, commit, template_digest(path))
    check_contract(template)
    return template


def template_digest(root: Path) -> str:
    digest = hashlib.sha256()
    skipped = {"__pycache__", ".git"}
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not skipped & set(p.relative_to(root).parts)):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _commit(source: TemplateSource, checkout: Path) -> str:
    wanted = source.ref or "HEAD"
    for name in (wanted, f"origin/{wanted}"):
        try:
            return git.git("rev-parse", "--verify", "--quiet", f"{name}^{{commit}}", cwd=checkout).decode().strip()
        except GenerationError:
            continue
    raise GenerationError(f"template {source.location} has no tag, branch or commit {wanted!r}")


def check_contract(template: Template) -> None:
    """A fork written for another template contract is refused by name, before any rendering."""
    config = template.path / "cookiecutter.json"
    try:
        data: Any = json.loads(config.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GenerationError(
            f"{template.source.label} is not a cookiecutter template: it has no cookiecutter.json"
        ) from None
    except (OSError, ValueError) as error:
        raise GenerationError(f"{config} cannot be read: {error}") from None
    version = data.get(CONTRACT_KEY) if isinstance(data, dict) else None
    supported = ", ".join(str(v) for v in CONTRACT_VERSIONS)
    if version not in CONTRACT_VERSIONS:
        declared = f"template contract {version}" if version is not None else f"no `{CONTRACT_KEY}`"
        raise GenerationError(
            f"{template.source.label} declares {declared}; this scaffold renders template contract {supported} "
            "(cookiecutter-service/README.md says what changed between versions)"
        )
