"""`scaffold update`: regenerate a project from its `domain.yaml` and merge, keeping every edit.

base = the previous pristine generation (a git tree the record names), ours = the working
tree, theirs = the new generation. Files are merged one by one (`merge.plan`, then
`git merge-file`); the migration revisions already in the project are never rewritten, and a
schema change adds a revision of its own (`migration`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..diff import Report, diff_domains
from ..diff.places import Places
from ..errors import GenerationError
from ..load import validate_document
from ..load.source import parse_document, read_document
from ..project import git
from ..project.new import format_tree, generate, new_record, store_pristine, write_files
from ..project.output import workdir
from ..project.record import DOMAIN_FILE, NOT_GENERATED, RECORD_FILE, read_record, written_once
from ..project.template_source import TemplateSource, fetch
from .merge import Step, plan
from .revisions import REVISIONS, with_revisions
from .schema_diff import UnsafeChange


class UpdateRefused(GenerationError):
    """The project is not in a state an update can be undone from."""


@dataclass
class UpdateResult:
    changed: list[str] = field(default_factory=list)  # paths written or deleted cleanly
    conflicts: list[str] = field(default_factory=list)  # paths left with conflict markers or to decide
    revision: str | None = None  # the migration the update added, if the schema changed
    package: str = ""
    report: Report | None = None  # what the domain change does to clients and rows (`scaffold diff`)


def update_project(project: Path, *, template_ref: str | None = None) -> UpdateResult:
    """`template_ref` moves a git template to another tag, branch or commit."""
    document = read_document(project / DOMAIN_FILE)
    domain = validate_document(document)
    record = read_record(project)
    top = git.toplevel(project)
    if top is None:
        raise UpdateRefused(f"{project} is not in a git repository: scaffold update merges through git")
    dirty = [path for path in git.changed_paths(project) if path != DOMAIN_FILE]
    if dirty:
        listed = "\n  ".join(dirty)
        raise UpdateRefused(f"commit or stash these changes first, so the update can be undone:\n  {listed}")
    if not record.pristine_tree or not git.has_object(record.pristine_tree, top):
        raise UpdateRefused(
            f"the previous generation ({record.pristine_tree or 'not recorded'}) is not in this repository: "
            f"fetch the {record.pristine_ref or 'scaffold-pristine'} branch"
        )
    base = git.tree_files(record.pristine_tree, top)
    # The domain of the last generation: what the migration and the printed diff start from.
    previous_document = parse_document(record.domain.encode(), f"{document.file}@generated")
    previous = validate_document(previous_document)
    source = record.template_source
    if template_ref is not None:
        if not source.location:
            raise UpdateRefused("--template-ref needs a git template: this project uses the built-in template")
        source = TemplateSource(source.location, template_ref, is_git=True)
    with workdir(project) as scratch:
        template = fetch(source, scratch)
        try:
            generated = generate(domain, scratch, template)
            theirs, revision = with_revisions(base, generated, previous, domain, template.path)
        except UnsafeChange as error:
            listed = "\n  ".join(error.problems)
            raise UpdateRefused(f"the domain change cannot be migrated safely:\n  {listed}") from None
        if revision is not None:
            theirs[revision] = _formatted(theirs, revision, scratch)
    ours = {path: _read(project / path) for path in set(base) | set(theirs)}
    result = UpdateResult(
        revision=revision,
        package=domain.service.package,
        report=diff_domains(previous, domain, Places(previous_document, document)),
    )
    for step in plan(base, ours, theirs):
        _apply(project, step, ours, result, top)
    tree, ref = store_pristine(theirs, project, top, f"scaffold {__version__}: pristine generation")
    write_files(
        project,
        {RECORD_FILE: new_record(domain, theirs, template, pristine_tree=tree, pristine_ref=ref).to_text().encode()},
    )
    return result


def _apply(project: Path, step: Step, ours: dict[str, bytes | None], result: UpdateResult, top: Path) -> None:
    target = project / step.path
    if step.path in NOT_GENERATED:
        return
    if written_once(step.path) and step.action in ("write", "merge") and ours[step.path] is not None:
        return  # the user's file from its first generation on
    if step.action == "write":
        write_files(project, {step.path: step.content})
        result.changed.append(step.path)
    elif step.action == "delete":
        target.unlink()
        result.changed.append(step.path)
    elif step.action == "conflict-kept":
        result.conflicts.append(f"{step.path} (removed by the new generation, edited by you: kept)")
    elif step.action == "conflict-deleted":
        write_files(project, {step.path: step.content})
        result.conflicts.append(f"{step.path} (deleted by you, changed by the new generation: restored)")
    else:
        mine = ours[step.path]
        assert mine is not None
        merged = git.merge_file(mine, step.base, step.content, cwd=top)
        write_files(project, {step.path: merged.content})
        (result.conflicts if merged.conflicts else result.changed).append(step.path)


def _formatted(files: dict[str, bytes], path: str, scratch: Path) -> bytes:
    """A new revision, fixed and formatted by ruff under the project's own configuration."""
    root = scratch / "revision"
    write_files(root, {"pyproject.toml": files["pyproject.toml"], path: files[path]})
    format_tree(root)
    return (root / path).read_bytes()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


__all__ = ["REVISIONS", "UpdateRefused", "UpdateResult", "update_project"]
