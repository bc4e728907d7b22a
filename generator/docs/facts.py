"""Facts about the service template that the design document states.

They describe `cookiecutter-service/` (settings defaults, metric names, alert rules, the
Kubernetes manifests). `tests/test_design_doc.py` reads the template and fails when one of
these no longer matches it, so the document cannot silently drift from the code it describes.
"""

from __future__ import annotations

# settings.py defaults (environment variable -> default as documented)
DB_POOL_SIZE = 10
DB_MAX_OVERFLOW = 10
DB_POOL_TIMEOUT_SECONDS = 10
DB_POOL_RECYCLE_SECONDS = 1800
RATE_LIMIT_READ = "600/minute"
RATE_LIMIT_WRITE = "120/minute"
MAX_BODY_BYTES = 1_048_576
GRACEFUL_SHUTDOWN_TIMEOUT = 25
READINESS_TIMEOUT_SECONDS = 2
RETRY_AFTER_UNAVAILABLE = 5  # Retry-After of a 503 when the database is unreachable
RETRY_AFTER_BUSY = 1  # Retry-After of a 503 when no database slot became free in time
REDIS_RETRY_AFTER_FAILURE = 5  # seconds the limiter stops trying an unreachable Redis
SQLITE_BUSY_TIMEOUT_MS = 5000
POSTGRES_DEFAULT_MAX_CONNECTIONS = 100
# _columns.jinja: enum columns are strings with a CHECK constraint (not native enum types)
ENUM_CHECK_CONSTRAINTS = True  # PostgreSQL's own default, for the sizing example

# metrics.py: (name, type, labels, meaning)
METRICS: tuple[tuple[str, str, str, str], ...] = (
    ("http_requests_total", "counter", "method, route, status", "Requests answered."),
    (
        "http_request_duration_seconds",
        "histogram",
        "method, route, status",
        "Time from receiving a request to sending its last byte (buckets 5 ms to 10 s).",
    ),
    ("http_requests_in_flight", "gauge", "", "Requests being handled."),
    ("db_pool_size", "gauge", "", "Connections the pool keeps open."),
    ("db_pool_checked_out", "gauge", "", "Connections in use by requests."),
    ("db_pool_checked_in", "gauge", "", "Idle connections in the pool."),
    ("db_pool_overflow", "gauge", "", "Connections open beyond the pool size."),
    ("ratelimit_rejections_total", "counter", "kind", "Requests refused with 429, by budget (`read`, `write`)."),
    (
        "ratelimit_store_errors_total",
        "counter",
        "",
        "Requests let through because Redis was unreachable (fail open).",
    ),
    ("service_build_info", "info", "service, version, python", "Version of the running service."),
)

# deploy/prometheus/alerts.yaml: (name suffix after the service prefix, for, severity, condition)
ALERTS: tuple[tuple[str, str, str, str], ...] = (
    ("HighErrorRate", "10m", "page", "more than 5% of requests answered 5xx over 5 minutes"),
    ("HighLatency", "10m", "page", "99th percentile latency above 1 s over 5 minutes"),
    (
        "RateLimitStoreDown",
        "5m",
        "ticket",
        "`ratelimit_store_errors_total` increasing: Redis unreachable, budgets not shared",
    ),
    (
        "DatabasePoolSaturated",
        "5m",
        "ticket",
        "`db_pool_checked_out` at or above `db_pool_size`: requests use overflow connections",
    ),
    ("Down", "2m", "page", "an instance does not answer Prometheus scrapes (`up == 0`)"),
)

# deploy/k8s/
K8S_REPLICAS = 2
HPA_MIN_REPLICAS = 2
HPA_MAX_REPLICAS = 10
HPA_CPU_UTILIZATION = 70
HPA_SCALE_DOWN_WINDOW_SECONDS = 300
CPU_REQUEST = "250m"
MEMORY_REQUEST = "256Mi"
MEMORY_LIMIT = "512Mi"
TERMINATION_GRACE_SECONDS = 40
PRESTOP_SLEEP_SECONDS = 5
CONTAINER_PORT = 8000
RUN_AS_USER = 10001
