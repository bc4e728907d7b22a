"""Helpers shared by the benchmark stages: timed processes, medians, tool environments."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
BIN = Path(sys.executable).parent


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


@dataclass
class Timed:
    """One process run: wall-clock seconds, CPU seconds (user + system, children included)."""

    wall: float
    cpu: float
    returncode: int
    timed_out: bool = False
    stderr: str = ""


@dataclass
class Series:
    """Several runs of one command."""

    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    status: str = "ok"  # ok | failed | timeout | skipped
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "wall": median(self.walls),
            "cpu": median(self.cpus),
            "walls": self.walls,
            "cpus": self.cpus,
            "runs": len(self.walls),
            "status": self.status,
            "note": self.note,
        }


def run_timed(argv: Sequence[str], *, env: dict[str, str], cwd: Path | None = None, timeout: float) -> Timed:
    """Run `argv` in a session of its own, killed after `timeout` seconds.

    CPU time comes from wait4's rusage of the child, which includes every descendant it
    waited for (ruff, for instance): a figure less disturbed by a busy machine than wall time.
    """
    with open(os.devnull, "wb") as devnull, _TempText() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(
            list(argv), cwd=cwd, env=env, stdout=devnull, stderr=errors.handle, start_new_session=True
        )
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        return Timed(
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            returncode=process.returncode,
            timed_out=killed.is_set(),
            stderr=errors.read()[-2000:],
        )


class _TempText:
    def __enter__(self) -> _TempText:
        import tempfile

        self.handle = tempfile.TemporaryFile()
        return self

    def read(self) -> str:
        self.handle.seek(0)
        return self.handle.read().decode("utf-8", "replace")

    def __exit__(self, *_exc: object) -> None:
        self.handle.close()


def timed_env(tools: Path) -> dict[str, str]:
    """The environment of timed commands: bytecode cached (as after a normal install).

    Sessions here may set PYTHONDONTWRITEBYTECODE, which makes every cold process compile
    every module it imports; the timed commands get a cache of their own instead.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(tools / "pycache")
    return env


def uv() -> str:
    found = shutil.which("uv") or (str(BIN / "uv") if (BIN / "uv").exists() else None)
    if found is None:
        raise SystemExit("benchmarks: `uv` is needed to build the tool environments")
    return found


def venv(path: Path, *requirements: str) -> Path:
    """A Python 3.11 virtual environment at `path` with `requirements`; returns its python."""
    python = path / "bin" / "python"
    if not python.exists():
        subprocess.run([uv(), "venv", "--quiet", "--python", "3.11", str(path)], check=True)
    if requirements:
        subprocess.run(
            [uv(), "pip", "install", "--quiet", "--compile-bytecode", "--python", str(python), *requirements],
            check=True,
        )
    return python
