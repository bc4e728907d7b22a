"""`scaffold new`: domain model -> contract -> API models -> rendered, formatted project."""

from __future__ import annotations

import hashlib
import json
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
from .output import check_output, publish, workdir

RECORD_FILE = ".scaffold.json"


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


def record(domain: Domain) -> str:
    """What the project was generated from, for a later `scaffold update`."""
    data = {
        "domain_sha256": domain.source_sha256,
        "generator_version": __version__,
        "template_sha256": template_digest(),
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def template_digest() -> str:
    digest = hashlib.sha256()
    root = template_path()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def new_project(domain: Domain, output: Path, *, force: bool) -> None:
    inputs = (Path(domain.source),) if domain.source != "<domain>" else ()
    check_output(output, force=force, marker=RECORD_FILE, inputs=inputs)
    with workdir(output) as scratch:
        project = render(domain, scratch)
        format_tree(project)
        (project / RECORD_FILE).write_text(record(domain), encoding="utf-8")
        publish(project, output, scratch)
