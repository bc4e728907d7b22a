"""The `scaffold` command line: summaries, problem lines, exit statuses, help and schema.

Exit status contract (README): 0 success, 2 invalid domain or bad usage, 1 anything else.
Most tests drive the click app in-process; one runs the installed console script.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator import cli
from generator.contract import emit_contract
from generator.docs import design_document
from generator.errors import DomainError
from generator.load import load_domain

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "specs" / "examples").glob("*.yaml"))
BAD = ROOT / "tests" / "bad_domains"
PROBLEM_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): (?P<message>.+)$")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args))


def expected_problem_lines(path: Path) -> list[str]:
    with pytest.raises(DomainError) as caught:
        load_domain(path)
    return [str(problem) for problem in caught.value.problems]


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert "Traceback" not in result.stderr
    # click's runner catches exceptions; anything but SystemExit is a crash
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


# --- validate ---------------------------------------------------------------------------


def test_validate_prints_one_summary_line_per_valid_file() -> None:
    result = run("validate", *map(str, EXAMPLES))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == len(EXAMPLES)
    for path, line in zip(EXAMPLES, lines, strict=True):
        domain = load_domain(path)
        assert line.startswith(f"{path}: valid: service {domain.service.name}, ")
        assert f"{len(domain.entities)} entit" in line
        assert line.endswith(f"auth {domain.auth.scheme}")


def test_validate_summary_of_the_bookstore() -> None:
    path = ROOT / "specs" / "examples" / "bookstore.yaml"
    result = run("validate", str(path))
    assert result.stdout == f"{path}: valid: service bookstore, 4 entities, 2 enums, 21 operations, auth jwt\n"


@pytest.mark.parametrize(
    "name", ["unknown_field_type.yaml", "unknown_key.yaml", "duplicate_keys.yaml", "yaml_syntax_error.yaml"]
)
def test_invalid_file_exits_2_with_every_problem_as_file_line_column(name: str) -> None:
    path = BAD / name
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert_no_traceback(result)
    *problems, summary = result.stderr.splitlines()
    assert problems == expected_problem_lines(path)
    for line in problems:
        match = PROBLEM_LINE.match(line)
        assert match, line
        assert match["file"] == str(path)
        assert int(match["line"]) >= 1
        assert int(match["column"]) >= 1
    assert summary == "1 of 1 files invalid"


def test_validate_reports_valid_and_invalid_files_separately() -> None:
    good, bad = EXAMPLES[0], BAD / "reserved_names.yaml"
    result = run("validate", str(good), str(bad))
    assert result.exit_code == 2
    assert result.stdout.startswith(f"{good}: valid: ")
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr.splitlines() == [*expected_problem_lines(bad), "1 of 2 files invalid"]


def test_missing_file_is_a_clean_error_with_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "absent.yaml"
    result = run("validate", str(missing))
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert result.stderr.splitlines() == [
        f"{missing}:1:1: cannot read the file: No such file or directory",
        "1 of 1 files invalid",
    ]


def test_unreadable_path_is_a_clean_error_with_exit_2(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "file.yaml"
    not_a_directory.write_text("scaffold: 1\n", encoding="utf-8")
    inside = not_a_directory / "domain.yaml"
    result = run("validate", str(inside))
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert result.stderr.splitlines()[0] == f"{inside}:1:1: cannot read the file: Not a directory"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_file_is_read_only_up_to_the_size_limit() -> None:
    result = run("validate", "/dev/zero")
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert result.stderr.splitlines()[0] == (
        "/dev/zero:1:1: the file is over 2,097,152 bytes; domain files are limited to 2,097,152 bytes"
    )


def test_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path))
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert "is a directory" in result.stderr


def test_validate_without_files_is_a_usage_error() -> None:
    result = run("validate")
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr


def test_binary_garbage_is_reported_not_crashed_on(tmp_path: Path) -> None:
    path = tmp_path / "garbage.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert PROBLEM_LINE.match(result.stderr.splitlines()[0])


# --- other commands on invalid input ------------------------------------------------------


def test_new_with_an_invalid_domain_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    output = tmp_path / "out"
    path = BAD / "required_cycle_two.yaml"
    result = run("new", str(path), "--output", str(output))
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert result.stderr.splitlines() == [*expected_problem_lines(path), "1 problem found"]
    assert not output.exists()
    assert list(tmp_path.iterdir()) == []


def test_contract_with_an_invalid_domain_exits_2(tmp_path: Path) -> None:
    output = tmp_path / "openapi.yaml"
    result = run("contract", str(BAD / "unknown_relation_target.yaml"), "-o", str(output))
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert result.stderr.splitlines()[-1] == "2 problems found"
    assert not output.exists()


def test_an_unwritable_output_is_exit_1_without_traceback(tmp_path: Path) -> None:
    output = tmp_path / "missing-dir" / "openapi.yaml"
    result = run("contract", str(EXAMPLES[0]), "-o", str(output))
    assert result.exit_code == 1
    assert_no_traceback(result)
    assert result.stderr == f"error: cannot write {output}: No such file or directory\n"


def test_an_unexpected_error_is_exit_1_with_a_short_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(path: Path) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "load_domain", explode)
    monkeypatch.setattr(sys, "argv", ["scaffold", "validate", str(EXAMPLES[0])])
    monkeypatch.delenv("SCAFFOLD_DEBUG", raising=False)
    with pytest.raises(SystemExit) as caught:
        cli.entry()
    assert caught.value.code == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert captured.err.splitlines()[0] == "scaffold: internal error: RuntimeError: boom"


# --- schema, help, version ----------------------------------------------------------------


def test_schema_prints_the_format_schema_as_json() -> None:
    result = run("schema")
    assert result.exit_code == 0
    printed = json.loads(result.stdout)
    assert printed == json.loads((ROOT / "specs" / "domain.schema.json").read_text(encoding="utf-8"))


def test_docs_prints_the_design_document_without_a_project(tmp_path: Path) -> None:
    bookstore = ROOT / "specs" / "examples" / "bookstore.yaml"
    expected = design_document(load_domain(bookstore), emit_contract(load_domain(bookstore)))
    result = run("docs", str(bookstore))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected
    assert "```mermaid\nerDiagram" in result.stdout
    written = tmp_path / "design.md"
    assert run("docs", str(bookstore), "-o", str(written)).exit_code == 0
    assert written.read_text(encoding="utf-8") == expected
    assert list(tmp_path.iterdir()) == [written]


def test_docs_with_an_invalid_domain_exits_2(tmp_path: Path) -> None:
    result = run("docs", str(BAD / "unknown_field_type.yaml"))
    assert result.exit_code == 2
    assert re.search(r"unknown_field_type\.yaml:\d+:\d+: ", result.stderr)


COMMANDS = sorted(cli.main.commands)


def test_every_command_is_covered() -> None:
    assert {"validate", "schema", "contract", "docs", "new"} <= set(COMMANDS)


@pytest.mark.parametrize("command", [None, *COMMANDS])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_of_every_command_shows_an_example(command: str | None, flag: str) -> None:
    args = [flag] if command is None else [command, flag]
    result = run(*args)
    assert result.exit_code == 0
    assert "Example" in result.stdout
    name = "scaffold" if command is None else f"scaffold {command}"
    example_lines = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith(name)]
    assert example_lines, f"no `{name} ...` example line"


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert re.fullmatch(r"scaffold, version \d+\.\d+\.\d+\S*\n", result.stdout)


def test_unknown_command_is_a_usage_error() -> None:
    result = run("generate")
    assert result.exit_code == 2
    assert "No such command" in result.stderr


# --- the installed console script -----------------------------------------------------------


def test_installed_console_script(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("scaffold")
    assert script.exists(), "the `scaffold` console script is not installed in this environment"
    bad = BAD / "unknown_field_type.yaml"
    completed = subprocess.run(
        [str(script), "validate", str(EXAMPLES[0]), str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert completed.returncode == 2
    assert completed.stdout.startswith(f"{EXAMPLES[0]}: valid: service ")
    assert completed.stderr.splitlines() == [*expected_problem_lines(bad), "1 of 2 files invalid"]
    assert "Traceback" not in completed.stderr
