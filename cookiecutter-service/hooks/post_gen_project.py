"""Finish a freshly rendered project.

Cookiecutter renders one file per template file, so the files that exist once per entity
are Jinja templates kept (unrendered) under `_entity_templates/`. This hook renders each of
them for every entity, writes the files the generator produced (`_generated`: the OpenAPI
contract, its JSON copy that the service serves, the API models, the design document), then
removes the template directory.

Template file names may hold `{package}` and `{module}`; a template whose name has no
`{module}` is rendered once, with `entity` set to None.

A service without authentication (`auth.scheme: none`) gets no `auth.py` and no auth or
scope tests.
"""

import importlib.util
import json
import os
import pathlib
import shutil
import subprocess
import sys
import traceback

import jinja2


def load_escape_extension() -> type:
    """The template's escaping filters (`py`, `pydoc`, `md`, ...), from the file cookiecutter loaded."""
    spec = importlib.util.spec_from_file_location("escape_filters", {{ escape_filters_file | py }})
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EscapeExtension


DOMAIN = json.loads(r"""{{ cookiecutter._domain | tojson }}""")
GENERATED = json.loads(r"""{{ cookiecutter._generated | tojson }}""")
TEMPLATES = pathlib.Path("_entity_templates")


def write(path: pathlib.Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def render_entity_templates(package: str) -> None:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        extensions=[load_escape_extension()],
    )
    names = sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.j2"))
    for name in names:
        template = env.get_template(name)
        target = name.removesuffix(".j2").replace("{package}", package)
        if "{module}" not in target:
            write(pathlib.Path(target), template.render(domain=DOMAIN, entity=None, package=package))
            continue
        for entity in DOMAIN["entities"]:
            text = template.render(domain=DOMAIN, entity=entity, package=package)
            write(pathlib.Path(target.replace("{module}", entity["module"])), text)


def write_generated() -> None:
    for name, text in sorted(GENERATED.items()):
        write(pathlib.Path(name), text)


def remove_unused(package: str) -> None:
    if DOMAIN["auth"]["scheme"] == "none":
        for path in (pathlib.Path("src", package, "auth.py"), pathlib.Path("tests", "test_auth.py")):
            path.unlink(missing_ok=True)  # a fork may have removed them already
        pathlib.Path("tests", "test_scopes.py").unlink(missing_ok=True)


def say_failure(text: str) -> None:
    """`FILE:LINE: message` to scaffold (the file SCAFFOLD_HOOK_ERRORS names), else to stderr."""
    target = os.environ.get("SCAFFOLD_HOOK_ERRORS")
    if target:
        pathlib.Path(target).write_text(text + "\n", encoding="utf-8")
    else:
        print(f"error: {text}", file=sys.stderr)


def report(error: jinja2.TemplateError) -> None:
    """Say which entity template failed, and where, to scaffold (SCAFFOLD_HOOK_ERRORS names the file)."""
    where = getattr(error, "name", None), getattr(error, "lineno", None)
    if not isinstance(error, jinja2.TemplateSyntaxError):
        root = TEMPLATES.resolve()
        for frame in traceback.extract_tb(error.__traceback__):
            path = pathlib.Path(frame.filename).resolve()
            if path.is_relative_to(root) and frame.lineno:
                where = path.relative_to(root).as_posix(), frame.lineno
    name, line = where
    folder = "{{ '{{' }}cookiecutter.project_slug{{ '}}' }}/_entity_templates/"
    say_failure(f"{folder}{name}:{line or 1}: {error.message or error}")


def format_code() -> None:
    """ruff's fixes and formatter over the project, when cookiecutter alone rendered it.

    scaffold (which sets SCAFFOLD_HOOK_ERRORS) formats the project itself afterwards.
    """
    if os.environ.get("SCAFFOLD_HOOK_ERRORS") is not None:
        return
    if importlib.util.find_spec("ruff") is not None:
        command = [sys.executable, "-m", "ruff"]
    elif shutil.which("ruff"):
        command = ["ruff"]
    else:
        print("ruff is not installed: run `ruff check --fix . && ruff format .` in the project", file=sys.stderr)
        return
    for args in (["check", "--fix-only", "--quiet", "--no-cache", "."], ["format", "--quiet", "--no-cache", "."]):
        subprocess.run(command + args, check=False)


def main() -> None:
    package = DOMAIN["service"]["package"]
    if TEMPLATES.is_dir():
        try:
            render_entity_templates(package)
        except jinja2.TemplateError as error:
            report(error)
            sys.exit(1)
        shutil.rmtree(TEMPLATES)
    write_generated()
    remove_unused(package)
    format_code()


def report_failure(error: Exception) -> None:
    """Where this hook itself failed (a fork's change to it), for scaffold to show."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == __file__]
    line = frames[-1].lineno if frames else 1
    say_failure(f"hooks/post_gen_project.py:{line}: {type(error).__name__}: {error}")


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # the hook's own code failed: name the line, not a traceback
        report_failure(error)
        sys.exit(1)
