"""Writing a finished tree to the output directory in one step, or not at all.

The tree is built in a hidden sibling directory (same filesystem) and renamed into place,
so an interrupted run never leaves a partial output directory. Stale siblings left by a
killed run are removed by the next run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import GenerationError

_MARK = ".scaffold-"


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_workdirs(output: Path) -> None:
    """Delete work directories of earlier runs whose process is gone."""
    prefix = f".{output.name}{_MARK}"
    if not output.parent.is_dir():
        return
    for candidate in output.parent.iterdir():
        if not candidate.name.startswith(prefix):
            continue
        pid_text = candidate.name[len(prefix) :].split("-", 1)[0]
        if pid_text.isdigit() and not _is_running(int(pid_text)):
            shutil.rmtree(candidate, ignore_errors=True)


def check_output(output: Path, *, force: bool) -> None:
    if output.exists() and not output.is_dir():
        raise GenerationError(f"{output} exists and is not a directory")
    if output.is_dir() and any(output.iterdir()) and not force:
        raise GenerationError(f"{output} is not empty; use --force to replace it")


@contextlib.contextmanager
def workdir(output: Path) -> Iterator[Path]:
    """A scratch directory beside `output`; removed on exit whatever happens."""
    output.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_workdirs(output)
    path = Path(tempfile.mkdtemp(prefix=f".{output.name}{_MARK}{os.getpid()}-", dir=output.parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def publish(tree: Path, output: Path, scratch: Path) -> None:
    """Move `tree` to `output`, replacing an existing directory only after the move is ready.

    The old directory is first renamed into `scratch` (removed with it), so at every moment
    either the old or the new tree is at `output`.
    """
    if output.is_dir():
        if any(output.iterdir()):
            output.rename(scratch / "previous")
        else:
            output.rmdir()
    os.replace(tree, output)
