"""The semantic layer of validation: rules the JSON Schema cannot express.

Runs on the domain model built from structurally valid data; every problem points at the
node in the file that causes it. Each rule is a function of the context and one part of the
model, registered below in the order its problems are reported; a new rule is a function
beside its neighbours, a line in its table and a bad domain in `tests/bad_domains/`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..domain.model import Domain, Entity, Field, Relation
from ..errors import Problem
from . import access, fields, listing, names, relations, renames, storage
from .context import Context

if TYPE_CHECKING:  # the loader runs these rules: importing it here would be a cycle
    from ..load.source import Document

# Rules over the whole domain, run first. (Enum values that repeat or are missing are the
# schema's to report: `uniqueItems`, `minItems`.)
DOMAIN_RULES: tuple[Callable[[Context], None], ...] = (
    names.check_global_names,
    access.check_auth,
    renames.check_entity_renames,
)
FIELD_RULES: tuple[Callable[[Context, Entity, Field], None], ...] = (
    fields.check_reserved_name,
    fields.check_type,
    fields.check_constraints_apply,
    fields.check_bounds,
    fields.check_varchar_length,
    fields.check_pattern,
    fields.check_flags,
    fields.check_default_and_example,
    fields.check_samples,  # last: only when the field has no other problem
)
RELATION_RULES: tuple[Callable[[Context, Entity, Relation], None], ...] = (relations.check_relation,)
# Rules over one entity, after its fields and relations.
ENTITY_RULES: tuple[Callable[[Context, Entity], None], ...] = (
    names.check_wire_names,
    names.check_unique_together,
    renames.check_member_renames,
    listing.check_list,
    storage.check_row_size,
)
# Rules across entities, run last.
FINAL_RULES: tuple[Callable[[Context], None], ...] = (relations.check_required_cycles,)


def semantic_problems(document: Document, domain: Domain) -> list[Problem]:
    ctx = Context(document, domain)
    for domain_rule in DOMAIN_RULES:
        domain_rule(ctx)
    for entity in domain.entities:
        for field in entity.fields:
            for field_rule in FIELD_RULES:
                field_rule(ctx, entity, field)
        for relation in entity.relations:
            for relation_rule in RELATION_RULES:
                relation_rule(ctx, entity, relation)
        for entity_rule in ENTITY_RULES:
            entity_rule(ctx, entity)
    for final_rule in FINAL_RULES:
        final_rule(ctx)
    return ctx.problems
