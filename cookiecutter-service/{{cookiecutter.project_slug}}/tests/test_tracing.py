"""Tracing is off by default; with an OTLP endpoint, requests and SQL statements are spans."""

from collections.abc import Sequence

import pytest
from fastapi.testclient import TestClient
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from conftest import PROBE_PATH, ClientFactory


def test_tracing_is_off_without_an_endpoint(client: TestClient) -> None:
    assert not hasattr(client.app.state, "tracer_provider")  # type: ignore[attr-defined]


def test_requests_and_queries_become_spans(
    monkeypatch: pytest.MonkeyPatch, make_client: ClientFactory
) -> None:
    # monkeypatch comes first so that the app (which flushes its spans on shutdown) stops
    # before the exporter is restored.
    def export(self: OTLPSpanExporter, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS  # no collector in the tests

    monkeypatch.setattr(OTLPSpanExporter, "export", export)
    client = make_client(otel_exporter_otlp_endpoint="http://127.0.0.1:4318")
    exporter = InMemorySpanExporter()
    provider = client.app.state.tracer_provider  # type: ignore[attr-defined]
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    client.get("/no/such/path")
    client.get(f"{PROBE_PATH}/db")
    names = [span.name for span in exporter.get_finished_spans()]
    assert any(name.startswith("GET") for name in names)
    assert "SELECT" in names or any(name.startswith("SELECT") for name in names)
