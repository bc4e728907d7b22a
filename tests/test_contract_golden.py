"""Golden contracts: the exact `openapi.yaml` of every example domain.

A change to the emitter shows up here as a readable diff of the contract. After reviewing
it, regenerate with `SCAFFOLD_UPDATE_GOLDEN=1 pytest tests/test_contract_golden.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.contract import dump_yaml, emit_contract
from generator.load import load_domain

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "specs" / "examples").glob("*.yaml"))
GOLDEN = Path(__file__).resolve().parent / "golden" / "contract"
UPDATE = os.environ.get("SCAFFOLD_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_contract_matches_golden(example: Path) -> None:
    text = dump_yaml(emit_contract(load_domain(example)))
    golden = GOLDEN / f"{example.stem}.openapi.yaml"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}; run with SCAFFOLD_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")


def test_every_golden_file_has_an_example() -> None:
    stems = {example.stem for example in EXAMPLES}
    orphans = [p.name for p in GOLDEN.glob("*.openapi.yaml") if p.name.split(".")[0] not in stems]
    assert orphans == []
