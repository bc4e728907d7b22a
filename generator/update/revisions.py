"""The migration revisions of an update: the project's own are kept, a schema change adds one.

A revision already in the project is never rewritten (a database may be at it); the first
revision, which `new` renders from the domain of that day, stays as it was too. A domain
change that alters the schema becomes `migrations/versions/NNNN_<slug>.py`, after the head.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import jinja2

from ..domain.model import Domain
from ..escape import EscapeExtension
from ..resources import template_path
from .schema_diff import ColumnType, SchemaChange, schema_change

REVISIONS = "migrations/versions/"
_REVISION_ID = re.compile(r'^revision: str = "(?P<id>[^"]+)"$', re.M)


def with_revisions(
    base: dict[str, bytes], theirs: dict[str, bytes], old: Domain, domain: Domain, template: Path | None = None
) -> tuple[dict[str, bytes], str | None]:
    """The new generation with the revisions of the previous one, and the new revision's path."""
    files = {path: content for path, content in theirs.items() if not path.startswith(REVISIONS)}
    revisions = {path: content for path, content in base.items() if path.startswith(REVISIONS)}
    files.update(revisions)
    env = _environment(template)
    change = schema_change(old, domain, column_types(env))
    if not change.upgrade:
        return files, None
    number = len([path for path in revisions if path.endswith(".py")]) + 1
    head = _head(revisions)
    path = f"{REVISIONS}{number:04d}_{_slug(change)}.py"
    files[path] = render_revision(env, change, f"{number:04d}", head).encode()
    return files, path


def column_types(env: jinja2.Environment | None = None) -> ColumnType:
    """The column type expression of a field, from the template's `_columns.jinja`."""
    columns: Any = (env or _environment()).get_template("_columns.jinja").module

    def column_type(domain_json: dict[str, Any], field_json: dict[str, Any]) -> str:
        return str(columns.field_type(domain_json, field_json, True))

    return column_type


def render_revision(env: jinja2.Environment, change: SchemaChange, revision: str, down_revision: str) -> str:
    summary = [wrapped for line in change.summary for wrapped in _wrap(line)]
    return env.get_template("revision.py.j2").render(
        upgrade=change.upgrade,
        downgrade=change.downgrade,
        summary=summary,
        change_count=len(change.summary),
        revision=revision,
        down_revision=down_revision,
    )


def _wrap(line: str) -> list[str]:
    """A summary line as docstring lines within the project's line length."""
    lines = textwrap.wrap(line, width=90, break_on_hyphens=False)
    return [lines[0], *("  " + rest for rest in lines[1:])]


def _environment(template: Path | None = None) -> jinja2.Environment:
    """The template's revision and column macros (a fork's own, when it has changed them)."""
    root = template or template_path()
    entity_templates = root / "{{cookiecutter.project_slug}}" / "_entity_templates"
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(root), str(entity_templates)]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        extensions=[EscapeExtension],
    )


def _head(revisions: dict[str, bytes]) -> str:
    """The revision no other revision of the project revises."""
    ids: dict[str, str | None] = {}
    for content in revisions.values():
        text = content.decode()
        found = _REVISION_ID.search(text)
        down = re.search(r'^down_revision: str \| None = (?:"(?P<id>[^"]+)"|None)$', text, re.M)
        if found:
            ids[found["id"]] = down["id"] if down else None
    revised = set(ids.values())
    heads = sorted(rid for rid in ids if rid not in revised)
    return heads[-1] if heads else "0001"


def _slug(change: SchemaChange) -> str:
    words = re.sub(r"[^a-z0-9]+", "_", change.summary[0].lower()).strip("_")
    return words[:40].rstrip("_") + ("_and_more" if len(change.summary) > 1 else "")
