"""List endpoints: filters, sort keys, search fields and page sizes."""

from __future__ import annotations

from collections.abc import Iterator

from ..domain.build import BUILTIN_SORT_KEYS
from ..domain.model import (
    STRING_TYPES,
    Entity,
    Field,
    Relation,
)
from .context import Context, article
from .names import claim

RESERVED_QUERY_PARAMS = ("limit", "cursor", "sort", "q")
UNSORTABLE = ("json", "text")
UNFILTERABLE = ("json",)


def check_list(ctx: Context, entity: Entity) -> None:
    path = (*entity.path, "list")
    raw = ctx.raw(entity.path).get("list")
    if raw is None:
        return
    if "list" not in entity.operations:
        ctx.report(
            path, "list options are set, but the list operation is disabled", key=True, code="list-options-without-list"
        )
    fields = {f.name: f for f in entity.fields}
    relations = {r.name: r for r in entity.relations}
    known = set(fields) | set(relations)
    params: dict[str, str] = {p: "a built-in query parameter" for p in RESERVED_QUERY_PARAMS}
    for index, name in enumerate(raw.get("filter", [])):
        where = (*path, "filter", index)
        for message in _filter_problems(ctx, name, fields, relations, known):
            ctx.report(where, message, code="filter-not-allowed")
        relation = relations.get(name)
        column = relation.fk_name if relation else name
        for item in entity.listing.filters:
            if item.column == column:
                kind = "filter" if item.op == "eq" else f"`{item.param.removeprefix(name)}` range filter"
                claim(ctx, params, item.param, f"the {kind} on `{name}`", where)
    for index, name in enumerate(raw.get("sort", [])):
        problem = _sort_problem(ctx, name, fields, relations)
        if problem:
            ctx.report((*path, "sort", index), problem, code="sort-not-allowed")
    for index, name in enumerate(raw.get("search", [])):
        field = fields.get(name)
        if field is None:
            ctx.report(
                (*path, "search", index), f"unknown field `{name}`{ctx.hint(name, fields)}", code="search-not-allowed"
            )
        elif field.type not in STRING_TYPES:
            ctx.report(
                (*path, "search", index),
                f"`{name}` is {article(field.enum or field.type)} field; search works on strings",
                code="search-not-allowed",
            )
        elif field.write_only:
            ctx.report(
                (*path, "search", index), f"`{name}` is write_only and cannot be searched", code="search-not-allowed"
            )
    default_sort = entity.listing.default_sort.removeprefix("-")
    allowed = [key.key for key in entity.listing.sort]
    if default_sort not in allowed:
        hint = ctx.hint(default_sort, allowed)
        message = f"default_sort `{default_sort}` is not a sort key{hint}; allowed: {', '.join(allowed)}"
        ctx.report((*path, "default_sort"), message, code="unknown-default-sort")
    if entity.listing.page_size > entity.listing.max_page_size:
        message = (
            f"page_size ({entity.listing.page_size}) is greater than max_page_size ({entity.listing.max_page_size})"
        )
        ctx.report((*path, "page_size"), message, code="page-size-over-max")


def _filter_problems(
    ctx: Context, name: str, fields: dict[str, Field], relations: dict[str, Relation], known: set[str]
) -> Iterator[str]:
    if name in fields:
        field = fields[name]
        if field.type in UNFILTERABLE:
            yield f"`{name}` is a json field and cannot be filtered"
        if field.write_only:
            yield f"`{name}` is write_only and cannot be filtered"
    elif name in relations:
        if relations[name].kind == "many_to_many":
            yield f"many_to_many relation `{name}` cannot be filtered"
    else:
        yield f"unknown field or relation `{name}`{ctx.hint(name, known)}"


def _sort_problem(ctx: Context, name: str, fields: dict[str, Field], relations: dict[str, Relation]) -> str | None:
    if name in BUILTIN_SORT_KEYS:
        return f"`{name}` is always sortable: drop it from the list"
    if name in relations:
        return f"relation `{name}` cannot be a sort key"
    field = fields.get(name)
    if field is None:
        return f"unknown field `{name}`{ctx.hint(name, fields)}"
    if field.type in UNSORTABLE:
        return f"`{name}` is a {field.type} field and cannot be sorted"
    if field.write_only:
        return f"`{name}` is write_only and cannot be sorted"
    return None
