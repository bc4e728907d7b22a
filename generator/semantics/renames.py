"""`renamed_from`: a previous name must not be a name still in use (it would be two things)."""

from __future__ import annotations

from ..domain.model import Entity
from .context import Context


def check_entity_renames(ctx: Context) -> None:
    for entity in ctx.domain.entities:
        if entity.renamed_from is not None and entity.renamed_from in ctx.entities:
            message = f"`renamed_from: {entity.renamed_from}` names an entity this domain still has"
            ctx.report((*entity.path, "renamed_from"), message, code="renamed-from-in-use")


def check_member_renames(ctx: Context, entity: Entity) -> None:
    members = {field.name for field in entity.fields} | {relation.name for relation in entity.relations}
    previous = [
        *((field.renamed_from, field.path, "field") for field in entity.fields),
        *((relation.renamed_from, relation.path, "relation") for relation in entity.relations),
    ]
    seen: set[str] = set()
    for name, path, what in previous:
        if name is None:
            continue
        if name in members:
            message = f"`renamed_from: {name}` names a {what} `{entity.name}` still has"
            ctx.report((*path, "renamed_from"), message, code="renamed-from-in-use")
        elif name in seen:
            ctx.report((*path, "renamed_from"), f"two members are renamed from `{name}`", code="renamed-from-in-use")
        seen.add(name)
