"""`scaffold diff` against an independent OpenAPI diff tool: Optic (`@useoptic/optic`, pinned in
package.json), run on the two contracts scaffold emits for each example and a mutated copy.

Every operation Optic finds a breaking change in must carry a breaking API change of
`scaffold diff` (the converse does not hold: Optic misses narrowed lengths and bounds, and
sees nothing of the database; specs/diff-checks.md lists the differences).
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from generator.contract import dump_yaml, emit_contract
from generator.diff import diff_documents
from generator.load import validate_document
from generator.load.source import parse_document
from tests.test_contract_lint import tool

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = [*sorted((ROOT / "specs" / "examples").glob("*.yaml")), ROOT / "tests" / "diff" / "base.yaml"]
OPTIC_OPERATION = re.compile(r"^x (GET|POST|PUT|PATCH|DELETE) (/\S*):\s*$")

pytestmark = pytest.mark.slow  # one Optic run is ~10 s of node


def mutated(data: dict[str, Any]) -> dict[str, Any]:
    """The domain with one change of each kind Optic checks, applied where the domain allows it."""
    data = copy.deepcopy(data)
    entities = data["entities"]
    names = list(entities)
    first, last = entities[names[0]], entities[names[-1]]
    fields = first.setdefault("fields", {})
    fields["added_member"] = {"type": "string", "max_length": 40}  # new required request member
    for name, spec in list(fields.items()):
        if isinstance(spec, str) and spec.endswith("?"):
            fields[name] = spec[:-1]  # optional -> required, and no longer nullable
            break
    if len(names) > 1:
        second = entities[names[1]].get("fields", {})
        removable = [name for name in second if not _referenced(entities[names[1]], name)]
        if removable:
            del second[removable[-1]]  # a request and response member removed
    for spec in entities.values():
        listing = spec.get("list", {})
        if listing.get("sort"):
            listing["sort"] = listing["sort"][:-1] or listing["sort"]  # a sort key removed
            if listing.get("default_sort", "").lstrip("-") not in listing["sort"]:
                listing.pop("default_sort", None)
            break
    for values in (data.get("enums") or {}).values():
        items = values["values"] if isinstance(values, dict) else values
        if len(items) > 2:
            items.pop()  # an enum value removed
            break
    last["operations"] = [
        op for op in last.get("operations", ["list", "create", "read", "update", "delete"]) if op != "delete"
    ]
    return data


def _referenced(entity: dict[str, Any], field: str) -> bool:
    """Whether a list option or a composite unique names the field (removing it is then invalid)."""
    listing = entity.get("list", {})
    mentioned = [*listing.get("filter", []), *listing.get("sort", []), *listing.get("search", [])]
    mentioned.append(str(listing.get("default_sort", "")).lstrip("-"))
    mentioned += [member for group in entity.get("unique_together", []) for member in group]
    return field in mentioned


def _optic_breaking(old: Path, new: Path) -> set[str]:
    env = {**os.environ, "OPTIC_TELEMETRY_LEVEL": "off", "NO_COLOR": "1"}
    result = subprocess.run(
        [str(tool("optic")), "diff", str(old), str(new), "--check"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    found = set()
    for line in result.stdout.splitlines():
        match = OPTIC_OPERATION.match(line.strip())
        if match:
            found.add(f"{match[1]} {match[2]}")
    assert (result.returncode == 1) == bool(found), result.stdout
    return found


def _contract(domain_text: str, path: Path) -> None:
    text = dump_yaml(emit_contract(validate_document(parse_document(domain_text.encode(), str(path)))))
    # Optic's validator predates OpenAPI 3.1's `jsonSchemaDialect`; the default dialect is the same.
    path.write_text(re.sub(r"^jsonSchemaDialect: .*\n", "", text, flags=re.M), encoding="utf-8")


@pytest.mark.parametrize("domain", DOMAINS, ids=[d.stem for d in DOMAINS])
def test_every_breaking_operation_optic_finds_is_reported(domain: Path, tmp_path: Path) -> None:
    yaml = YAML()
    old_text = domain.read_text(encoding="utf-8")
    new_data = mutated(yaml.load(old_text))
    new_domain = tmp_path / "new-domain.yaml"
    with new_domain.open("w", encoding="utf-8") as stream:
        yaml.dump(new_data, stream)
    new_text = new_domain.read_text(encoding="utf-8")
    _contract(old_text, tmp_path / "old.yaml")
    _contract(new_text, tmp_path / "new.yaml")

    optic = _optic_breaking(tmp_path / "old.yaml", tmp_path / "new.yaml")
    report = diff_documents(parse_document(old_text.encode(), str(domain)), parse_document(new_text.encode(), "new"))
    ours = {op for change in report.changes if change.level == "breaking" for op in change.operations}

    assert optic, "the mutations must break something Optic can see"
    assert optic <= ours, f"Optic found breaking changes scaffold diff missed in {sorted(optic - ours)}"
