"""`scaffold new` killed at random points never leaves a partial output directory."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.services import EXAMPLES, same_tree

pytestmark = pytest.mark.slow

BOOKSTORE = next(p for p in EXAMPLES if p.stem == "bookstore")
SCAFFOLD = [sys.executable, "-c", "from generator.cli import entry; entry()"]


def _new(output: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*SCAFFOLD, "new", str(BOOKSTORE), "--output", str(output)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_sigkill_at_random_points_leaves_all_or_nothing(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    started = time.monotonic()
    assert _new(reference).wait(timeout=120) == 0
    duration = time.monotonic() - started
    rng = random.Random(20261123)
    outcomes = {"absent": 0, "complete": 0}
    for attempt in range(6):
        output = tmp_path / f"out{attempt}"
        process = _new(output)
        time.sleep(rng.uniform(0.05, duration * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        if output.exists():
            assert same_tree(reference, output) == [], f"partial output after a kill at attempt {attempt}"
            outcomes["complete"] += 1
        else:
            outcomes["absent"] += 1
    assert outcomes["absent"] > 0, outcomes  # some kills landed mid-generation

    # The next run into a killed run's directory succeeds and clears the dead runs' scratch.
    retry = tmp_path / "out0"
    result = subprocess.run([*SCAFFOLD, "new", str(BOOKSTORE), "--output", str(retry), "--force"], check=False)
    assert result.returncode == 0
    leftovers = [p.name for p in tmp_path.iterdir() if ".scaffold-" in p.name and p.name.startswith(".out0")]
    assert leftovers == []
    assert same_tree(reference, retry) == []
    assert os.listdir(retry)
