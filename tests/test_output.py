"""The output directory is written all at once or not at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.errors import GenerationError
from generator.output import check_output, publish, remove_stale_workdirs, workdir

ROOT = Path(__file__).resolve().parents[1]
BOOKSTORE = ROOT / "specs" / "examples" / "bookstore.yaml"


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _siblings(output: Path) -> list[str]:
    return sorted(p.name for p in output.parent.iterdir() if p.name != output.name)


def _built(scratch: Path, content: str) -> Path:
    tree = scratch / "tree"
    (tree / "src").mkdir(parents=True)
    (tree / "src" / "file.txt").write_text(content)
    return tree


def test_publish_creates_the_output_and_leaves_no_scratch(tmp_path: Path) -> None:
    output = tmp_path / "out"
    with workdir(output) as scratch:
        publish(_built(scratch, "new"), output, scratch)
    assert _tree(output) == {"src/file.txt": b"new"}
    assert _siblings(output) == []


def test_publish_replaces_a_non_empty_directory_completely(tmp_path: Path) -> None:
    output = tmp_path / "out"
    (output / "old").mkdir(parents=True)
    (output / "old" / "stale.txt").write_text("stale")
    with workdir(output) as scratch:
        publish(_built(scratch, "new"), output, scratch)
    assert _tree(output) == {"src/file.txt": b"new"}
    assert _siblings(output) == []


def test_a_failure_leaves_the_output_untouched(tmp_path: Path) -> None:
    output = tmp_path / "out"
    output.mkdir()
    (output / "keep.txt").write_text("keep")
    with pytest.raises(RuntimeError), workdir(output) as scratch:
        _built(scratch, "half")
        raise RuntimeError("rendering failed")
    assert _tree(output) == {"keep.txt": b"keep"}
    assert _siblings(output) == []


def test_non_empty_output_is_refused_without_force(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(GenerationError, match="not empty; use --force"):
        check_output(tmp_path, force=False)
    check_output(tmp_path, force=True)
    check_output(tmp_path / "absent", force=False)
    with pytest.raises(GenerationError, match="not a directory"):
        check_output(tmp_path / "file", force=True)


def test_stale_workdirs_of_dead_processes_are_removed(tmp_path: Path) -> None:
    output = tmp_path / "out"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".out.scaffold-{dead.stdout.strip()}-abc"
    live = tmp_path / f".out.scaffold-{os.getpid()}-def"
    stale.mkdir()
    live.mkdir()
    remove_stale_workdirs(output)
    assert not stale.exists()
    assert live.exists()


def test_cli_new_with_an_invalid_domain_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("scaffold: 1\nservice: {name: shop}\nentities:\n  Item:\n    fields: {name: strng}\n")
    output = tmp_path / "out"
    result = CliRunner().invoke(main, ["new", str(bad), "--output", str(output)])
    assert result.exit_code == 2
    assert f"{bad}:5:20: unknown type `strng` (did you mean `string`?)" in result.output
    assert not output.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_cli_new_refuses_a_non_empty_output(tmp_path: Path) -> None:
    output = tmp_path / "out"
    output.mkdir()
    (output / "mine.txt").write_text("mine")
    result = CliRunner().invoke(main, ["new", str(BOOKSTORE), "--output", str(output)])
    assert result.exit_code == 1
    assert "not empty; use --force" in result.output
    assert _tree(output) == {"mine.txt": b"mine"}
