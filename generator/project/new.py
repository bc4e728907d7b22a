"""`scaffold new`: domain model -> contract -> API models -> rendered, formatted project."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

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


def render(domain: Domain, into: Path) -> Path:
    """Render the cookiecutter template for `domain` under `into`; returns the project root.

    The context goes into a copy of the template's cookiecutter.json rather than through
    `extra_context`, which cookiecutter merges key by key into the template's default domain
    (a default scope or generated file would leak into every project).
    """
    template = into / "template"
    shutil.copytree(template_path(), template, ignore=shutil.ignore_patterns("__pycache__"))
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
    try:
        project = cookiecutter(
            str(template),
            no_input=True,
            output_dir=str(into / "rendered"),
            config_file=str(settings),
            accept_hooks=True,
        )
    except CookiecutterException as error:
        raise GenerationError(f"rendering the template failed: {error}") from error
    finally:
        sys.modules.pop("local_extensions", None)
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


def template_digest() -> str:
    digest = hashlib.sha256()
    root = template_path()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def generate(domain: Domain, scratch: Path) -> dict[str, bytes]:
    """Every file of the project `domain` gives (path -> content), rendered and formatted under `scratch`."""
    project = render(domain, scratch / "render")
    format_tree(project)
    return read_tree(project)


def read_tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def new_record(domain: Domain, files: dict[str, bytes], *, pristine_tree: str = "", pristine_ref: str = "") -> Record:
    return Record(
        generator_version=__version__,
        template_sha256=template_digest(),
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


def new_project(domain: Domain, output: Path, *, force: bool, use_git: bool = True) -> None:
    """Generate the project of `domain` into `output`, with the domain copied in as `domain.yaml`.

    An absent or empty `output` gets the whole tree in one rename, as a new git repository
    with the pristine generation as its first commit (unless it is inside a repository
    already, or `use_git` is false). `force` over a generated project rewrites only the
    generated files (and removes those the domain no longer gives): `.git`, `.venv`, `.env`
    and every file scaffold did not generate stay.
    """
    existing = check_output(output, force=force, marker=RECORD_FILE)
    with workdir(output) as scratch:
        files = generate(domain, scratch)
        domain_copy = {DOMAIN_FILE: domain.source_text.encode()}
        enclosing = git.toplevel(output.parent if existing is None else output) if use_git else None
        if existing is not None:
            _rewrite(existing, domain, files, domain_copy, enclosing)
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
        (project / RECORD_FILE).write_text(new_record(domain, files, pristine_tree=tree, pristine_ref=ref).to_text())
        if use_git and enclosing is None:
            git.commit_all(project, f"scaffold new: {domain.service.name} from {DOMAIN_FILE}")
        publish(project, output, scratch)


def _rewrite(
    output: Path, domain: Domain, files: dict[str, bytes], domain_copy: dict[str, bytes], enclosing: Path | None
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
    (output / RECORD_FILE).write_text(new_record(domain, files, pristine_tree=tree, pristine_ref=ref).to_text())
