"""`scaffold check`: whether a project's generated artifacts are what its domain gives.

For CI: the contract, the API schemas, the design document and the migration revisions must
be exactly the recorded generation (nobody edits them by hand: they are regenerated), and
`domain.yaml` must be the domain that generation came from (a changed domain needs
`scaffold update`). Files where edits are expected (routes, tests, README) are the merge's
business, not drift.
"""

from __future__ import annotations

from pathlib import Path

from ..project.record import DOMAIN_FILE, Record, digest, read_record
from ..update.revisions import REVISIONS

# Generated files nobody should edit: each is derived whole from the domain.
_EXACT_SUFFIXES = ("openapi.yaml", "openapi.json", "schemas.py", "docs/design.md")


def check_project(project: Path) -> list[str]:
    """One line per drifted file; empty when the project is what its record says."""
    record = read_record(project)
    drift: list[str] = []
    domain = project / DOMAIN_FILE
    if not domain.is_file():
        drift.append(f"{DOMAIN_FILE}: missing")
    elif digest(domain.read_bytes()) != record.domain_sha256:
        drift.append(f"{DOMAIN_FILE}: changed since the last generation: run `scaffold update`")
    for path in sorted(_exact_files(record)):
        target = project / path
        if not target.is_file():
            drift.append(f"{path}: missing")
        elif digest(target.read_bytes()) != record.files[path]:
            what = "migration revision" if path.startswith(REVISIONS) else "generated file"
            drift.append(f"{path}: this {what} differs from the generation (edit domain.yaml, then `scaffold update`)")
    revisions = project / REVISIONS
    recorded = {path for path in record.files if path.startswith(REVISIONS)}
    for extra in sorted(revisions.glob("*.py")) if revisions.is_dir() else []:
        path = extra.relative_to(project).as_posix()
        if path not in recorded:
            drift.append(f"{path}: a migration revision scaffold did not generate (it would fork the migration head)")
    return drift


def _exact_files(record: Record) -> list[str]:
    return [path for path in record.files if path.startswith(REVISIONS) or path.endswith(_EXACT_SUFFIXES)]
