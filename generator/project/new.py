"""`scaffold new`: domain model -> contract -> API models -> rendered, formatted project."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jinja2
from cookiecutter.exceptions import CookiecutterException
from cookiecutter.main import cookiecutter

from .. import __version__
from ..contract import attribute_aliases, dump_json, dump_yaml, emit_contract, generate_api_models, validate_contract
from ..docs import design_document, er_diagram
from ..domain.model import Domain
from ..errors import GenerationError
from ..resources import template_path
from . import git
from .output import check_output, publish, workdir
from .record import DOMAIN_FILE, NOT_GENERATED, RECORD_FILE, Record, digest, read_record, written_once
from .template_errors import HOOK_ERRORS, template_failure
from .template_source import Template, TemplateSource, fetch, template_digest


def generated_files(domain: Domain) -> dict[str, str]:
    """Files produced by the generator itself, written into the project by the template's hook."""
    contract = emit_contract(domain)
    problems = validate_contract(contract)
    if problems:
        raise GenerationError("the emitted contract is invalid:\n" + "\n".join(problems))
    return {
        "docs/design.md": design_document(domain, contract),
        "openapi.yaml": dump_yaml(contract),
        # The service serves the contract itself, from inside the package and as JSON, so that
        # an installed wheel needs neither the project tree nor a YAML parser at runtime.
        f"src/{domain.service.package}/openapi.json": dump_json(contract),
        f"src/{domain.service.package}/schemas.py": generate_api_models(
            contract, wire_module=f"{domain.service.package}.wire", aliases=attribute_aliases(domain)
        ),
    }


def template_context(domain: Domain) -> dict[str, Any]:
    """What the template renders from: the domain model, the generated files, the ER diagram (README)."""
    return {"_domain": domain.to_json(), "_generated": generated_files(domain), "_er_diagram": er_diagram(domain)}


def replay_context(domain: Domain, template_root: Path) -> dict[str, Any]:
    """The whole cookiecutter context of `domain`, as a replay file holds it (cookiecutter
    renders no value of a replayed context, so the project's name is written out)."""
    config = json.loads((template_root / "cookiecutter.json").read_text(encoding="utf-8"))
    config.update(template_context(domain), project_slug=domain.service.name)
    return {"cookiecutter": config}


def render(domain: Domain, into: Path, template_root: Path | None = None) -> Path:
    """Render the cookiecutter template (`template_root`, else the built-in one) for `domain`
    under `into`; returns the project root.

    The context goes into a copy of the template's cookiecutter.json rather than through
    `extra_context`, which cookiecutter merges key by key into the template's default domain
    (a default scope or generated file would leak into every project).
    """
    template = into / "template"
    source_root = template_root or template_path()
    shutil.copytree(source_root, template, ignore=shutil.ignore_patterns("__pycache__", ".git"))
    config_file = template / "cookiecutter.json"
    config = json.loads(config_file.read_text(encoding="utf-8"))
    config.update(template_context(domain))
    config_file.write_text(json.dumps(config), encoding="utf-8")
    settings = into / "cookiecutter-config.yaml"
    settings.write_text(
        f"replay_dir: {json.dumps(str(into / 'replay'))}\ncookiecutters_dir: {json.dumps(str(into / 'templates'))}\n",
        encoding="utf-8",
    )
    # cookiecutter imports the template's `local_extensions` by name: a module cached from an
    # earlier render would be another template's (or a deleted copy's) filters.
    sys.modules.pop("local_extensions", None)
    hook_errors = into / "hook-errors.txt"
    os.environ[HOOK_ERRORS] = str(hook_errors)  # where the post-generation hook says what failed
    try:
        project = cookiecutter(
            str(template),
            no_input=True,
            output_dir=str(into / "rendered"),
            config_file=str(settings),
            accept_hooks=True,
        )
    except (CookiecutterException, jinja2.TemplateError) as error:
        raise GenerationError(template_failure(error, template, source_root, hook_errors)) from None
    finally:
        sys.modules.pop("local_extensions", None)
        os.environ.pop(HOOK_ERRORS, None)
    return Path(project)


def format_tree(root: Path) -> None:
    """ruff's fixes and formatter, with the generated project's own configuration."""
    for args in (["check", "--fix-only", "--quiet", "."], ["format", "--quiet", "."]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--no-cache"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise GenerationError(f"ruff {args[0]} failed on the generated code:\n{result.stderr or result.stdout}")


def generate(domain: Domain, scratch: Path, template: Template | None = None) -> dict[str, bytes]:
    """Every file of the project `domain` gives (path -> content), rendered and formatted under `scratch`."""
    project = render(domain, scratch / "render", template.path if template else None)
    format_tree(project)
    return read_tree(project)


def read_tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def new_record(
    domain: Domain,
    files: dict[str, bytes],
    template: Template | None = None,
    *,
    pristine_tree: str = "",
    pristine_ref: str = "",
) -> Record:
    source = template.source if template else TemplateSource()
    return Record(
        generator_version=__version__,
        template_sha256=template.digest if template else template_digest(template_path()),
        template=source.location,
        template_ref=source.ref,
        template_git=source.is_git,
        template_commit=template.commit if template else "",
        domain_sha256=domain.source_sha256,
        domain=domain.source_text,
        files={path: digest(content) for path, content in sorted(files.items())},
        pristine_tree=pristine_tree,
        pristine_ref=pristine_ref,
    )


def pristine_ref(project: Path, toplevel: Path) -> str:
    """The branch that keeps a project's pristine generations: one per project of a repository."""
    relative = project.resolve().relative_to(toplevel.resolve()).as_posix()
    if relative == ".":
        return "refs/heads/scaffold-pristine"
    return "refs/heads/scaffold-pristine-" + re.sub(r"[^A-Za-z0-9._-]+", "-", relative).strip("-.")


def store_pristine(files: dict[str, bytes], project: Path, toplevel: Path, message: str) -> tuple[str, str]:
    """Store the generated files as a tree and commit it on the project's pristine branch."""
    tree = git.store_tree(files, toplevel)
    ref = pristine_ref(project, toplevel)
    git.record_pristine(tree, ref, message, toplevel)
    return tree, ref


def write_files(root: Path, files: dict[str, bytes]) -> None:
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.scaffold-tmp")
        temporary.write_bytes(content)
        temporary.replace(target)


def new_project(
    domain: Domain, output: Path, *, force: bool, use_git: bool = True, template: TemplateSource | None = None
) -> None:
    """Generate the project of `domain` into `output`, with the domain copied in as `domain.yaml`.

    An absent or empty `output` gets the whole tree in one rename, as a new git repository
    with the pristine generation as its first commit (unless it is inside a repository
    already, or `use_git` is false). `force` over a generated project rewrites only the
    generated files (and removes those the domain no longer gives): `.git`, `.venv`, `.env`
    and every file scaffold did not generate stay.
    """
    existing = check_output(output, force=force, marker=RECORD_FILE)
    with workdir(output) as scratch:
        fetched = fetch(template or TemplateSource(), scratch)
        files = generate(domain, scratch, fetched)
        domain_copy = {DOMAIN_FILE: domain.source_text.encode()}
        enclosing = git.toplevel(output.parent if existing is None else output) if use_git else None
        if existing is not None:
            _rewrite(existing, domain, files, domain_copy, enclosing, fetched)
            return
        project = scratch / "project"
        project.mkdir()
        write_files(project, {**files, **domain_copy})
        tree = ref = ""
        if use_git and enclosing is None:
            git.init(project)
            tree, ref = store_pristine(files, project, project, f"scaffold {__version__}: pristine generation")
        elif enclosing is not None:
            tree, ref = store_pristine(files, output, enclosing, f"scaffold {__version__}: pristine generation")
        record = new_record(domain, files, fetched, pristine_tree=tree, pristine_ref=ref)
        (project / RECORD_FILE).write_text(record.to_text())
        if use_git and enclosing is None:
            git.commit_all(project, f"scaffold new: {domain.service.name} from {DOMAIN_FILE}")
        publish(project, output, scratch)


def _rewrite(
    output: Path,
    domain: Domain,
    files: dict[str, bytes],
    domain_copy: dict[str, bytes],
    enclosing: Path | None,
    template: Template,
) -> None:
    """`--force` over a generated project: the generated files replaced, nothing else touched."""
    try:
        previous = read_record(output).files
    except GenerationError:
        previous = {}  # a record of an older format: remove nothing, overwrite what is generated now
    kept = {path for path in files if written_once(path) and (output / path).exists()}
    write_files(output, {**{p: c for p, c in files.items() if p not in kept}, **domain_copy})
    for path in sorted(set(previous) - set(files) - NOT_GENERATED):
        (output / path).unlink(missing_ok=True)
    tree = ref = ""
    if enclosing is not None:
        tree, ref = store_pristine(files, output, enclosing, f"scaffold {__version__}: pristine generation (--force)")
    record = new_record(domain, files, template, pristine_tree=tree, pristine_ref=ref)
    (output / RECORD_FILE).write_text(record.to_text())
