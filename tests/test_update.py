"""`scaffold update` and `scaffold new --force` on a generated project under git.

Each test starts from a copy of one bookstore project (generated once, with a commit), changes
it as a user would, and runs the command line. `test_update_e2e.py` installs the updated
service and checks the data on every database.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator import resources
from generator.cli import main
from generator.load import load_domain
from generator.project import new_project
from generator.project.record import RECORD_FILE

ROOT = Path(__file__).resolve().parent.parent
BOOKSTORE = ROOT / "specs" / "examples" / "bookstore.yaml"
ROUTE = "src/bookstore/api/routes/book.py"
MODELS = "src/bookstore/models.py"


def git(project: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=True).stdout


def commit(project: Path, message: str = "my changes") -> None:
    git(project, "add", "--all")
    git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message)


def update(project: Path) -> Result:
    return CliRunner().invoke(main, ["update", str(project)])


def edit(project: Path, path: str, old: str, new: str) -> None:
    target = project / path
    text = target.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")


def snapshot(project: Path) -> dict[str, bytes]:
    return {
        p.relative_to(project).as_posix(): p.read_bytes()
        for p in project.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(project).parts
    }


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("pristine") / "bookstore"
    new_project(load_domain(BOOKSTORE), project, force=False)
    return project


@pytest.fixture
def project(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "bookstore"
    shutil.copytree(pristine, copy, symlinks=True)
    return copy


def test_new_copies_the_domain_and_commits_the_generation(project: Path) -> None:
    assert (project / "domain.yaml").read_bytes() == BOOKSTORE.read_bytes()
    assert git(project, "status", "--porcelain") == ""
    assert git(project, "log", "--format=%s").splitlines() == ["scaffold new: bookstore from domain.yaml"]
    assert "scaffold-pristine" in git(project, "branch", "--list", "scaffold-pristine")


def test_edits_and_added_files_survive_and_the_domain_change_arrives(project: Path) -> None:
    edit(project, ROUTE, 'router = APIRouter(tags=["books"])', 'router = APIRouter(tags=["books"])\n# my rule')
    (project / "src/bookstore/policies.py").write_text('"""Mine."""\n', encoding="utf-8")
    commit(project)
    first_revision = (project / "migrations/versions/0001_initial.py").read_bytes()
    edit(
        project,
        "domain.yaml",
        "      title: {type: string,",
        "      pages: {type: integer, default: 100}\n      title: {type: string,",
    )
    edit(project, "domain.yaml", "  Category:\n", "  Publisher:\n    fields:\n      name: string\n  Category:\n")

    result = update(project)

    assert result.exit_code == 0, result.output
    route = (project / ROUTE).read_text(encoding="utf-8")
    assert "# my rule" in route and '"pages"' in route
    assert (project / "src/bookstore/policies.py").read_text(encoding="utf-8") == '"""Mine."""\n'
    assert (project / "src/bookstore/api/routes/publisher.py").is_file()
    assert (project / "migrations/versions/0001_initial.py").read_bytes() == first_revision
    (revision,) = (project / "migrations/versions").glob("0002_*.py")
    assert 'op.create_table(\n        "publishers"' in revision.read_text(encoding="utf-8")
    assert f"migration migrations/versions/{revision.name}" in result.output
    # the update says what the domain change does, as `scaffold diff` would have
    assert "domain change: 1 warning, 6 info: a minor version bump" in result.output
    assert f"{project / 'domain.yaml'}:" in result.output and "db db-table-added: table publishers" in result.output
    # the next update starts from this generation: nothing left to do
    commit(project, "update")
    again = update(project)
    assert again.exit_code == 0 and "already up to date" in again.output
    assert git(project, "status", "--porcelain") == ""


def test_overlapping_changes_become_conflict_markers_and_exit_3(project: Path) -> None:
    edit(project, MODELS, "sa.String(300)", "sa.String(350)")
    commit(project)
    edit(project, "domain.yaml", "max_length: 300", "max_length: 400")

    result = update(project)

    assert result.exit_code == 3, result.output
    assert f"CONFLICT {MODELS}" in result.output
    models = (project / MODELS).read_text(encoding="utf-8")
    assert "<<<<<<< yours" in models and ">>>>>>> new generation" in models
    assert "sa.String(350)" in models and "sa.String(400)" in models
    assert "maxLength: 400" in (project / "openapi.yaml").read_text(encoding="utf-8")


def test_an_uncommitted_change_other_than_the_domain_is_refused_untouched(project: Path) -> None:
    edit(project, ROUTE, "router = APIRouter", "router = APIRouter  # wip\nrouter = APIRouter")
    edit(project, "domain.yaml", "max_length: 300", "max_length: 400")
    before = snapshot(project)

    result = update(project)

    assert result.exit_code == 1
    assert ROUTE in result.output and "commit or stash" in result.output
    assert snapshot(project) == before


def test_an_invalid_domain_is_exit_2_with_positions_and_nothing_written(project: Path) -> None:
    edit(project, "domain.yaml", "max_length: 300", "max_length: many")
    before = snapshot(project)
    result = update(project)
    assert result.exit_code == 2
    assert "domain.yaml:34:56: expected an integer, got the string `many`" in result.output
    assert snapshot(project) == before


def test_a_removed_entity_loses_its_untouched_files_and_keeps_edited_ones_as_conflicts(project: Path) -> None:
    edit(project, "src/bookstore/api/routes/category.py", "router = APIRouter", "# mine\nrouter = APIRouter")
    commit(project)
    text = (project / "domain.yaml").read_text(encoding="utf-8")
    (project / "domain.yaml").write_text(text[: text.index("  Category:\n")], encoding="utf-8")  # the last entity

    result = update(project)

    assert result.exit_code == 3, result.output
    assert not (project / "tests/test_category.py").exists()
    assert "# mine" in (project / "src/bookstore/api/routes/category.py").read_text(encoding="utf-8")
    assert "CONFLICT src/bookstore/api/routes/category.py (removed by the new generation" in result.output


def test_a_deleted_file_the_update_changes_comes_back_as_a_conflict(project: Path) -> None:
    (project / "openapi.yaml").unlink()
    (project / "docs/design.md").unlink()
    commit(project)
    edit(project, "domain.yaml", "max_length: 300", "max_length: 400")
    result = update(project)
    assert result.exit_code == 3
    assert "CONFLICT openapi.yaml (deleted by you" in result.output
    assert (project / "openapi.yaml").is_file()


def test_a_template_change_arrives_through_the_same_merge(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit(project, "README.md", "\n## Design\n", "\nOur team's notes.\n\n## Design\n")
    commit(project)
    upgraded = tmp_path / "template"
    shutil.copytree(resources.template_path(), upgraded)
    query = next(upgraded.rglob("api/query.py"))
    query.write_text(query.read_text(encoding="utf-8") + "\n# added by the template's new version\n", encoding="utf-8")
    monkeypatch.setattr(resources, "template_path", lambda: upgraded)
    import generator.project.new as new_module
    import generator.project.template_source as source_module
    import generator.update.revisions as revisions_module

    monkeypatch.setattr(new_module, "template_path", lambda: upgraded)
    monkeypatch.setattr(source_module, "template_path", lambda: upgraded)
    monkeypatch.setattr(revisions_module, "template_path", lambda: upgraded)

    result = update(project)

    assert result.exit_code == 0, result.output
    assert "# added by the template's new version" in (project / "src/bookstore/api/query.py").read_text()
    assert "Our team's notes." in (project / "README.md").read_text(encoding="utf-8")


def test_force_rewrites_generated_files_and_keeps_everything_else(project: Path) -> None:
    (project / ".env").write_text("SECRET=1\n", encoding="utf-8")
    (project / ".venv").mkdir()
    (project / ".venv" / "marker").write_text("x", encoding="utf-8")
    (project / "src/bookstore/policies.py").write_text('"""Mine."""\n', encoding="utf-8")
    edit(project, "openapi.yaml", "openapi:", "# edited\nopenapi:")
    head = git(project, "rev-parse", "HEAD")

    result = CliRunner().invoke(main, ["new", str(project / "domain.yaml"), "-o", str(project), "--force"])

    assert result.exit_code == 0, result.output
    assert (project / ".env").read_text(encoding="utf-8") == "SECRET=1\n"
    assert (project / ".venv" / "marker").is_file()
    assert (project / "src/bookstore/policies.py").is_file()
    assert "# edited" not in (project / "openapi.yaml").read_text(encoding="utf-8")
    assert git(project, "rev-parse", "HEAD") == head
    assert git(project, "status", "--porcelain").split() == ["??", "src/bookstore/policies.py"]  # .env is ignored


def test_a_project_inside_a_repository_gets_a_pristine_branch_of_its_own(tmp_path: Path) -> None:
    monorepo = tmp_path / "monorepo"
    monorepo.mkdir()
    git(monorepo, "init", "-q")
    new_project(load_domain(BOOKSTORE), monorepo / "services" / "books", force=False)
    assert not (monorepo / "services" / "books" / ".git").exists()
    assert "scaffold-pristine-services-books" in git(monorepo, "branch", "--list")
    commit(monorepo, "add the service")
    edit(monorepo / "services" / "books", "domain.yaml", "max_length: 300", "max_length: 400")
    result = update(monorepo / "services" / "books")
    assert result.exit_code == 0, result.output
    assert "sa.String(400)" in (monorepo / "services/books" / MODELS).read_text(encoding="utf-8")


def test_without_git_update_says_why_it_cannot_run(tmp_path: Path) -> None:
    project = tmp_path / "bookstore"
    result = CliRunner().invoke(main, ["new", str(BOOKSTORE), "-o", str(project), "--no-git"])
    assert result.exit_code == 0, result.output
    assert not (project / ".git").exists()
    assert (project / RECORD_FILE).is_file()
    result = update(project)
    assert result.exit_code == 1
    assert "not in a git repository" in result.output


@pytest.fixture(autouse=True)
def _no_user_git_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """The tests never read or write the machine's git configuration."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    yield


def test_check_is_clean_after_update_and_names_every_drifted_file(project: Path) -> None:
    assert CliRunner().invoke(main, ["check", str(project)]).exit_code == 0
    edit(project, "domain.yaml", "max_length: 300", "max_length: 400")
    result = CliRunner().invoke(main, ["check", str(project)])
    assert result.exit_code == 3
    assert "domain.yaml: changed since the last generation: run `scaffold update`" in result.output
    assert update(project).exit_code == 0
    commit(project)
    assert CliRunner().invoke(main, ["check", str(project)]).exit_code == 0

    edit(project, "openapi.yaml", "openapi:", "# by hand\nopenapi:")
    (project / "migrations/versions/0099_mine.py").write_text('"""Mine."""\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(project)])
    assert result.exit_code == 3
    assert result.output.splitlines() == [
        "openapi.yaml: this generated file differs from the generation (edit domain.yaml, then `scaffold update`)",
        "migrations/versions/0099_mine.py: a migration revision scaffold did not generate "
        "(it would fork the migration head)",
        "2 drifted files",
    ]


def test_new_and_update_take_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(BOOKSTORE, "bookstore.yaml")
    result = CliRunner().invoke(main, ["new", "bookstore.yaml", "-o", "books"])
    assert result.exit_code == 0, result.output
    edit(Path("books"), "domain.yaml", "max_length: 300", "max_length: 400")
    monkeypatch.chdir("books")
    result = CliRunner().invoke(main, ["update"])
    assert result.exit_code == 0, result.output


def test_business_rule_modules_are_written_once_and_never_rewritten(project: Path) -> None:
    rules = project / "src/bookstore/rules/book.py"
    rules.write_text(rules.read_text(encoding="utf-8").replace("    pass\n", "    LIMIT = 1\n"), encoding="utf-8")
    commit(project)
    mine = rules.read_bytes()
    edit(project, "domain.yaml", "  Category:\n", "  Publisher:\n    fields:\n      name: string\n  Category:\n")
    assert update(project).exit_code == 0
    assert rules.read_bytes() == mine
    assert "class PublisherRules" in (project / "src/bookstore/rules/publisher.py").read_text(encoding="utf-8")
    commit(project)
    result = CliRunner().invoke(main, ["new", str(project / "domain.yaml"), "-o", str(project), "--force"])
    assert result.exit_code == 0, result.output
    assert rules.read_bytes() == mine
