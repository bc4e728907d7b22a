"""OpenTelemetry tracing: on only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.

The OpenTelemetry packages are the `otel` extra and are imported only when tracing is on.
"""

from fastapi import FastAPI
from sqlalchemy import Engine

from . import __version__
from .settings import ConfigurationError


def enable_tracing(app: FastAPI, engine: Engine, endpoint: str, service_name: str) -> None:
    """Export a span per request and per SQL statement over OTLP/HTTP.

    The provider is `app.state.tracer_provider`; the app shuts it down (flushing the spans
    still buffered) when it stops.
    """
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:
        raise ConfigurationError(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but the `otel` extra is not installed."
        ) from exc
    resource = Resource.create({"service.name": service_name, "service.version": __version__})
    provider = TracerProvider(resource=resource)
    exporter = OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls="healthz,readyz,metrics"
    )
    # The instrumentation works with SQLAlchemy 2.1 but does not declare it yet.
    SQLAlchemyInstrumentor().instrument(
        engine=engine, tracer_provider=provider, skip_dep_check=True
    )
    app.state.tracer_provider = provider
