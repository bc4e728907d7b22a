"""Spectral (spectral:oas + OWASP) and Redocly (recommended) on every example contract.

The linters are the pinned npm packages of package.json/package-lock.json, installed by the
project's setup with `npm ci` (this test installs nothing). Errors fail the test; so does any
warning from a rule that the lint configs (.spectral.yaml, redocly.yaml) do not justify.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from generator.contract import dump_yaml, emit_contract
from generator.load import load_domain

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "specs" / "examples").glob("*.yaml"))
BIN = ROOT / "node_modules" / ".bin"

# Rules whose remaining warnings are justified in a comment of .spectral.yaml / redocly.yaml.
SPECTRAL_JUSTIFIED = {
    "owasp:api4:2023-string-restricted",
    "oas3-operation-security-defined",
    "owasp:api2:2023-write-restricted",
    "owasp:api2:2023-read-restricted",
    "owasp:api8:2023-define-error-responses-401",
    "owasp:api1:2023-no-numeric-ids",
}
REDOCLY_JUSTIFIED = {"operation-4xx-response"}


def tool(name: str) -> Path:
    path = BIN / name
    if not path.exists() or shutil.which("node") is None:
        message = f"{path} is missing: run `npm ci` at the repository root first"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def contracts(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    directory = tmp_path_factory.mktemp("contracts")
    paths = []
    for example in EXAMPLES:
        path = directory / f"{example.stem}.openapi.yaml"
        path.write_text(dump_yaml(emit_contract(load_domain(example))), encoding="utf-8")
        paths.append(path)
    return paths


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REDOCLY_TELEMETRY": "off", "SCARF_ANALYTICS": "false", "NO_COLOR": "1"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_spectral_reports_no_errors(contracts: list[Path], tmp_path: Path) -> None:
    spectral = tool("spectral")
    # A report file, not stdout: Spectral exits before a pipe has taken more than 64 KiB.
    report = tmp_path / "spectral.json"
    result = run([str(spectral), "lint", "--ruleset", str(ROOT / ".spectral.yaml"), "--format", "json",
                  "--output", str(report), "--fail-severity", "error", *map(str, contracts)])  # fmt: skip
    assert report.exists(), result.stderr
    findings: list[dict[str, Any]] = json.loads(report.read_text(encoding="utf-8"))
    errors = [f"{f['source']}:{f['range']['start']['line'] + 1} {f['code']}: {f['message']}"
              for f in findings if f["severity"] == 0]  # fmt: skip
    assert errors == []
    unjustified = sorted({f["code"] for f in findings if f["severity"] == 1} - SPECTRAL_JUSTIFIED)
    assert unjustified == []
    assert result.returncode == 0, result.stderr


def json_documents(text: str) -> list[dict[str, Any]]:
    """The JSON reports Redocly prints one after another (one per file)."""
    decoder = json.JSONDecoder()
    documents = []
    index = text.find("{")
    while index != -1:
        document, end = decoder.raw_decode(text, index)
        documents.append(document)
        index = text.find("{", end)
    return documents


def test_redocly_reports_no_errors(contracts: list[Path]) -> None:
    redocly = tool("redocly")
    result = run([str(redocly), "lint", "--config", str(ROOT / "redocly.yaml"), "--format", "json",
                  *map(str, contracts)])  # fmt: skip
    problems = [problem for report in json_documents(result.stdout) for problem in report["problems"]]
    assert problems or result.returncode == 0, result.stderr
    errors = [f"{p['ruleId']}: {p['message']}" for p in problems if p["severity"] == "error"]
    assert errors == []
    unjustified = sorted({p["ruleId"] for p in problems if p["severity"] == "warn"} - REDOCLY_JUSTIFIED)
    assert unjustified == []
    assert result.returncode == 0, result.stderr


def test_spectral_owasp_finds_cors_declared_on_every_response(contracts: list[Path], tmp_path: Path) -> None:
    """The stock OWASP rule, not switched off: every response declares Access-Control-Allow-Origin."""
    ruleset = tmp_path / "owasp-cors.yaml"
    owasp = ROOT / "node_modules" / "@stoplight" / "spectral-owasp-ruleset" / "dist" / "ruleset.mjs"
    rule = "owasp:api8:2023-define-cors-origin"
    ruleset.write_text(f"extends: [[{json.dumps(str(owasp))}, off]]\nrules:\n  {rule}: error\n")
    report = tmp_path / "cors.json"
    run([str(tool("spectral")), "lint", "--ruleset", str(ruleset), "--format", "json", "--output", str(report),
         *map(str, contracts)])  # fmt: skip
    findings = json.loads(report.read_text(encoding="utf-8"))
    assert [f for f in findings if f["code"] == rule] == []
