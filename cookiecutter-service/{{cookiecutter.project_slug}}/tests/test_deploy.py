{% set service = cookiecutter._domain.service %}
"""Deployment files: valid Kubernetes objects, valid PromQL, a hardened image."""

import pathlib
import re
from typing import Any

import kubernetes_validate
import promql_parser
import pytest
import yaml
from fastapi.testclient import TestClient

PROJECT = pathlib.Path(__file__).resolve().parents[1]
MANIFESTS = sorted((PROJECT / "deploy" / "k8s").glob("*.yaml"))
KUBERNETES_VERSION = "1.31.0"


def manifests() -> list[dict[str, Any]]:
    documents = []
    for path in MANIFESTS:
        documents += [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    return documents


def by_kind(kind: str) -> dict[str, Any]:
    return next(doc for doc in manifests() if doc["kind"] == kind)


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda path: path.name)
def test_manifest_matches_the_kubernetes_schema(path: pathlib.Path) -> None:
    for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_every_expected_object_is_there() -> None:
    kinds = sorted(doc["kind"] for doc in manifests())
    assert kinds == ["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Job", "Service"]


def test_deployment_is_probed_bounded_and_unprivileged(client: TestClient) -> None:
    pod = by_kind("Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
    for probe in ("livenessProbe", "readinessProbe"):
        path = container[probe]["httpGet"]["path"]
        assert client.get(path).status_code == 200, probe
    secrets = {
        env["valueFrom"]["secretKeyRef"]["key"]
        for env in container["env"]
        if "secretKeyRef" in env.get("valueFrom", {})
    }
    assert "DATABASE_URL" in secrets
    # The pod gets longer to stop than the server gives in-flight requests.
    config = by_kind("ConfigMap")["data"]
    assert pod["terminationGracePeriodSeconds"] > int(config["GRACEFUL_SHUTDOWN_TIMEOUT"])


def test_migration_job_runs_the_migrate_command() -> None:
    job = by_kind("Job")["spec"]["template"]["spec"]
    assert job["containers"][0]["command"][-1] == "migrate"
    assert job["restartPolicy"] == "Never"


def alert_rules() -> list[dict[str, Any]]:
    document = yaml.safe_load((PROJECT / "deploy" / "prometheus" / "alerts.yaml").read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_alert_expressions_are_valid_promql() -> None:
    rules = alert_rules()
    assert {"for", "labels", "annotations"} <= set(rules[0])
    for rule in rules:
        promql_parser.parse(rule["expr"])  # raises ValueError on invalid PromQL


def test_alerts_use_metrics_the_service_exports(client: TestClient) -> None:
    client.get("/healthz")
    exported = client.get("/metrics").text
    for rule in alert_rules():
        for name in re.findall(r"([a-z_]+)\{", rule["expr"]):
            assert name == "up" or name in exported, (rule["alert"], name)


def test_image_is_multi_stage_non_root_and_health_checked() -> None:
    dockerfile = (PROJECT / "Dockerfile").read_text(encoding="utf-8")
    assert len(re.findall(r"^FROM ", dockerfile, re.MULTILINE)) >= 2
    user = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert user and not user[-1].startswith(("root", "0"))
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert 'CMD ["python", "-m", "{{ service.package }}", "serve"]' in dockerfile
    # Tracing is turned on by the environment alone, so the image carries the `otel` extra.
    assert re.search(r"^RUN pip install .*\"{{ service.name }}\[otel\]\"", dockerfile, re.MULTILINE)
