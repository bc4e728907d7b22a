"""The operations of each entity: list, create, read, update, delete, and listings by relation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..domain.model import Entity, Filter
from .common import (
    ERRORS,
    JSON,
    MAX_SEARCH_LENGTH,
    MERGE_PATCH,
    SEARCH_PATTERN,
    article,
    code_span,
    join,
    ref,
    schema_ref,
)
from .components import ComponentEmitter


class OperationEmitter(ComponentEmitter):
    """One operation object per entity operation, referring to the shared components."""

    def security(self, scope: str) -> list[dict[str, list[str]]]:
        """The requirement of an operation; empty (explicitly public) for `scheme: none`."""
        if self.scheme_name is None:
            return []
        return [{self.scheme_name: [scope]}]

    def operation(
        self,
        entity: Entity,
        *,
        operation_id: str,
        summary: str,
        description: str,
        scope: str,
        write: bool,
        parameters: list[dict[str, Any]],
        request_body: dict[str, Any] | None,
        responses: dict[str, Any],
        errors: Iterable[int],
    ) -> dict[str, Any]:
        notes = []
        if self.auth.scheme != "none":
            notes.append(f"Requires the scope `{scope}`.")
        budget = entity.rate_limit.write if write else entity.rate_limit.read
        if budget:
            kind = "writes" if write else "reads"
            notes.append(f"Rate limit: {budget} per client for {kind} of this resource.")
        text = " ".join([description, *notes])
        op: dict[str, Any] = {
            "operationId": operation_id,
            "summary": summary,
            "description": text,
            "tags": [entity.name],
        }
        op["security"] = self.security(scope)
        if parameters:
            op["parameters"] = parameters
        if request_body is not None:
            op["requestBody"] = request_body
        statuses = set(errors)
        if self.auth.scheme == "none":
            statuses -= {401, 403}
        for status in sorted(statuses):
            responses[str(status)] = ref("responses", ERRORS[status][0])
        op["responses"] = responses
        return op

    def list_parameters(self, entity: Entity) -> list[dict[str, Any]]:
        options = entity.listing
        params = [self.limit_parameter(entity), ref("parameters", "Cursor")]
        keys = [key.key for key in options.sort]
        sort_values = [value for key in keys for value in (key, f"-{key}")]
        params.append(
            {
                "name": "sort",
                "in": "query",
                "description": "Sort key; a leading `-` sorts in descending order. Ties are "
                "broken by `id`, and null values sort last.",
                "schema": {"type": "string", "enum": sort_values, "default": options.default_sort},
            }
        )
        if options.search:
            fields = join(code_span(name) for name in options.search)
            params.append(
                {
                    "name": "q",
                    "in": "query",
                    "description": f"Case-insensitive substring search over {fields}.",
                    "schema": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": MAX_SEARCH_LENGTH,
                        "pattern": SEARCH_PATTERN,
                    },
                }
            )
        params.extend(self.filter_parameter(entity, f) for f in options.filters)
        return params

    def limit_parameter(self, entity: Entity) -> dict[str, Any]:
        options = entity.listing
        return {
            "name": "limit",
            "in": "query",
            "description": f"Maximum number of items on the page (at most {options.max_page_size}).",
            "schema": {
                "type": "integer",
                "format": "int32",
                "minimum": 1,
                "maximum": options.max_page_size,
                "default": options.page_size,
            },
        }

    def filter_parameter(self, entity: Entity, flt: Filter) -> dict[str, Any]:
        fields = {f.name: f for f in entity.fields}
        field = fields.get(flt.column)
        schema = self.value_schema(field) if field is not None else self.id_schema()
        schema = {k: v for k, v in schema.items() if k not in ("description", "examples", "default")}
        noun = entity.plural.replace("_", " ")
        subject = code_span(flt.column)
        description = {
            "eq": f"Only {noun} whose {subject} equals this value.",
            "gte": f"Only {noun} whose {subject} is at least this value.",
            "lte": f"Only {noun} whose {subject} is at most this value.",
        }[flt.op]
        return {"name": flt.param, "in": "query", "description": description, "schema": schema}

    def list_operation(self, entity: Entity) -> dict[str, Any]:
        noun = entity.plural.replace("_", " ")
        options = entity.listing
        description = (
            f"Returns {noun} one page at a time in `sort` order (default "
            f"`{options.default_sort}`). Pass `next_cursor` as `cursor` for the next page. "
            "Filters combine with AND."
        )
        return self.operation(
            entity,
            operation_id=entity.operation_ids["list"],
            summary=f"List {noun}",
            description=description,
            scope=entity.read_scope,
            write=False,
            parameters=self.list_parameters(entity),
            request_body=None,
            responses={"200": self.page_response(entity, f"A page of {noun}.")},
            errors=(400, 401, 403, 422, 429, 500, 503),
        )

    def page_response(self, entity: Entity, description: str) -> dict[str, Any]:
        return {
            "description": description,
            "headers": self.rate_limit_headers(),
            "content": {JSON: {"schema": schema_ref(entity.page_schema)}},
        }

    def inverse_operation(self, target: Entity, source: Entity, operation_id: str) -> dict[str, Any]:
        noun = source.plural.replace("_", " ")
        one = target.title.lower()
        description = (
            f"Returns the {noun} that refer to the {one} with this id, one page at a time in "
            f"the default order of {noun} (`{source.listing.default_sort}`)."
        )
        return self.operation(
            source,
            operation_id=operation_id,
            summary=f"List the {noun} of {article(one)} {one}",
            description=description,
            scope=source.read_scope,
            write=False,
            parameters=[self.limit_parameter(source), ref("parameters", "Cursor")],
            request_body=None,
            responses={"200": self.page_response(source, f"A page of {noun}.")},
            errors=(400, 401, 403, 404, 422, 429, 500, 503),
        )

    def create_operation(self, entity: Entity) -> dict[str, Any]:
        one = entity.title.lower()
        links = {}
        for operation in ("read", "update", "delete"):
            if operation in entity.operations:
                op_id = entity.operation_ids[operation]
                links[op_id] = {
                    "operationId": op_id,
                    "parameters": {"id": "$response.body#/id"},
                    "description": f"The `id` of the created {one} identifies it in `{op_id}`.",
                }
        response: dict[str, Any] = {
            "description": f"The {one} was created.",
            "headers": {
                "Location": ref("headers", "Location"),
                "ETag": ref("headers", "ETag"),
                "Idempotent-Replayed": ref("headers", "IdempotentReplayed"),
                **self.rate_limit_headers(),
            },
            "content": {JSON: {"schema": schema_ref(entity.name)}},
        }
        if links:
            response["links"] = links
        return self.operation(
            entity,
            operation_id=entity.operation_ids["create"],
            summary=f"Create {article(one)} {one}",
            description=f"Creates {article(one)} {one}. A retry with the same "
            "`Idempotency-Key` and body returns the first response instead of creating "
            "another one.",
            scope=entity.write_scope,
            write=True,
            parameters=[ref("parameters", "IdempotencyKey")],
            request_body={
                "required": True,
                "content": {JSON: {"schema": schema_ref(entity.create_schema)}},
            },
            responses={"201": response},
            errors=(400, 401, 403, 409, 413, 415, 422, 429, 500, 503),
        )

    def read_operation(self, entity: Entity) -> dict[str, Any]:
        one = entity.title.lower()
        return self.operation(
            entity,
            operation_id=entity.operation_ids["read"],
            summary=f"Get {article(one)} {one}",
            description=f"Returns the {one} with this id; its `ETag` is the current version.",
            scope=entity.read_scope,
            write=False,
            parameters=[],
            request_body=None,
            responses={"200": self.item_response(entity, f"The {one}.")},
            errors=(400, 401, 403, 404, 422, 429, 500, 503),
        )

    def item_response(self, entity: Entity, description: str) -> dict[str, Any]:
        return {
            "description": description,
            "headers": {"ETag": ref("headers", "ETag"), **self.rate_limit_headers()},
            "content": {JSON: {"schema": schema_ref(entity.name)}},
        }

    def update_operation(self, entity: Entity) -> dict[str, Any]:
        one = entity.title.lower()
        body = {"schema": schema_ref(entity.update_schema)}
        return self.operation(
            entity,
            operation_id=entity.operation_ids["update"],
            summary=f"Update {article(one)} {one}",
            description=f"Changes the {one} as a JSON merge patch (RFC 7396): members "
            "present in the body are set (null clears a nullable value), absent members stay "
            "unchanged, and a list of ids replaces the whole list. With `If-Match` the change "
            "is applied only to that version.",
            scope=entity.write_scope,
            write=True,
            parameters=[ref("parameters", "IfMatch")],
            request_body={"required": True, "content": {MERGE_PATCH: body, JSON: dict(body)}},
            responses={"200": self.item_response(entity, f"The updated {one}.")},
            errors=(400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 500, 503),
        )

    def delete_operation(self, entity: Entity) -> dict[str, Any]:
        one = entity.title.lower()
        errors = [400, 401, 403, 404, 422, 429, 500, 503]
        description = f"Deletes the {one} with this id."
        if entity.name in self.restricted:
            errors.append(409)
            description += (
                f" {article(one).capitalize()} {one} that other resources still refer to is not deleted (409)."
            )
        return self.operation(
            entity,
            operation_id=entity.operation_ids["delete"],
            summary=f"Delete {article(one)} {one}",
            description=description,
            scope=entity.write_scope,
            write=True,
            parameters=[],
            request_body=None,
            responses={
                "204": {
                    "description": f"The {one} was deleted.",
                    "headers": self.rate_limit_headers(),
                }
            },
            errors=errors,
        )
