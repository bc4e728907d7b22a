"""`scaffold diff` on the command line: the three formats, `--fail-on` exit codes, invalid input,
the project form (the domain of the last generation against domain.yaml) and the JSON Schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from generator.cli import main
from generator.diff.report import made_bump
from generator.project.record import FORMAT, RECORD_FILE

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests" / "diff" / "base.yaml"
REPORT_SCHEMA = json.loads((ROOT / "specs" / "diff-report.schema.json").read_text(encoding="utf-8"))
EXAMPLES = sorted((ROOT / "specs" / "examples").glob("*.yaml"))


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["diff", *map(str, args)])


def changed(tmp_path: Path, old: str, new: str, name: str = "new.yaml") -> Path:
    text = BASE.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.fixture
def breaking(tmp_path: Path) -> Path:
    """A new required field (breaking in both layers), version not bumped."""
    return changed(
        tmp_path, "      country: string?\n", "      country: string?\n      founded: integer\n", "breaking.yaml"
    )


@pytest.fixture
def warning_only(tmp_path: Path) -> Path:
    """A new unique constraint (data-dependent), with the version bumped as needed."""
    edited = changed(
        tmp_path,
        "name: {type: string, max_length: 50}",
        "name: {type: string, max_length: 50, unique: true}",
        "warning.yaml",
    )
    text = edited.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 1.1.0")
    edited.write_text(text, encoding="utf-8")
    return edited


def test_text_lists_every_change_with_its_place_and_the_bump(breaking: Path) -> None:
    result = run(BASE, breaking)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{BASE} -> {breaking}: 2 breaking, 1 warning, 2 info: a major version bump"
    assert f"{breaking}:24:7: breaking api new-required-request-property: MakerCreate.founded is new" in result.output
    assert f"{breaking}:24:7: breaking db db-not-null-column-without-default: column makers.founded" in result.output
    assert f"{breaking}:6:3: warning api service-version-bump-too-small" in result.output


def test_fail_on_breaking_exits_3_only_for_breaking_changes(breaking: Path, warning_only: Path) -> None:
    assert run(BASE, breaking, "--fail-on", "breaking").exit_code == 3
    assert run(BASE, warning_only, "--fail-on", "breaking").exit_code == 0
    assert run(BASE, warning_only, "--fail-on", "warning").exit_code == 3
    assert run(BASE, BASE, "--fail-on", "warning").exit_code == 0


def test_no_change_is_no_change() -> None:
    result = run(BASE, BASE, "--format", "json")
    assert json.loads(result.output) == {"from": str(BASE), "to": str(BASE), "bump": "none", "changes": []}


def test_json_follows_its_schema_and_names_the_operations(breaking: Path) -> None:
    result = run(BASE, breaking, "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["bump"] == "major"
    first = report["changes"][0]
    assert first == {
        "level": "breaking",
        "layer": "api",
        "code": "new-required-request-property",
        "message": "MakerCreate.founded is new: existing clients omit it",
        "location": f"{breaking}:24:7",
        "operations": ["POST /api/v1/makers"],
    }
    assert [change["level"] for change in report["changes"]] == sorted(
        (change["level"] for change in report["changes"]), key=["breaking", "warning", "info"].index
    )


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_every_example_against_itself_has_no_change_and_a_valid_report(example: Path) -> None:
    report = json.loads(run(example, example, "--format", "json").output)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["changes"] == []


def test_markdown_is_a_table_whose_domain_text_is_escaped(tmp_path: Path) -> None:
    hostile = changed(tmp_path, 'pattern: "^[A-Z]"', 'pattern: "^[A-Z]|<script>x</script>"')
    result = run(BASE, hostile, "--format", "markdown")
    assert result.exit_code == 0
    assert result.output.startswith("### Domain change: 3 warning: a minor version bump\n")
    assert "| Level | Layer | Check | Change | Where |" in result.output
    row = next(line for line in result.output.splitlines() if "request-property-pattern-changed" in line)
    assert "<script>" not in row and "&lt;script&gt;" in row
    cells = re.split(r"(?<!\\)\|", row.strip("|"))  # GFM splits a row at the pipes not escaped
    assert len(cells) == 5, cells


def test_an_invalid_new_file_is_exit_2_with_its_position_and_no_report(tmp_path: Path) -> None:
    broken = changed(tmp_path, "      country: string?\n", "      country: strin?\n")
    result = run(BASE, broken, "--format", "json")
    assert result.exit_code == 2
    assert f"{broken}:23:16: unknown type `strin` (did you mean `string`?)" in result.output
    assert "Traceback" not in result.output and '"changes"' not in result.output


def test_a_missing_file_is_exit_2_naming_it(tmp_path: Path) -> None:
    result = run(BASE, tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert f"{tmp_path / 'nope.yaml'}:1:1: cannot read the file" in result.output


def test_three_paths_or_a_file_alone_are_usage_errors(tmp_path: Path) -> None:
    assert run(BASE, BASE, BASE).exit_code == 2
    result = run(BASE)
    assert result.exit_code == 2 and "not a project directory" in result.output


def _project(tmp_path: Path, generated: str, current: str) -> Path:
    project = tmp_path / "service"
    project.mkdir(parents=True)
    record = {
        "format": FORMAT,
        "generator_version": "0",
        "template_sha256": "",
        "domain_sha256": "",
        "domain": generated,
    }
    (project / RECORD_FILE).write_text(json.dumps(record), encoding="utf-8")
    (project / "domain.yaml").write_text(current, encoding="utf-8")
    return project


def test_in_a_project_the_last_generation_is_compared_with_domain_yaml(tmp_path: Path) -> None:
    text = BASE.read_text(encoding="utf-8")
    project = _project(tmp_path, text, text.replace("      country: string?\n", ""))
    result = run(project, "--fail-on", "breaking")
    assert result.exit_code == 3
    generated = f"{project / 'domain.yaml'}@generated"
    assert f"{generated}:23:7: breaking db db-column-dropped: column makers.country is dropped" in result.output
    clean = _project(tmp_path / "clean", text, text)
    assert run(clean).output.endswith(": no changes\n")


def test_outside_a_project_the_missing_record_is_named(tmp_path: Path) -> None:
    result = run(tmp_path)
    assert result.exit_code == 1
    assert f"{tmp_path} has no {RECORD_FILE}" in result.output


@pytest.mark.parametrize(
    ("old", "new", "made"),
    [
        ("1.2.3", "1.2.3", "none"),
        ("1.2.3", "1.2.4", "patch"),
        ("1.2.3", "1.3.0", "minor"),
        ("1.2.3", "2.0.0", "major"),
        ("0.3.1", "0.4.0", "major"),  # below 1.0.0 a minor step may break
        ("0.3.1", "0.3.2", "minor"),
        ("1.2.3", "1.2.2", None),
        ("1.2.3", "next", None),
    ],
)
def test_the_bump_a_version_change_makes(old: str, new: str, made: str | None) -> None:
    assert made_bump(old, new) == made


def test_a_big_enough_bump_silences_the_version_warning(tmp_path: Path) -> None:
    edited = changed(tmp_path, "      country: string?\n", "")
    edited.write_text(edited.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 2.0.0"), encoding="utf-8")
    result = run(BASE, edited)
    assert "service-version-bump-too-small" not in result.output
    minor = changed(tmp_path, "      country: string?\n", "", "minor.yaml")
    minor.write_text(minor.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 1.1.0"), encoding="utf-8")
    assert "service.version goes from 1.0.0 to 1.1.0, but the changes need a major bump" in run(BASE, minor).output


def test_the_readme_example_is_what_scaffold_diff_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split("$ scaffold diff old.yaml domain.yaml\n", 1)[1].split("```", 1)[0]
    bookstore = (ROOT / "specs" / "examples" / "bookstore.yaml").read_text(encoding="utf-8")
    edited = bookstore.replace(
        "      born_on: date?              # shorthand: TYPE or TYPE? (optional and nullable)\n",
        "      born_on: date\n",
    )
    edited = edited.replace(
        "      in_stock: {type: boolean, default: true}\n",
        "      in_stock: {type: boolean, default: true}\n      subtitle: string?\n",
    )
    edited = edited.replace("version: 1.2.0 ", "version: 1.3.0 ")
    assert edited.count("subtitle") == 1 and "born_on: date\n" in edited and "1.3.0" in edited
    monkeypatch.chdir(tmp_path)
    Path("old.yaml").write_text(bookstore, encoding="utf-8")
    Path("domain.yaml").write_text(edited, encoding="utf-8")
    assert run("old.yaml", "domain.yaml").output == shown
    table = run("old.yaml", "domain.yaml", "--format", "markdown").output.splitlines()
    for line in readme.split("```markdown\n", 1)[1].split("```", 1)[0].splitlines():
        assert line in table, line
