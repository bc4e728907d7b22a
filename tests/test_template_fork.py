"""A platform team's fork of the template: rendered from a directory and from a git repository at
a tag, moved to a newer tag by `update --template-ref` (keeping the service's own edits),
configured once per machine or repository, and refused clearly when broken or too old.

The fork is made in the test: a copy of cookiecutter-service/ with a changed middleware module,
an added CODEOWNERS and the HorizontalPodAutoscaler manifest removed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator import resources
from generator.cli import main
from generator.errors import GenerationError
from generator.project.record import RECORD_FILE
from generator.project.template_source import ENVIRONMENT_VARIABLE, TemplateSource, configured_source, parse_source

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ROOT / "cookiecutter-service" / "default-domain.yaml"  # one entity: the quickest render
SLUG = "{{cookiecutter.project_slug}}"
MIDDLEWARE = f"{SLUG}/src/{{{{cookiecutter._domain.service.package}}}}/middleware.py"
GENERATED_MIDDLEWARE = "src/notes/middleware.py"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def git(cwd: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def fork(tmp_path: Path) -> Path:
    copy = tmp_path / "starter-kit"
    shutil.copytree(resources.template_path(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    edit(copy / MIDDLEWARE, '"""Pure ASGI middleware:', '"""Acme ASGI middleware:')
    (copy / SLUG / "CODEOWNERS").write_text("* @acme/platform\n", encoding="utf-8")
    (copy / SLUG / "deploy" / "k8s" / "hpa.yaml").unlink()  # the team scales by hand; its test says so
    edit(copy / SLUG / "tests" / "test_deploy.py", '"HorizontalPodAutoscaler", ', "")
    return copy


def test_new_renders_a_fork_from_a_directory(fork: Path, tmp_path: Path) -> None:
    result = run("new", DOMAIN, "-o", tmp_path / "notes", "--template", fork)
    assert result.exit_code == 0, result.output
    project = tmp_path / "notes"
    assert "Acme ASGI middleware:" in (project / GENERATED_MIDDLEWARE).read_text(encoding="utf-8")
    assert (project / "CODEOWNERS").read_text(encoding="utf-8") == "* @acme/platform\n"
    assert not (project / "deploy" / "k8s" / "hpa.yaml").exists()
    record = json.loads((project / RECORD_FILE).read_text(encoding="utf-8"))
    assert record["template"] == str(fork.resolve()) and record["template_commit"] == ""


def test_a_fork_at_a_tag_and_its_next_tag_reach_the_service_through_update(fork: Path, tmp_path: Path) -> None:
    git(fork, "init", "--quiet")
    git(fork, "add", "--all")
    git(fork, "commit", "--quiet", "-m", "starter kit v1")
    git(fork, "tag", "v1")
    first = git(fork, "rev-parse", "HEAD")
    edit(fork / MIDDLEWARE, "Acme ASGI middleware:", "Acme ASGI middleware v2:")
    git(fork, "commit", "--quiet", "-am", "starter kit v2")
    git(fork, "tag", "v2")
    second = git(fork, "rev-parse", "HEAD")
    git(fork, "checkout", "--quiet", "-b", "work")  # the fork's checkout is elsewhere: the tag decides

    project = tmp_path / "notes"
    result = run("new", DOMAIN, "-o", project, "--template", f"{fork}@v1")
    assert result.exit_code == 0, result.output
    assert "Acme ASGI middleware:" in (project / GENERATED_MIDDLEWARE).read_text(encoding="utf-8")
    record = json.loads((project / RECORD_FILE).read_text(encoding="utf-8"))
    assert (record["template"], record["template_ref"], record["template_commit"]) == (str(fork.resolve()), "v1", first)

    edit(project / GENERATED_MIDDLEWARE, "import logging\n", "import logging  # our team's note\n")
    (project / "OWN.md").write_text("ours\n", encoding="utf-8")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "our edits")

    result = run("update", project, "--template-ref", "v2")
    assert result.exit_code == 0, result.output
    middleware = (project / GENERATED_MIDDLEWARE).read_text(encoding="utf-8")
    assert "Acme ASGI middleware v2:" in middleware and "# our team's note" in middleware
    assert (project / "OWN.md").read_text(encoding="utf-8") == "ours\n"
    record = json.loads((project / RECORD_FILE).read_text(encoding="utf-8"))
    assert (record["template_ref"], record["template_commit"]) == ("v2", second)

    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "update to v2")
    again = run("update", project)  # the recorded template, at the recorded ref: nothing to do
    assert again.exit_code == 0 and "already up to date" in again.output, again.output


def test_an_unknown_ref_is_refused_and_nothing_is_written(fork: Path, tmp_path: Path) -> None:
    git(fork, "init", "--quiet")
    git(fork, "add", "--all")
    git(fork, "commit", "--quiet", "-m", "v1")
    result = run("new", DOMAIN, "-o", tmp_path / "notes", "--template", f"{fork}@v9")
    assert result.exit_code == 1
    assert "has no tag, branch or commit 'v9'" in result.output
    assert not (tmp_path / "notes").exists()


@pytest.mark.parametrize(
    ("relative", "old", "new", "line", "what"),
    [
        (f"{SLUG}/README.md", "\n", "\n{% if %}\n", 2, "template syntax error"),
        (MIDDLEWARE, "import logging\n", "import logging\n{{ cookiecutter.no_such_variable.name }}\n", 6, "no_such"),
        (
            f"{SLUG}/_entity_templates/src/{{package}}/models.py.j2",
            "\n",
            "\n{{ entity.no_such_member.name }}\n",
            2,
            "no_such_member",
        ),
    ],
    ids=["syntax error", "undefined variable", "entity template (the hook)"],
)
def test_a_broken_fork_file_is_named_with_its_line_and_the_output_is_untouched(
    fork: Path, tmp_path: Path, relative: str, old: str, new: str, line: int, what: str
) -> None:
    edit(fork / relative, old, new)
    output = tmp_path / "notes"
    result = run("new", DOMAIN, "-o", output, "--template", fork)
    assert result.exit_code == 1, result.output
    assert f"{fork.resolve() / relative}:{line}: " in result.output
    assert what in result.output and "Traceback" not in result.output
    assert not output.exists()


def test_a_fork_for_another_template_contract_is_refused_naming_both_versions(fork: Path, tmp_path: Path) -> None:
    config = fork / "cookiecutter.json"
    data = json.loads(config.read_text(encoding="utf-8"))
    data["_template_contract"] = 0
    config.write_text(json.dumps(data), encoding="utf-8")
    result = run("new", DOMAIN, "-o", tmp_path / "notes", "--template", fork)
    assert result.exit_code == 1
    assert "declares template contract 0; this scaffold renders template contract 1" in result.output
    assert not (tmp_path / "notes").exists()


def test_sources_parse_as_directories_or_git_repositories_with_refs(fork: Path, tmp_path: Path) -> None:
    assert parse_source(str(fork), tmp_path) == TemplateSource(str(fork.resolve()))
    assert parse_source("starter-kit", tmp_path) == TemplateSource(str(fork.resolve()))
    assert parse_source("https://git.example.com/acme/kit.git@v3", tmp_path) == TemplateSource(
        "https://git.example.com/acme/kit.git", "v3", is_git=True
    )
    assert parse_source("git@github.com:acme/kit.git@main", tmp_path) == TemplateSource(
        "git@github.com:acme/kit.git", "main", is_git=True
    )
    assert parse_source("git@github.com:acme/kit.git", tmp_path) == TemplateSource(
        "git@github.com:acme/kit.git", "", is_git=True
    )
    with pytest.raises(GenerationError, match="not a git repository"):
        parse_source(f"{fork}@v1", tmp_path)
    with pytest.raises(GenerationError, match="neither a directory nor a git repository"):
        parse_source("no-such-kit", tmp_path)


def test_the_template_is_configured_by_option_environment_or_pyproject(
    fork: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = tmp_path / "team-repo"
    (team / "services").mkdir(parents=True)
    (team / "pyproject.toml").write_text('[tool.scaffold]\ntemplate = "../starter-kit"\n', encoding="utf-8")
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    assert configured_source(None, team / "services") == TemplateSource(str(fork.resolve()))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert configured_source(None, elsewhere) == TemplateSource()  # the built-in template
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "https://git.example.com/acme/kit.git@v2")
    assert configured_source(None, team / "services").location == "https://git.example.com/acme/kit.git"
    assert configured_source(str(fork), team / "services") == TemplateSource(str(fork.resolve()))


def test_force_renders_the_recorded_fork_again(fork: Path, tmp_path: Path) -> None:
    project = tmp_path / "notes"
    assert run("new", DOMAIN, "-o", project, "--template", fork).exit_code == 0
    (project / "CODEOWNERS").unlink()
    result = run("new", DOMAIN, "-o", project, "--force")
    assert result.exit_code == 0, result.output
    assert (project / "CODEOWNERS").is_file() and not (project / "deploy" / "k8s" / "hpa.yaml").exists()


def test_template_check_names_the_domain_and_the_broken_file(fork: Path) -> None:
    edit(fork / f"{SLUG}/README.md", "\n", "\n{% if %}\n")
    result = run("template", "check", fork, "--no-examples", DOMAIN)
    assert result.exit_code == 3, result.output
    assert f"FAIL {DOMAIN}: render" in result.output
    assert f"{fork.resolve()}/{SLUG}/README.md:2: template syntax error" in result.output
    assert "1 domain of 1 failed" in result.output


@pytest.mark.slow  # installs the rendered project and runs its linters and tests (~40 s)
def test_template_check_passes_on_the_fork(fork: Path) -> None:
    result = run("template", "check", fork, "--no-examples", DOMAIN)
    assert result.exit_code == 0, result.output
    assert f"PASS {DOMAIN}: render, install, ruff check, ruff format, mypy, pytest" in result.output


def test_a_failing_hook_is_named_with_its_line(fork: Path, tmp_path: Path) -> None:
    hook = fork / "hooks" / "post_gen_project.py"
    edit(
        hook,
        "def write_generated() -> None:\n",
        "def write_generated() -> None:\n    raise RuntimeError('our step broke')\n",
    )
    line = hook.read_text(encoding="utf-8").splitlines().index("    raise RuntimeError('our step broke')") + 1
    output = tmp_path / "notes"
    result = run("new", DOMAIN, "-o", output, "--template", fork)
    assert result.exit_code == 1
    assert f"{fork.resolve()}/hooks/post_gen_project.py:{line}: RuntimeError: our step broke" in result.output
    assert not output.exists()
