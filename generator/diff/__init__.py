"""`scaffold diff`: what a domain change breaks, for clients (the contract) and for the data (the migration).

A stage over the domain model, like `update`: both files are loaded and validated, their
models are matched node by node (`pairs`), and each layer's checks (`api`, `db`) report
changes with a code from the catalogue (`codes`), a level and the place in the file.
"""

from __future__ import annotations

from ..domain.model import Domain
from ..load import validate_document
from ..load.gc_pause import collector_paused
from ..load.source import Document
from .api import api_changes
from .codes import CHECKS, LEVELS
from .db import db_changes
from .places import Places
from .report import Change, Report, enough, made_bump, needed_bump


def diff_documents(old: Document, new: Document) -> Report:
    """Validate both documents (a `DomainError` names every problem) and compare them."""
    with collector_paused():  # the comparison allocates like a load: many small acyclic objects
        return diff_domains(validate_document(old), validate_document(new), Places(old, new))


def diff_domains(old: Domain, new: Domain, places: Places) -> Report:
    changes = api_changes(old, new, places) + db_changes(old, new, places)
    changes += _enum_documentation(old, new, places)
    changes += _version(old, new, changes, places)
    changes.sort(key=lambda change: LEVELS.index(change.level))  # worst first, then in the order found
    return Report(places.old_document.file, places.new_document.file, changes)


def _enum_documentation(old: Domain, new: Domain, places: Places) -> list[Change]:
    before = {enum.name: enum for enum in old.enums}
    return [
        Change(
            "api-documentation-changed", f"{enum.name}.description changed (documentation only)", places.new(enum.path)
        )
        for enum in new.enums
        if enum.name in before and before[enum.name].description != enum.description
    ]


def _version(old: Domain, new: Domain, changes: list[Change], places: Places) -> list[Change]:
    needed = needed_bump(changes)
    if needed == "none":
        return []
    made = made_bump(old.service.version, new.service.version)
    if made is not None and enough(made, needed):
        return []
    was, now = old.service.version, new.service.version
    what = "stays" if was == now else f"goes from {was} to"
    message = f"service.version {what} {now}, but the changes need a {needed} bump"
    return [Change("service-version-bump-too-small", message, places.new(("service", "version")))]


__all__ = ["CHECKS", "Change", "Report", "diff_documents", "diff_domains"]
