"""The `scaffold` command line.

Exit status: 0 success, 2 invalid domain (or bad usage), 1 anything else that went wrong.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import DomainError, GenerationError
from .load import load_domain
from .load.structure import domain_schema

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INVALID_DOMAIN = 2
EXIT_FAILURE = 1
EXIT_CONFLICTS = 3

_DOMAIN_FILE = click.Path(path_type=Path, dir_okay=False)


def _reporting_errors(command: F) -> F:
    """Turn the two expected error kinds into messages and exit codes, never tracebacks."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DomainError as error:
            for problem in error.problems:
                click.echo(str(problem), err=True)
            count = len(error.problems)
            click.echo(f"{count} problem{'s' if count != 1 else ''} found", err=True)
            sys.exit(EXIT_INVALID_DOMAIN)
        except GenerationError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_FAILURE)

    return run  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scaffold")
def main() -> None:
    """Turn a YAML domain description into an OpenAPI 3.1 contract and a FastAPI service.

    \b
    Examples:
      scaffold validate domain.yaml
      scaffold contract domain.yaml -o openapi.yaml
      scaffold docs domain.yaml
      scaffold new domain.yaml --output ./bookstore
    """


@main.command()
@click.argument("files", nargs=-1, required=True, type=_DOMAIN_FILE)
def validate(files: tuple[Path, ...]) -> None:
    """Check domain files; print a one-line summary of each valid one.

    Every problem is reported as FILE:LINE:COLUMN: message. Exits 2 if any file is invalid.

    \b
    Examples:
      scaffold validate domain.yaml
      scaffold validate specs/examples/*.yaml
    """
    invalid = 0
    for path in files:
        try:
            domain = load_domain(path)
        except DomainError as error:
            invalid += 1
            for problem in error.problems:
                click.echo(str(problem), err=True)
            continue
        operations = sum(len(e.operations) + len(e.inverses) for e in domain.entities)
        counts = ", ".join(
            _count(n, what) for n, what in ((len(domain.entities), "entity"), (len(domain.enums), "enum"))
        )
        click.echo(
            f"{path}: valid: service {domain.service.name}, {counts}, "
            f"{_count(operations, 'operation')}, auth {domain.auth.scheme}"
        )
    if invalid:
        click.echo(f"{invalid} of {len(files)} files invalid", err=True)
        sys.exit(EXIT_INVALID_DOMAIN)


@main.command()
def schema() -> None:
    """Print the JSON Schema of the domain format (for editors and other tools).

    \b
    Example:
      scaffold schema > domain.schema.json
    """
    click.echo(json.dumps(domain_schema(), indent=2))


@main.command()
@click.argument("file", type=_DOMAIN_FILE)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write here instead of stdout.")
@_reporting_errors
def contract(file: Path, output: Path | None) -> None:
    """Emit only the OpenAPI 3.1 contract, for design review.

    \b
    Examples:
      scaffold contract domain.yaml
      scaffold contract domain.yaml -o openapi.yaml
    """
    from .contract import dump_yaml, emit_contract, validate_contract

    document = emit_contract(load_domain(file))
    problems = validate_contract(document)
    if problems:
        raise GenerationError("the emitted contract is invalid:\n" + "\n".join(problems))
    text = dump_yaml(document)
    if output is None:
        click.echo(text, nl=False)
    else:
        _write_text(output, text)


@main.command()
@click.argument("file", type=_DOMAIN_FILE)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write here instead of stdout.")
@_reporting_errors
def docs(file: Path, output: Path | None) -> None:
    """Print the design document (docs/design.md of the project) without generating a project.

    It covers the data model and its invariants, the API, failure modes, performance and
    scaling, security and observability, for review before anything is built.

    \b
    Examples:
      scaffold docs domain.yaml
      scaffold docs domain.yaml -o design.md
    """
    from .contract import emit_contract
    from .docs import design_document

    domain = load_domain(file)
    text = design_document(domain, emit_contract(domain))
    if output is None:
        click.echo(text, nl=False)
    else:
        _write_text(output, text)


@main.command()
@click.argument("file", type=_DOMAIN_FILE)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Directory of the new project (must be empty or absent).",
)
@click.option(
    "--force", is_flag=True, help="Rewrite the generated files of an existing project; nothing else is touched."
)
@click.option("--no-git", is_flag=True, help="Do not make the project a git repository.")
@click.option(
    "--template",
    metavar="SOURCE",
    help="The service template: a directory, or a git repository (URL or path) with an optional @REF. "
    "Default: $SCAFFOLD_TEMPLATE, else [tool.scaffold] template in the nearest pyproject.toml, else the built-in one.",
)
@_reporting_errors
def new(file: Path, output: Path, force: bool, no_git: bool, template: str | None) -> None:
    """Generate a runnable FastAPI + SQLModel service project.

    The project is built in a scratch directory and moved into place at the end, so a
    failure or interruption leaves the output directory as it was. The domain file is copied
    into the project as `domain.yaml`, its source of truth from then on, and the project
    becomes a git repository with the generation as its first commit (unless it is inside a
    repository already). `--force` over a generated project rewrites its generated files
    only: `.git`, `.venv`, `.env` and every file scaffold did not generate stay; it renders
    the template the project records unless `--template` names another.

    \b
    Examples:
      scaffold new domain.yaml --output ./bookstore
      scaffold new domain.yaml -o ./bookstore --force
      scaffold new domain.yaml -o ./bookstore --template https://git.example.com/platform/starter.git@v3
    """
    from .project import new_project
    from .project.record import recorded_template
    from .project.template_source import configured_source

    domain = load_domain(file)
    source = recorded_template(output) if template is None and force else None
    source = source or configured_source(template, Path.cwd())
    new_project(domain, output, force=force, use_git=not no_git, template=source)
    click.echo(f"generated {domain.service.name} in {output}")


@main.command()
@click.argument("project", type=click.Path(path_type=Path, file_okay=False, exists=True), default=".")
@click.option(
    "--template-ref", metavar="REF", help="Render the project's git template at this tag, branch or commit from now on."
)
@_reporting_errors
def update(project: Path, template_ref: str | None) -> None:
    """Regenerate PROJECT (default: .) from its domain.yaml, keeping every edit.

    A three-way merge per file: your changes since the last generation are kept, the new
    generation's changes are brought in, and where both changed the same lines the file gets
    git-style conflict markers (exit status 3, every such path listed). A schema change adds
    a migration revision. The working tree must be clean but for domain.yaml, so that
    `git checkout .` undoes the update.

    The template is the one the project was generated from (recorded in .scaffold.json);
    `--template-ref` moves a git template to another ref, so a starter kit's new release
    reaches the service through the same merge.

    \b
    Examples:
      scaffold update
      scaffold update services/bookstore
      scaffold update --template-ref v4
    """
    from .update import update_project

    result = update_project(project, template_ref=template_ref)
    if result.report is not None and result.report.changes:
        from .diff.render import summary

        click.echo(f"domain change: {summary(result.report)}")
        for change in result.report.changes:
            click.echo(f"  {change.location}: {change.level} {change.layer} {change.code}: {change.message}")
    for path in result.changed:
        click.echo(f"updated  {path}")
    if result.revision:
        click.echo(f"migration {result.revision}: run `python -m {result.package} migrate` to apply it")
    for path in result.conflicts:
        click.echo(f"CONFLICT {path}", err=True)
    if result.conflicts:
        click.echo(f"{_count(len(result.conflicts), 'conflict')}: resolve them, then commit", err=True)
        sys.exit(EXIT_CONFLICTS)
    if not result.changed:
        click.echo("already up to date")


@main.command()
@click.argument("project", type=click.Path(path_type=Path, file_okay=False, exists=True), default=".")
@_reporting_errors
def check(project: Path) -> None:
    """Check that PROJECT's generated artifacts are what its domain.yaml gives (for CI).

    Exit 0 when the contract, schemas, design document and migration revisions are the
    recorded generation and domain.yaml is the domain it came from; otherwise one line per
    drifted file and exit status 3.

    \b
    Examples:
      scaffold check
      scaffold check services/bookstore
    """
    from .check import check_project

    drift = check_project(project)
    for line in drift:
        click.echo(line, err=True)
    if drift:
        click.echo(f"{_count(len(drift), 'drifted file')}", err=True)
        sys.exit(EXIT_CONFLICTS)
    click.echo("generated files match domain.yaml")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "form", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(["breaking", "warning"]),
    help="Exit with status 3 when a change of this level (or worse) is found.",
)
@_reporting_errors
def diff(paths: tuple[Path, ...], form: str, fail_on: str | None) -> None:
    """Report what a domain change breaks: in the API (clients) and in the database (rows).

    With OLD and NEW, compare two domain files. With a project directory (default: .),
    compare the domain as last generated with its current domain.yaml. Every change has a
    level (breaking, warning, info), a layer (api, db), a code and a FILE:LINE:COLUMN; the
    report ends with the version bump the change needs.

    \b
    Examples:
      scaffold diff
      scaffold diff old.yaml domain.yaml --format markdown
      git show origin/main:domain.yaml > base.yaml && scaffold diff base.yaml domain.yaml --fail-on breaking
    """
    from .diff import diff_documents
    from .diff.render import render
    from .load.source import read_document

    if len(paths) > 2:
        raise click.UsageError("give OLD and NEW domain files, or one project directory")
    if len(paths) == 2:
        old, new = (read_document(path) for path in paths)
    else:
        old, new = _project_documents(paths[0] if paths else Path("."))
    report = diff_documents(old, new)
    click.echo(render(report, form), nl=False)
    if fail_on and report.at_least(fail_on):  # type: ignore[arg-type]
        sys.exit(EXIT_CONFLICTS)


def _project_documents(project: Path) -> tuple[Any, Any]:
    """The domain of a project's last generation (kept in its record) and its domain.yaml now."""
    from .load.source import parse_document, read_document
    from .project.record import DOMAIN_FILE, read_record

    if not project.is_dir():
        raise click.UsageError(f"{project} is not a project directory: give OLD and NEW domain files")
    record = read_record(project)
    current = read_document(project / DOMAIN_FILE)
    previous = parse_document(record.domain.encode(), f"{project / DOMAIN_FILE}@generated")
    return previous, current


@main.group()
def template() -> None:
    """Work on a service template (a fork of the built-in one): see cookiecutter-service/README.md.

    \b
    Example:
      scaffold template check ../starter-kit
    """


@template.command("check")
@click.argument("source")
@click.argument("domains", nargs=-1, type=_DOMAIN_FILE)
@click.option("--no-examples", is_flag=True, help="Check only the DOMAINS given, not the example domains.")
@_reporting_errors
def template_check(source: str, domains: tuple[Path, ...], no_examples: bool) -> None:
    """Render SOURCE for every example domain and each DOMAIN, install each project, and run
    its linters, type check and tests; one line per domain (exit 3 if any fails).

    SOURCE is a directory or a git repository with an optional @REF, as for `new --template`.

    \b
    Examples:
      scaffold template check .
      scaffold template check https://git.example.com/platform/starter-kit.git@v4 services/*/domain.yaml
    """
    from .project.template_check import STEPS, DomainResult, check_template
    from .project.template_source import parse_source
    from .resources import examples_path

    chosen = [] if no_examples else sorted(examples_path().glob("*.yaml"))
    chosen += list(domains)
    if not chosen:
        raise click.UsageError("no domains to check: give DOMAIN files, or leave out --no-examples")

    def report(result: DomainResult) -> None:
        if result.passed:
            click.echo(f"PASS {result.domain}: {', '.join(STEPS)}")
        else:
            click.echo(f"FAIL {result.domain}: {result.failed_step}\n" + _indented(result.detail), err=True)

    results = check_template(parse_source(source, Path.cwd()), chosen, report)
    failed = [result for result in results if not result.passed]
    if failed:
        click.echo(f"{_count(len(failed), 'domain')} of {len(results)} failed", err=True)
        sys.exit(EXIT_CONFLICTS)
    click.echo(f"the template gives working services for {_count(len(results), 'domain')}")


@template.command("context")
@click.argument("file", type=_DOMAIN_FILE)
@click.option("--template", "source", metavar="SOURCE", help="The template whose cookiecutter.json to start from.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write here instead of stdout.")
@_reporting_errors
def template_context_command(file: Path, source: str | None, output: Path | None) -> None:
    """Print the context a template is rendered with for FILE, as a cookiecutter replay file.

    `cookiecutter TEMPLATE --replay-file FILE.json` then renders the domain with cookiecutter
    alone (the file's name must be the template directory's name, e.g. cookiecutter-service.json).

    \b
    Example:
      scaffold template context domain.yaml -o cookiecutter-service.json
      cookiecutter cookiecutter-service --replay-file cookiecutter-service.json
    """
    import tempfile

    from .project.new import replay_context
    from .project.template_source import configured_source, fetch

    domain = load_domain(file)
    with tempfile.TemporaryDirectory(prefix="scaffold-context-") as scratch:
        template = fetch(configured_source(source, Path.cwd()), Path(scratch))
        text = json.dumps(replay_context(domain, template.path), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        _write_text(output, text)


def _indented(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())


def _count(number: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{number} {noun if number == 1 else plural}"


def _write_text(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so readers never see half a file."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise GenerationError(f"cannot write {path}: {error.strerror}") from error


def entry() -> None:
    """Console entry point: an unexpected failure is a short message and exit 1, not a traceback.

    Set SCAFFOLD_DEBUG=1 to see the traceback when reporting a bug.
    """
    import os

    try:
        main(standalone_mode=True)
    except Exception as error:  # the last line of defence: users get a message, not a traceback
        if os.environ.get("SCAFFOLD_DEBUG"):
            raise
        click.echo(f"scaffold: internal error: {type(error).__name__}: {error}", err=True)
        click.echo("set SCAFFOLD_DEBUG=1 to see the traceback, and please report it", err=True)
        sys.exit(EXIT_FAILURE)
