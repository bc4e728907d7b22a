"""Sections 3 and 4 of the design document: failure modes and recovery, performance and scaling."""

from __future__ import annotations

from . import facts
from .context import article, noun_of, plural_noun
from .indexes import IndexSections
from .markdown import code, join_words, table


class OperationsSections(IndexSections):
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
