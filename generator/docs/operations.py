"""Sections 3 and 4 of the design document: failure modes and recovery, performance and scaling."""

from __future__ import annotations

from ..model import Entity, Field, Relation
from . import facts
from .context import Context, article, noun_of, on_delete_sql, plural_noun
from .markdown import code, codes, join_words, table


class OperationsSections(Context):
    """Section 3: failure modes and recovery; section 4: performance and scaling."""

    def failure_modes(self) -> str:
        rows = [
            (
                "Database unreachable or overloaded",
                "Requests that need it answer `503 service_unavailable`: with "
                f"`Retry-After: {facts.RETRY_AFTER_UNAVAILABLE}` when the database refuses or drops "
                f"connections, with `Retry-After: {facts.RETRY_AFTER_BUSY}` when every connection "
                f"stayed busy for `DB_POOL_TIMEOUT` ({facts.DB_POOL_TIMEOUT_SECONDS} s). `/readyz` answers "
                f"503 (it runs `SELECT 1` with a {facts.READINESS_TIMEOUT_SECONDS} s timeout), so "
                "the pod leaves the Service's endpoints; `/healthz` stays 200, so it is not restarted.",
                "Automatic: pre-ping discards dead pooled connections and new ones are opened when "
                "the database is back; readiness returns traffic. Nothing is cached, nothing to replay.",
            ),
            (
                "Duplicate create (client retry after a timeout)",
                "With the same `Idempotency-Key`: the first response is replayed, one row exists. "
                "Without a key: a second row, unless a unique constraint refuses it "
                "(`409 unique_violation`).",
                "Clients send an `Idempotency-Key` on every `POST` they may retry.",
            ),
            (
                "Concurrent updates of one resource",
                "The update with a stale `If-Match` gets `412 precondition_failed`; without "
                "`If-Match` the later write wins, and one that races with another between read "
                "and write gets `409 conflict`. No update is lost silently.",
                "Re-read (new `ETag`), re-apply the change, send it again.",
            ),
            (
                "Unique value taken",
                "`409 unique_violation`; nothing is written.",
                "Not retryable unchanged.",
            ),
        ]
        if self.restricted:
            cases = join_words(
                f"{article(noun_of(self.entities[r.target]))} {noun_of(self.entities[r.target])} "
                f"that {plural_noun(e)} refer to ({code(e.name + '.' + r.name)})"
                for e, r in self.restricted
                if r.target in self.entities
            )
            rows.append(
                (
                    "Deleting a referenced row",
                    f"Deleting {cases}: `409 still_referenced`; nothing is deleted.",
                    "Delete or re-point the referring rows first.",
                )
            )
        rows += [
            (
                "Rate limit exceeded",
                "`429 rate_limited` with `Retry-After` and the `RateLimit-*` headers; the request is not processed.",
                "Wait `Retry-After` seconds. Raise the budget with `RATE_LIMIT_READ`/`RATE_LIMIT_WRITE` "
                "if legitimate traffic is refused (`ratelimit_rejections_total`).",
            ),
            (
                "Redis (shared rate limits) unreachable",
                "Fail open: requests are served without a limit, each failure is logged and "
                "counted in `ratelimit_store_errors_total`, and Redis is not tried again for "
                f"{facts.REDIS_RETRY_AFTER_FAILURE} s. Never a 5xx.",
                "Restore Redis; the `RateLimitStoreDown` alert fires meanwhile.",
            ),
            (
                "Bad input",
                "`422 validation_failed` with a pointer per invalid value; `400 malformed_request` "
                "for a body that is not JSON; `413` for a body over `MAX_BODY_BYTES`. Nothing is written.",
                "Fix the request; retrying it unchanged fails the same way.",
            ),
            (
                "Unexpected error",
                "`500 internal_error` with the `request_id`; the traceback goes to the log, never "
                "to the client; the transaction is rolled back.",
                "Find the log line by `request_id`.",
            ),
            (
                "Shutdown or rolling update",
                f"On SIGTERM the pod is first removed from the endpoints (`preStop` sleep "
                f"{facts.PRESTOP_SLEEP_SECONDS} s), then the server stops accepting connections "
                f"and in-flight requests get `GRACEFUL_SHUTDOWN_TIMEOUT` ({facts.GRACEFUL_SHUTDOWN_TIMEOUT} s) "
                f"to finish, within the pod's {facts.TERMINATION_GRACE_SECONDS} s grace period.",
                "None; clients retry connection errors as below.",
            ),
            (
                "Unsafe configuration",
                self.startup_refusal(),
                "Set the missing variables (see 5.3).",
            ),
        ]
        return "\n".join(
            [
                "## 3. Failure modes and recovery",
                "",
                table(("Situation", "What the service does", "Recovery"), rows),
                "",
                self.retry_guidance(),
            ]
        )

    def startup_refusal(self) -> str:
        if self.scheme == "jwt":
            return (
                "The service refuses to start without `JWT_SECRET` (at least 32 bytes) or "
                "`JWT_PUBLIC_KEY`, unless `ENVIRONMENT=development`, where a generated development "
                "secret is used with a warning."
            )
        if self.scheme == "api_key":
            return "With an empty `API_KEYS` the service starts but refuses every API request (401), with a warning."
        return "Invalid settings (e.g. a malformed rate) stop the service at start with a message."

    def retry_guidance(self) -> str:
        rows = [
            ("`GET` (list, read, reverse listings)", "yes", "Safe: reads change nothing."),
            (
                "`POST` (create)",
                "with `Idempotency-Key`",
                "Reuse the same key and the same body for every retry of one logical create.",
            ),
            (
                "`PATCH` (update)",
                "with `If-Match`",
                "A merge patch sets absolute values, so repeating it gives the same state; with "
                "`If-Match`, a retry of an update that was applied gets 412: re-read and compare "
                "before re-applying.",
            ),
            ("`DELETE`", "yes", "A 404 on a retry means the first attempt deleted the resource."),
        ]
        return "\n".join(
            [
                "### 3.1 Client retries",
                "",
                "Retry on connection errors, `429` and `503` (after `Retry-After`), and on `500` "
                "only for the requests below that are safe to repeat, with exponential backoff "
                "and jitter and a bounded number of attempts. Never retry other 4xx answers "
                "unchanged.",
                "",
                table(("Request", "Safe to retry", "How"), rows),
            ]
        )

    def performance(self) -> str:
        return "\n\n".join(
            [
                "## 4. Performance and scaling",
                self.index_table(),
                self.statelessness(),
                self.pool_sizing(),
                self.kubernetes(),
            ]
        )

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

    def statelessness(self) -> str:
        shared = [
            "- **The database** (`DATABASE_URL`): all resources and the idempotency records. "
            "SQLite is a local file and allows one replica only; use PostgreSQL or MariaDB/MySQL "
            "for more.",
            "- **Redis** (`REDIS_URL`) for the rate limit buckets: one atomic Lua script per "
            "request on the Redis server's clock. Without it each replica counts on its own, so "
            "a client may get up to N times the budget from N replicas.",
        ]
        if self.scheme == "jwt":
            shared.append(
                "- **The same `JWT_SECRET` or `JWT_PUBLIC_KEY`**: tokens are verified locally, "
                "without a call to another service. The development secret file is per working "
                "directory and must not be used with more than one replica."
            )
        elif self.scheme == "api_key":
            shared.append("- **The same `API_KEYS`**: keys are checked locally, without a call to another service.")
        shared.append(
            "- **Schema migrations** run once per release (`python -m "
            f"{self.service.package} migrate`, the migration Job), never at replica start."
        )
        return "\n".join(
            [
                "### 4.2 State and replicas",
                "",
                "The service keeps no state between requests: any replica can answer any request, "
                "and replicas are added or removed freely. What replicas share:",
                "",
                *shared,
            ]
        )

    def pool_sizing(self) -> str:
        per_replica = facts.DB_POOL_SIZE + facts.DB_MAX_OVERFLOW
        peak = per_replica * facts.HPA_MAX_REPLICAS
        return "\n".join(
            [
                "### 4.3 Connection pool and threads",
                "",
                f"Each replica keeps up to `DB_POOL_SIZE` ({facts.DB_POOL_SIZE}) connections open and "
                f"opens up to `DB_MAX_OVERFLOW` ({facts.DB_MAX_OVERFLOW}) more under load, so at most "
                f"{per_replica} requests use the database at once. Endpoints are synchronous and run "
                "in worker threads; before it gets a session, a request takes one of those "
                f"{per_replica} slots while waiting in the event loop, not in a thread. No thread "
                "ever waits for a pooled connection, and a request that holds a connection always "
                "finds a thread to finish on: the stall in which every thread waits for a connection "
                "held by requests that wait for a thread cannot happen. A request that gets no slot "
                f"within `DB_POOL_TIMEOUT` ({facts.DB_POOL_TIMEOUT_SECONDS} s) is answered 503. The "
                "worker thread limit is at least the slot count. Connections are checked before use "
                f"(`DB_POOL_PRE_PING`) and recycled after {facts.DB_POOL_RECYCLE_SECONDS} s on "
                "database servers.",
                "",
                f"Size the database for the autoscaler's maximum: {facts.HPA_MAX_REPLICAS} replicas "
                f"x {per_replica} = {peak} connections at the defaults, against PostgreSQL's default "
                f"`max_connections` of {facts.POSTGRES_DEFAULT_MAX_CONNECTIONS}. Lower the pool per "
                "replica, raise `max_connections`, or put a pooler (PgBouncer in transaction mode) "
                "in between. The `DatabasePoolSaturated` alert and the `db_pool_*` metrics show "
                "when a replica runs out of pooled connections.",
                "",
                f"On SQLite the database is a file in WAL mode with a {facts.SQLITE_BUSY_TIMEOUT_MS // 1000} s "
                "busy timeout: concurrent writers queue on one lock.",
            ]
        )

    def kubernetes(self) -> str:
        name = self.service.name
        rows = [
            (
                "`deploy/k8s/deployment.yaml`",
                f"`replicas: {facts.K8S_REPLICAS}`; rolling update `maxSurge: 1`, `maxUnavailable: 0`; "
                f"requests `cpu: {facts.CPU_REQUEST}`, `memory: {facts.MEMORY_REQUEST}`, limit "
                f"`memory: {facts.MEMORY_LIMIT}` (no CPU limit, no throttling); probes `/healthz` "
                "(liveness, startup) and `/readyz` (readiness); "
                f"`terminationGracePeriodSeconds: {facts.TERMINATION_GRACE_SECONDS}`.",
            ),
            (
                "`deploy/k8s/hpa.yaml`",
                f"{facts.HPA_MIN_REPLICAS} to {facts.HPA_MAX_REPLICAS} replicas at "
                f"{facts.HPA_CPU_UTILIZATION}% average CPU; scale-down stabilised over "
                f"{facts.HPA_SCALE_DOWN_WINDOW_SECONDS} s. `maxReplicas` bounds the database "
                "connections (4.3).",
            ),
            (
                "`deploy/k8s/configmap.yaml`",
                "`DB_POOL_SIZE`, `DB_MAX_OVERFLOW`, `RATE_LIMIT_READ`, `RATE_LIMIT_WRITE`, "
                "`MAX_BODY_BYTES`, `GRACEFUL_SHUTDOWN_TIMEOUT`, `LOG_LEVEL`.",
            ),
            (
                "`deploy/k8s/migration-job.yaml`",
                "Runs the migrations before a rollout.",
            ),
            (
                "Secret " + code(f"{name}-secrets"),
                "Created outside the repository (5.3); `REDIS_URL` in it is optional, but without it "
                "rate limits are per replica.",
            ),
        ]
        return "\n".join(
            [
                "### 4.4 Kubernetes knobs",
                "",
                table(("Where", "Knob"), rows),
            ]
        )


def _prefix_indexed(field: Field) -> bool:
    return field.type == "text" or (field.max_length or 0) > 768
