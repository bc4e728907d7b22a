"""The paths: every entity's operations at their full paths, and the health and metrics endpoints."""

from __future__ import annotations

from typing import Any

from .common import (
    ERRORS,
    HEALTH,
    HEALTH_TAG,
    JSON,
    METRICS_MAX_LENGTH,
    ref,
    schema_ref,
)
from .operations import OperationEmitter


class PathEmitter(OperationEmitter):
    """The `paths` object: the operations at their full paths, then the system endpoints."""

    def paths(self) -> dict[str, Any]:
        base = self.service.base_path
        paths: dict[str, Any] = {}
        for entity in self.domain.entities:
            collection: dict[str, Any] = {}
            if "list" in entity.operations:
                collection["get"] = self.list_operation(entity)
            if "create" in entity.operations:
                collection["post"] = self.create_operation(entity)
            if collection:
                paths[f"{base}/{entity.segment}"] = collection
            item: dict[str, Any] = {}
            if "read" in entity.operations:
                item["get"] = self.read_operation(entity)
            if "update" in entity.operations:
                item["patch"] = self.update_operation(entity)
            if "delete" in entity.operations:
                item["delete"] = self.delete_operation(entity)
            if item:
                paths[f"{base}/{entity.segment}/{{id}}"] = {
                    "parameters": [ref("parameters", "Id")],
                    **item,
                }
            for inverse in entity.inverses:
                source = self.entities[inverse.source]
                paths[f"{base}/{entity.segment}/{{id}}/{inverse.segment}"] = {
                    "parameters": [ref("parameters", "Id")],
                    "get": self.inverse_operation(entity, source, inverse.operation_id),
                }
        paths.update(self.health_paths())
        return paths

    def health_paths(self) -> dict[str, Any]:
        health_json = {JSON: {"schema": schema_ref(HEALTH)}}
        internal = ref("responses", ERRORS[500][0])
        return {
            "/healthz": {
                "get": {
                    "operationId": "get_liveness",
                    "summary": "Liveness probe",
                    "description": "Answers 200 while the process serves requests; it checks no dependency.",
                    "tags": [HEALTH_TAG],
                    "security": [],
                    "responses": {
                        "200": {"description": "The process is alive.", "content": health_json},
                        "500": internal,
                    },
                },
            },
            "/readyz": {
                "get": {
                    "operationId": "get_readiness",
                    "summary": "Readiness probe",
                    "description": "Answers 200 when the database is reachable, else 503.",
                    "tags": [HEALTH_TAG],
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "Ready to serve traffic.",
                            "content": health_json,
                        },
                        "500": internal,
                        "503": ref("responses", ERRORS[503][0]),
                    },
                },
            },
            "/metrics": {
                "get": {
                    "operationId": "get_metrics",
                    "summary": "Prometheus metrics",
                    "description": "Request counts and latencies, in-flight requests, database "
                    "pool figures and build information in the Prometheus text format.",
                    "tags": [HEALTH_TAG],
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "Metrics in the Prometheus text exposition format.",
                            "content": {
                                "text/plain": {
                                    "schema": {
                                        "type": "string",
                                        "maxLength": METRICS_MAX_LENGTH,
                                        "examples": [
                                            "# TYPE http_requests_total counter\n"
                                            'http_requests_total{method="GET",status="200"} 1\n'
                                        ],
                                    }
                                }
                            },
                        },
                        "500": internal,
                    },
                },
            },
        }
