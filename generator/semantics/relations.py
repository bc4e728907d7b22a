"""Relations: targets that exist, and no cycle of required references."""

from __future__ import annotations

from ..domain.model import (
    RESERVED_FIELDS,
    Entity,
    Relation,
)
from .context import (
    Context,
)


def check_relation(ctx: Context, entity: Entity, relation: Relation) -> None:
    raw = ctx.raw(relation.path)
    if relation.target in ctx.enums:
        message = f"`{relation.target}` is an enum, not an entity: use a field of type `{relation.target}`"
        ctx.report((*relation.path, "to"), message, code="enum-as-relation-target")
    elif relation.target not in ctx.entities:
        hint = ctx.hint(relation.target, ctx.entities)
        ctx.report((*relation.path, "to"), f"unknown entity `{relation.target}`{hint}", code="unknown-entity")
    if relation.kind == "many_to_many":
        for key in ("on_delete", "required"):
            if key in raw:
                message = f"`{key}` applies to many_to_one and one_to_one relations only"
                ctx.report((*relation.path, key), message, key=True, code="relation-option-not-applicable")
    elif relation.on_delete == "set_null" and relation.required:
        message = "`on_delete: set_null` needs `required: false`: the foreign key must allow null"
        ctx.report((*relation.path, "on_delete"), message, code="set-null-on-required")
    if relation.name in RESERVED_FIELDS:
        ctx.report(relation.path, f"`{relation.name}` is a reserved name", key=True, code="reserved-relation-name")


def check_required_cycles(ctx: Context) -> None:
    """Required to-one relations that loop back mean no first row can ever be created.

    One depth-first walk over the graph of required relations (linear in its size);
    each back edge closes a cycle, reported at the cycle's first relation.
    """
    graph = {
        entity.name: [r for r in entity.relations if r.fk_name and r.required and r.target in ctx.entities]
        for entity in ctx.domain.entities
    }
    finished: set[str] = set()
    for root in graph:
        if root in finished:
            continue
        on_path = [root]
        via: list[Relation] = []  # via[i] leads from on_path[i] to on_path[i + 1]
        pending = [iter(graph[root])]
        while pending:
            relation = next(pending[-1], None)
            if relation is None:
                finished.add(on_path.pop())
                pending.pop()
                if via:
                    via.pop()
            elif relation.target in on_path:
                start = on_path.index(relation.target)
                chain = [*via[start:], relation]
                loop = " -> ".join([*on_path[start:], relation.target])
                message = (
                    f"required relations form a cycle ({loop}): no first row could be "
                    "created; make one of them `required: false`"
                )
                ctx.report(chain[0].path, message, key=True, code="required-cycle")
            elif relation.target not in finished:
                on_path.append(relation.target)
                via.append(relation)
                pending.append(iter(graph[relation.target]))
