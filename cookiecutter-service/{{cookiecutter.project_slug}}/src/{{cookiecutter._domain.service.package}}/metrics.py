{% set service = cookiecutter._domain.service %}
"""Prometheus metrics of one application instance, served at `/metrics`."""

import platform
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

SERVICE_NAME = "{{ service.name }}"
SERVICE_VERSION = "{{ service.version }}"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class PoolCollector(Collector):
    """Connection pool figures, read when Prometheus scrapes."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def collect(self) -> Iterator[Metric]:
        pool = self._engine.pool
        if not isinstance(pool, QueuePool):
            return
        figures = {
            "db_pool_size": ("Connections the pool keeps open.", pool.size()),
            "db_pool_checked_out": ("Connections in use by requests.", pool.checkedout()),
            "db_pool_checked_in": ("Idle connections in the pool.", pool.checkedin()),
            "db_pool_overflow": ("Connections open beyond the pool size.", max(0, pool.overflow())),
        }
        for name, (documentation, value) in figures.items():
            yield GaugeMetricFamily(name, documentation, value=value)


class Metrics:
    def __init__(self, engine: Engine) -> None:
        self.registry = CollectorRegistry()
        labels = ("method", "route", "status")
        self.requests = Counter(
            "http_requests_total", "HTTP requests answered.", labels, registry=self.registry
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time from receiving a request to sending its last byte.",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "http_requests_in_flight", "HTTP requests being handled.", registry=self.registry
        )
        self.ratelimit_rejections = Counter(
            "ratelimit_rejections_total",
            "Requests refused with 429, by budget kind.",
            ("kind",),
            registry=self.registry,
        )
        self.ratelimit_store_errors = Counter(
            "ratelimit_store_errors_total",
            "Requests let through because the rate limit store was unreachable.",
            registry=self.registry,
        )
        build = Info("service_build", "Version of the running service.", registry=self.registry)
        build.info(
            {
                "service": SERVICE_NAME,
                "version": SERVICE_VERSION,
                "python": platform.python_version(),
            }
        )
        self.registry.register(PoolCollector(engine))
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            values = (method, route, str(status))
            children = (self.requests.labels(*values), self.latency.labels(*values))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)
