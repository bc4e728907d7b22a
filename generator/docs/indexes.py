"""Part of section 4 of the design document: every index the migrations create, and the query it serves."""

from __future__ import annotations

from ..domain.model import Entity, Field, Relation
from .context import Context, article, noun_of, on_delete_sql
from .markdown import code, codes, join_words, table


class IndexSections(Context):
    """The index table: one row per index, with the query it serves."""

    def index_table(self) -> str:
        rows: list[tuple[str, str, str, str]] = []
        for entity in self.domain.entities:
            rows.extend(self.entity_indexes(entity))
        for entity, relation in self.many:
            inverse = ""
            if relation.inverse and relation.target in self.entities:
                segment = self.entities[relation.target].segment
                inverse = f"; reverse listing `/{segment}/{{id}}/{self._inverse_segment(relation)}`"
            rows.append(
                (
                    code(relation.link_table),
                    codes([relation.link_source_column, relation.link_target_column]),
                    "primary key",
                    f"{code(relation.ids_name)} of a {noun_of(entity)} (one query per page, by source id); "
                    "duplicate links",
                )
            )
            rows.append(
                (
                    code(relation.link_table),
                    code(relation.link_target_column),
                    "index",
                    f"cascading deletes of {code(relation.target_table)} rows{inverse}",
                )
            )
        rows.append(
            (
                code("idempotency_records"),
                codes(["principal", "key"]),
                "unique",
                "finding the stored response of an `Idempotency-Key`",
            )
        )
        rows.append((code("idempotency_records"), code("created_at"), "index", "deleting old records by age"))
        parts = [
            "### 4.1 Indexes",
            "",
            "Every index the migration creates, and the queries it serves. Filters and sort keys "
            "are always indexed; a list query uses the index of its sort column for keyset "
            "pagination (`ORDER BY column, id` after `column > :last OR (column = :last AND id > "
            ":last_id)`, mirrored for descending sorts) or that of its most selective equality "
            "filter, as the planner chooses. "
            "For a list that is mostly read with one filter and one sort, a composite index on "
            "(filter column, sort column, id) serves both.",
            "",
            table(("Table", "Columns", "Kind", "Serves"), rows),
        ]
        searched = [e for e in self.domain.entities if e.listing.search and "list" in e.operations]
        if searched:
            parts += [
                "",
                "`q` search is a case-insensitive substring match (`LIKE '%term%'`), which no B-tree "
                "index serves: it scans the rows left by the other filters. For large "
                + join_words(e.title for e in searched)
                + " tables, add a trigram index (PostgreSQL `pg_trgm`) or a search engine.",
            ]
        prefixed = [
            (e, f) for e in self.domain.entities for f in e.fields if f.index and not f.unique and _prefix_indexed(f)
        ]
        if prefixed:
            parts += [
                "",
                "On MariaDB/MySQL the indexes of "
                + join_words(f"{e.title}.{code(f.name)}" for e, f in prefixed)
                + " cover the first 255 characters (long columns cannot be indexed whole).",
            ]
        return "\n".join(parts)

    def _inverse_segment(self, relation: Relation) -> str:
        target = self.entities[relation.target]
        for inverse in target.inverses:
            if inverse.relation == relation.name and inverse.name == relation.inverse:
                return inverse.segment
        return relation.inverse or ""

    def entity_indexes(self, entity: Entity) -> list[tuple[str, str, str, str]]:
        table_name = code(entity.table)
        filters: dict[str, list[str]] = {}
        for flt in entity.listing.filters:
            filters.setdefault(flt.column, []).append(flt.param)
        sort_keys = {key.key for key in entity.listing.sort} if "list" in entity.operations else set()
        if "list" not in entity.operations:
            filters = {}

        def uses(column: str) -> list[str]:
            found = []
            if column in filters:
                found.append("filter " + codes(filters[column]))
            if column in sort_keys:
                found.append(f"sort {code(column)}")
            return found

        rows = [
            (
                table_name,
                code("id"),
                "primary key",
                "lookups by id; the `id` tie-break of every keyset page",
            )
        ]
        for field in entity.fields:
            if not (field.unique or field.index):
                continue
            served = uses(field.name)
            if field.unique:
                rows.append((table_name, code(field.name), "unique", "; ".join(["uniqueness", *served])))
                continue
            if not served:
                served = ["declared `index: true`"]
            rows.append((table_name, code(field.name), "index", "; ".join(served)))
        for relation in entity.relations:
            if relation.fk_name is None:
                continue
            served = uses(relation.fk_name)
            target = self.entities.get(relation.target)
            if relation.inverse and target is not None:
                segment = next(
                    (i.segment for i in target.inverses if i.relation == relation.name and i.source == entity.name),
                    relation.inverse,
                )
                served.append(f"reverse listing `/{target.segment}/{{id}}/{segment}`")
            target_noun = noun_of(target) if target is not None else relation.target
            served.append(f"`{on_delete_sql(relation)}` when {article(target_noun)} {target_noun} is deleted")
            kind = "unique" if relation.kind == "one_to_one" else "index"
            if relation.kind == "one_to_one":
                served.insert(0, "one-to-one uniqueness")
            rows.append((table_name, code(relation.fk_name), kind, "; ".join(served)))
        for group in entity.unique_together:
            rows.append((table_name, codes(group.columns), "unique", "uniqueness of the combination"))
        for column in ("created_at", "updated_at"):
            served = uses(column) or ["sort " + code(column)]
            if "list" not in entity.operations:
                served = ["no list operation: unused by the API"]
            rows.append((table_name, code(column), "index", "; ".join(served)))
        return rows


def _prefix_indexed(field: Field) -> bool:
    return field.type == "text" or (field.max_length or 0) > 768
