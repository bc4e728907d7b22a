"""Section 2 of the design document: endpoints, errors, lists, idempotency, concurrency, rate limits."""

from __future__ import annotations

from . import facts
from .context import Context, noun_of, plural_noun
from .markdown import code, codes, table


class ApiSections(Context):
    """Section 2: the API."""

    def api(self) -> str:
        return "\n\n".join(
            [
                "## 2. API",
                self.endpoint_table(),
                self.error_catalogue(),
                self.listing_rules(),
                self.concurrency(),
                self.rate_limits(),
            ]
        )

    def endpoint_table(self) -> str:
        rows = []
        for endpoint in self.endpoints:
            scope = codes(endpoint.scopes) if endpoint.scopes else "public"
            rows.append(
                (
                    endpoint.method,
                    code(endpoint.path),
                    code(endpoint.operation_id),
                    scope,
                    ", ".join(str(s) for s in endpoint.success),
                    ", ".join(str(s) for s in endpoint.errors),
                )
            )
        base = self.service.base_path
        intro = (
            f"Every operation of the contract, with its path on the host: the API under {code(base)}, "
            "the probes and metrics at the root. Error statuses are those the contract declares; "
            "their `code` values are in 2.2. Besides these, any path answers "
            "`405 method_not_allowed` for a method it does not serve and an unknown path "
            "`404 not_found`. The running service also serves the contract at `/openapi.json` "
            "and Swagger UI at `/docs`."
        )
        if self.scheme == "none":
            intro += " The API has no authentication: every operation is public."
        return "\n".join(
            [
                "### 2.1 Endpoints",
                "",
                intro,
                "",
                table(("Method", "Path", "Operation", "Scope", "Success", "Errors"), rows),
            ]
        )

    def error_catalogue(self) -> str:
        has_unique = bool(self.unique_constraints())
        has_creates = any("create" in e.operations for e in self.domain.entities)
        has_writes_with_refs = bool(self.to_one or self.many)
        entries: list[tuple[str, int, str, str]] = [
            (
                "malformed_request",
                400,
                "The body is not valid JSON, or a header is malformed.",
                "Fix the request; retrying it unchanged fails again.",
            ),
            (
                "unauthorized",
                401,
                "Credentials missing, malformed, expired or invalid; `WWW-Authenticate` names the scheme.",
                "Obtain valid credentials, then retry.",
            ),
            (
                "forbidden",
                403,
                "The credentials lack the operation's scope.",
                "Use credentials that hold the scope; do not retry.",
            ),
            (
                "not_found",
                404,
                "No resource with this id (or no route at this path).",
                "Do not retry; after a `DELETE` retry it means the delete had succeeded.",
            ),
            (
                "method_not_allowed",
                405,
                "The path does not serve this method (not listed per operation in the contract).",
                "Fix the client.",
            ),
        ]
        if has_unique:
            entries.append(
                (
                    "unique_violation",
                    409,
                    "A unique value (or combination) is already taken.",
                    "Choose another value, or read the existing resource.",
                )
            )
        if has_writes_with_refs:
            entries.append(
                (
                    "foreign_key_violation",
                    409,
                    "A referenced row was deleted while the request was being handled.",
                    "Re-read the referenced resources; retry with ids that exist.",
                )
            )
        if self.restricted:
            entries.append(
                (
                    "still_referenced",
                    409,
                    "A delete of a row that `restrict` relations still refer to.",
                    "Delete or re-point the referring resources first.",
                )
            )
        if has_creates:
            entries.append(
                (
                    "idempotency_key_reused",
                    409,
                    "An `Idempotency-Key` already used"
                    + (" by this principal" if self.scheme != "none" else "")
                    + " for a different request.",
                    "Use a new key for a new request.",
                )
            )
        entries += [
            (
                "conflict",
                409,
                "An update without `If-Match` raced with another change of the same resource, or "
                "another integrity constraint refused the write.",
                "Retry the update (it applies to the new version), or re-read first.",
            ),
            (
                "precondition_failed",
                412,
                "`If-Match` does not match the current `ETag`; the response carries the current one.",
                "Re-read, re-apply the change, retry with the new `ETag`.",
            ),
            (
                "payload_too_large",
                413,
                f"The body exceeds `MAX_BODY_BYTES` (default {facts.MAX_BODY_BYTES} bytes).",
                "Send less; do not retry unchanged.",
            ),
            (
                "unsupported_media_type",
                415,
                "The body is not `application/json` (`PATCH` also takes `application/merge-patch+json`).",
                "Fix the `Content-Type`.",
            ),
            (
                "validation_failed",
                422,
                "The request does not match the contract, refers to ids that do not exist, or "
                "carries a cursor, sort or filter value the service did not issue or does not accept.",
                "Fix the values at the `errors[].pointer`s; do not retry unchanged.",
            ),
            (
                "rate_limited",
                429,
                "The caller's read or write budget is spent.",
                "Wait `Retry-After` seconds, then retry.",
            ),
            (
                "internal_error",
                500,
                "An unexpected error; nothing internal is disclosed, the log line has the `request_id`.",
                "Retry only safe or idempotent requests, with backoff; report the `request_id`.",
            ),
            (
                "service_unavailable",
                503,
                "The database is unreachable or no pooled connection became free in time.",
                "Retry after `Retry-After` seconds, with backoff.",
            ),
        ]
        present = self.statuses | {405}
        rows = [(code(name), str(status), meaning, action) for name, status, meaning, action in entries]
        rows = [row for row in rows if int(row[1]) in present]
        return "\n".join(
            [
                "### 2.2 Error catalogue",
                "",
                "Every error is an RFC 9457 `application/problem+json` document with `type`, `title`, "
                "`status`, `detail`, `instance` (the request path), `code` and `request_id` (also "
                "the `X-Request-ID` response header). Validation problems add `errors: [{pointer, "
                "message, code}]`: pointers into the JSON body (`/title`), or `/query/<name>`, "
                "`/header/<name>`, `/path/<name>` for parameters. Clients branch on `code`, never "
                "on `title` or `detail`.",
                "",
                table(("Code", "Status", "Meaning", "Client action"), rows),
            ]
        )

    def listing_rules(self) -> str:
        listed = [e for e in self.domain.entities if "list" in e.operations]
        parts = [
            "### 2.3 Pagination, filtering and sorting",
            "",
            "- **Pagination** is keyset (cursor) based: a page is `{items, next_cursor}`; pass "
            "`next_cursor` as `cursor` for the next page, `next_cursor` is null on the last one. "
            "`limit` sets the page size up to the resource's maximum. Rows are ordered by the "
            "sort column, then by `id` in the same direction, with nulls last in both directions, "
            "so the order is total: pages neither skip nor repeat rows when rows are inserted or "
            "deleted between requests, and reading a page costs the same at any depth.",
            "- A cursor is opaque (base64url of the sort, the last row's sort value and id) and "
            "valid only with the sort it was issued for; a cursor of another sort, or not issued "
            "by the service, is a 422. Clients keep the filters unchanged while following cursors.",
            "- **Sorting**: `sort` takes one key, `-key` for descending; `created_at` and "
            "`updated_at` are always allowed.",
            "- **Filtering**: a filter parameter named like a field is an equality test (a to-one "
            "relation is filtered by its foreign key" + self.fk_filter_example() + "); `<name>_min` and "
            "`<name>_max` are inclusive bounds on numbers, decimals, dates and datetimes. Filters "
            "combine with AND.",
            "- **Search**: `q` is a case-insensitive substring match, OR-ed over the searched fields.",
        ]
        if listed:
            rows = []
            for entity in listed:
                options = entity.listing
                rows.append(
                    (
                        code("/" + entity.segment),
                        f"{options.page_size} / {options.max_page_size}",
                        codes(key.key for key in options.sort),
                        code(options.default_sort),
                        codes(dict.fromkeys(f.param for f in options.filters)) or "none",
                        codes(options.search) or "none",
                    )
                )
            parts += [
                "",
                table(("List", "Page size (default / max)", "Sort keys", "Default sort", "Filters", "`q` on"), rows),
            ]
        inverse_rows = []
        for entity in self.domain.entities:
            for inverse in entity.inverses:
                source = self.entities[inverse.source]
                inverse_rows.append(
                    (
                        code(f"/{entity.segment}/{{id}}/{inverse.segment}"),
                        f"{plural_noun(source).capitalize()} whose {code(inverse.relation)} "
                        + ("include" if inverse.kind == "many_to_many" else "is")
                        + f" the {noun_of(entity)}",
                        code(source.listing.default_sort),
                        f"{source.listing.page_size} / {source.listing.max_page_size}",
                    )
                )
        if inverse_rows:
            parts += [
                "",
                "Reverse listings take `limit` and `cursor` only; they list in the related "
                "resource's default order and answer 404 when the parent does not exist.",
                "",
                table(("Reverse listing", "Lists", "Order", "Page size (default / max)"), inverse_rows),
            ]
        return "\n".join(parts)

    def fk_filter_example(self) -> str:
        for entity in self.domain.entities:
            for flt in entity.listing.filters:
                if any(r.fk_name == flt.column for r in entity.relations):
                    return f", e.g. {code(flt.param)} on {code('/' + entity.segment)}"
        return ""

    def concurrency(self) -> str:
        creates = [e for e in self.domain.entities if "create" in e.operations]
        updates = [e for e in self.domain.entities if "update" in e.operations]
        parts = ["### 2.4 Idempotency and concurrency", ""]
        if creates:
            parts.append(
                "- **Create** (`POST`) honours `Idempotency-Key` (1-255 visible ASCII characters, "
                "e.g. a UUID). The key is claimed in `idempotency_records` (unique per principal "
                "and key) in the same transaction that inserts the resource: a retry with the same "
                "key and the same method, path and body gets the first response again (same "
                "status, body and `Location`, plus `Idempotent-Replayed: true`) and no second row; "
                "of two concurrent requests with one key, one creates and the other replays. The "
                "same key with a different request is `409 idempotency_key_reused`. "
                + (
                    "Keys are scoped to the principal. "
                    if self.scheme != "none"
                    else "Without authentication all callers share one key space: clients must "
                    "use unique keys such as UUIDs. "
                )
                + "A record is kept for `IDEMPOTENCY_RETENTION_HOURS` (24 by default); after "
                "that its key may be used again. Every `IDEMPOTENCY_SWEEP_INTERVAL_SECONDS` (600 "
                "by default; 0 turns it off) each replica deletes the expired records, 1,000 a "
                "transaction (`created_at` is indexed), so the table holds about one retention "
                "period of creates. Without a key a retried `POST` may create a second resource."
            )
        if updates:
            parts.append(
                "- **Update** (`PATCH`) is a JSON merge patch (RFC 7396): present members are set, "
                "`null` clears a nullable value, absent members are unchanged, and an id list "
                'replaces the whole list. Every read and write returns `ETag: "<version>"`; with '
                "`If-Match` the update applies only to that version, otherwise `412 "
                "precondition_failed` (optimistic concurrency; the 412 carries the current `ETag`). "
                "Without `If-Match` (or with `If-Match: *`) the update applies to the current "
                "version, so the last write wins. Either way the write is a compare-and-set on the "
                "version that was read: an update that races with another between its read and "
                "its write changes nothing and gets `412` (with `If-Match`) or `409 conflict` "
                "(without), never a lost update."
            )
        parts.append(
            "- **Delete** takes no precondition: deleting twice answers 204, then 404. Reads are "
            "safe and never change `version`."
        )
        parts.append(
            "- Each request runs in one database transaction: a failed request writes nothing, "
            "and a many-to-many list is replaced together with the row."
        )
        return "\n".join(parts)

    def rate_limits(self) -> str:
        principal = {
            "jwt": "the token's `sub`",
            "api_key": "the API key (its fingerprint)",
            "none": "the client address",
        }[self.scheme]
        if self.scheme != "none":
            principal += "; requests without valid credentials are counted by client address"
        parts = [
            "### 2.5 Rate limits",
            "",
            f"Token buckets per principal ({principal}), with separate budgets for reads "
            f"(`GET`, `HEAD`, `OPTIONS`: `RATE_LIMIT_READ`, default {facts.RATE_LIMIT_READ}) and "
            f"writes (`RATE_LIMIT_WRITE`, default {facts.RATE_LIMIT_WRITE}), shared by every "
            "resource without a budget of its own. A bucket of N per period holds N tokens and "
            "refills continuously. Every response under the base path carries `RateLimit-Limit`, "
            "`RateLimit-Remaining` and `RateLimit-Reset` (seconds until the bucket is full); over "
            "budget the answer is `429 rate_limited` with `Retry-After`. The probes and `/metrics` "
            "are not limited. Behind a proxy, set `FORWARDED_ALLOW_IPS` so that client addresses "
            "are the callers', not the proxy's.",
        ]
        own = [e for e in self.domain.entities if e.rate_limit.read or e.rate_limit.write]
        if own:
            rows = [
                (
                    code("/" + e.segment),
                    e.rate_limit.read or "the service's read budget",
                    e.rate_limit.write or "the service's write budget",
                )
                for e in own
            ]
            parts += [
                "",
                "Resources with budgets of their own (declared in the domain, in buckets of their "
                "own). A budget covers every path under the resource's segment, reverse listings "
                "included.",
                "",
                table(("Resource", "Reads", "Writes"), rows),
            ]
        return "\n".join(parts)
