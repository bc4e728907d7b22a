{% set service = cookiecutter._domain.service %}
{% set scheme = cookiecutter._domain.auth.scheme %}
"""The application factory: `create_app()` wires settings, database, middleware and routes."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import anyio.to_thread
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from . import __version__
from .api.routes import api_router
from .api.system import docs_router
from .api.system import router as system_router
{% if scheme != "none" %}
from .auth import Authenticator
{% endif %}
from .db import create_db_engine
from .errors import install_error_handlers
from .idempotency import sweep_periodically
from .logging import configure_logging
from .metrics import Metrics
from .middleware import BodyLimitMiddleware, RequestContextMiddleware
from .ratelimit import Buckets, MemoryBuckets, RateLimiter, RateLimitMiddleware, RedisBuckets
from .settings import Settings, get_settings
from .tracing import enable_tracing

BASE_PATH = "{{ service.base_path }}"
# Response headers a browser client may read (CORS hides all but a few otherwise).
CORS_EXPOSED_HEADERS = [
    "ETag",
    "Location",
    "Retry-After",
    "X-Request-ID",
    "Idempotent-Replayed",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
{% if scheme != "none" %}
    authenticator = Authenticator(settings)
{% endif %}
    engine = create_db_engine(settings)
    metrics = Metrics(engine)
    limiter = _rate_limiter(settings, metrics) if settings.rate_limit_enabled else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Worker threads for at least every request that may hold a connection (see db.py).
        threads = anyio.to_thread.current_default_thread_limiter()
        threads.total_tokens = max(threads.total_tokens, settings.pool_capacity)
        async with anyio.create_task_group() as background:
            if settings.idempotency_sweep_interval_seconds:
                background.start_soon(sweep_periodically, engine, settings)
            yield
            background.cancel_scope.cancel()
        if limiter is not None:
            await limiter.close()
        if tracer_provider := getattr(app.state, "tracer_provider", None):
            await anyio.to_thread.run_sync(tracer_provider.shutdown)
        engine.dispose()
        app.state.probe_engine.dispose()

    app = FastAPI(
        title={{ service.title | py }},
        version=__version__,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.probe_engine = create_db_engine(settings, pooled=False)
    app.state.db_slots = anyio.Semaphore(settings.pool_capacity)
    app.state.metrics = metrics
{% if scheme != "none" %}
    app.state.authenticator = authenticator
{% endif %}
    install_error_handlers(app)
    app.include_router(system_router)
    if settings.docs_served:
        app.include_router(docs_router)
    app.include_router(api_router, prefix=BASE_PATH)
    # Added innermost first: the request context wraps everything, including 429 and 413.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if limiter is not None:
        app.add_middleware(RateLimitMiddleware, limiter=limiter, base_path=BASE_PATH)
    if settings.cors_allowed_origins:
        # Outside the limiter and the routes (a preflight is answered here, and errors carry
        # the CORS headers too), inside the request context (every request is logged).
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allowed_origins,
            allow_methods=settings.cors_allowed_methods,
            allow_headers=settings.cors_allowed_headers,
            allow_credentials=settings.cors_allow_credentials,
            expose_headers=CORS_EXPOSED_HEADERS,
            max_age=settings.cors_max_age,
        )
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    if endpoint := settings.otel_exporter_otlp_endpoint:
        enable_tracing(app, engine, endpoint, settings.otel_service_name)
    return app


def _rate_limiter(settings: Settings, metrics: Metrics) -> RateLimiter:
    buckets: Buckets = (
        RedisBuckets(settings.redis_url.get_secret_value(), prefix="{{ service.name }}:ratelimit:")
        if settings.redis_url is not None
        else MemoryBuckets()
    )
    return RateLimiter(settings.rate_limit_read, settings.rate_limit_write, buckets, metrics)
