"""The design document (`docs/design.md`) and its Mermaid ER diagram.

Golden copies per example show every change as a readable diff; after reviewing it,
regenerate with `SCAFFOLD_UPDATE_GOLDEN=1 pytest tests/test_design_doc.py`.

The diagrams are rendered to SVG with the pinned `@mermaid-js/mermaid-cli` (`npm ci`) and
Debian's chromium (`scripts/install-system-deps.sh`). Without them the rendering tests are
skipped locally and fail in CI.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from generator.contract import emit_contract
from generator.docs import design_document, er_diagram
from generator.domain.model import Domain
from generator.load import load_domain

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "specs" / "examples").glob("*.yaml"))
GOLDEN = Path(__file__).resolve().parent / "golden" / "design"
UPDATE = os.environ.get("SCAFFOLD_UPDATE_GOLDEN") == "1"
TEMPLATE = ROOT / "cookiecutter-service" / "{{cookiecutter.project_slug}}"
PACKAGE = TEMPLATE / "src" / "{{cookiecutter._domain.service.package}}"
MMDC = ROOT / "node_modules" / ".bin" / "mmdc"
CHROMIUM = Path("/usr/bin/chromium")
PUPPETEER_CONFIG = ROOT / "puppeteer-config.json"

METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")

# Entity and field names that Mermaid's erDiagram lexer treats as keywords (`end`, `style`,
# `class`, `one`, `many`, `to`, `u`, `o`, key markers `pk`/`fk`/`uk`), plus names with digits.
HOSTILE_DOMAIN = """\
scaffold: 1
service:
  name: mermaid-hostile
  version: 1.0.0
auth:
  scheme: api_key
enums:
  Direction: [tb, lr]
entities:
  End:
    fields:
      end: string
      pk: {type: integer, unique: true}
      fk: string?
      uk: text?
      style: Direction
      class: {type: decimal, max_digits: 6, decimal_places: 3}
      subgraph: json?
      one: boolean
      many: date?
      to: datetime?
      u: uuid?
      o: url?
      x2y: email?
      field1: number?
      erdiagram: string?
      acc_title: string?
    relations:
      style_of: {to: Style, kind: many_to_one, required: false, on_delete: set_null, inverse: ends}
      classes: {to: ClassDef, kind: many_to_many, inverse: ends}
      previous: {to: End, kind: one_to_one, required: false, on_delete: set_null}
    unique_together: [[end, style]]
  Style:
    fields:
      direction: string
  ClassDef:
    fields:
      subgraph: {type: string, unique: true}
  One:
    fields:
      to: string
    relations:
      many: {to: Many2, kind: many_to_many}
  Many2:
    fields:
      o: string
    relations:
      one: {to: One, kind: many_to_one, on_delete: cascade, inverse: many2s}
  U:
    fields:
      pk: string
  Subgraph1:
    fields:
      direction_tb: string
"""


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda p: p.stem)
def example(request: pytest.FixtureRequest) -> tuple[str, Domain, dict[str, Any], str]:
    path: Path = request.param
    domain = load_domain(path)
    contract = emit_contract(domain)
    return path.stem, domain, contract, design_document(domain, contract)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Domain:
    path = tmp_path_factory.mktemp("hostile") / "hostile.yaml"
    path.write_text(HOSTILE_DOMAIN, encoding="utf-8")
    return load_domain(path)


# ---------------------------------------------------------------------- helpers


def section(document: str, heading: str) -> str:
    """The text under `heading` up to the next heading of the same or a higher level."""
    level = heading.split(" ", 1)[0]
    lines = document.splitlines()
    start = lines.index(heading)
    body = []
    for line in lines[start + 1 :]:
        marks = line.split(" ", 1)[0]
        if set(marks) == {"#"} and len(marks) <= len(level):
            break
        body.append(line)
    return "\n".join(body)


def table_rows(text: str) -> list[list[str]]:
    """The body rows of every Markdown table in `text`, cells unescaped."""
    rows = []
    for line in text.splitlines():
        if not line.startswith("| ") or line.startswith("| ---"):
            continue
        cells = [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        rows.append(cells)
    return [row for row in rows if row and row != _header(text, row)]


def _header(text: str, row: list[str]) -> list[str] | None:
    lines = text.splitlines()
    for index, line in enumerate(lines[:-1]):
        if lines[index + 1].startswith("| ---") and [c.strip() for c in line.strip().split("|")[1:-1]] == row:
            return row
    return None


def unquote(cell: str) -> str:
    return cell.strip().strip("`")


def contract_operations(contract: dict[str, Any]) -> list[tuple[str, str, tuple[str, ...], str, str]]:
    """(METHOD, absolute path, scopes, success, errors) of every operation, read from the contract."""
    default = contract.get("servers", [{"url": "/"}])[0]["url"]
    found = []
    for path, item in contract["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            operation = item[method]
            servers = operation.get("servers") or item.get("servers") or [{"url": default}]
            full = servers[0]["url"].rstrip("/") + path
            scopes = tuple(s for requirement in operation.get("security", []) for v in requirement.values() for s in v)
            statuses = sorted(int(s) for s in operation["responses"])
            success = ", ".join(str(s) for s in statuses if s < 300)
            errors = ", ".join(str(s) for s in statuses if s >= 400)
            found.append((method.upper(), full, scopes, success, errors))
    return found


# ---------------------------------------------------------------------- golden and determinism


def test_document_matches_golden(example: tuple[str, Domain, dict[str, Any], str]) -> None:
    name, _, _, document = example
    golden = GOLDEN / f"{name}.md"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(document, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}; run with SCAFFOLD_UPDATE_GOLDEN=1"
    assert document == golden.read_text(encoding="utf-8")


def test_every_golden_file_has_an_example() -> None:
    stems = {example.stem for example in EXAMPLES}
    assert sorted(p.stem for p in GOLDEN.glob("*.md") if p.stem not in stems) == []


def test_document_is_deterministic(example: tuple[str, Domain, dict[str, Any], str]) -> None:
    name, _, _, document = example
    again = load_domain(ROOT / "specs" / "examples" / f"{name}.yaml")
    assert design_document(again, emit_contract(again)) == document


def test_document_embeds_the_er_diagram(example: tuple[str, Domain, dict[str, Any], str]) -> None:
    _, domain, _, document = example
    assert f"```mermaid\n{er_diagram(domain)}```\n" in document


def test_document_has_the_review_sections(example: tuple[str, Domain, dict[str, Any], str]) -> None:
    document = example[3]
    headings = [line for line in document.splitlines() if line.startswith("## ")]
    assert headings == [
        "## 1. Data model",
        "## 2. API",
        "## 3. Failure modes and recovery",
        "## 4. Performance and scaling",
        "## 5. Security",
        "## 6. Observability",
    ]
    assert "{{" not in document and "{%" not in document


# ---------------------------------------------------------------------- endpoint table


def test_endpoint_table_lists_exactly_the_contract_operations(
    example: tuple[str, Domain, dict[str, Any], str],
) -> None:
    _, _, contract, document = example
    rows = table_rows(section(document, "### 2.1 Endpoints"))
    documented = Counter((row[0], unquote(row[1])) for row in rows)
    expected = Counter((method, path) for method, path, *_ in contract_operations(contract))
    assert documented == expected
    assert max(documented.values()) == 1


def test_endpoint_table_scopes_and_statuses_come_from_the_contract(
    example: tuple[str, Domain, dict[str, Any], str],
) -> None:
    _, _, contract, document = example
    rows = {(row[0], unquote(row[1])): row for row in table_rows(section(document, "### 2.1 Endpoints"))}
    for method, path, scopes, success, errors in contract_operations(contract):
        row = rows[(method, path)]
        shown_scopes = tuple(unquote(s) for s in row[3].split(", ")) if row[3] != "public" else ()
        assert shown_scopes == scopes, (method, path)
        assert (row[4], row[5]) == (success, errors), (method, path)


def test_endpoint_table_drops_operations_removed_from_the_contract(
    example: tuple[str, Domain, dict[str, Any], str],
) -> None:
    _, domain, contract, _ = example
    trimmed = {**contract, "paths": {p: v for p, v in contract["paths"].items() if p != "/metrics"}}
    rows = table_rows(section(design_document(domain, trimmed), "### 2.1 Endpoints"))
    assert "/metrics" not in {unquote(row[1]) for row in rows}
    assert len(rows) == len(contract_operations(trimmed))


def test_error_catalogue_covers_every_status_in_the_table(
    example: tuple[str, Domain, dict[str, Any], str],
) -> None:
    _, _, contract, document = example
    statuses = {int(s) for *_, errors in contract_operations(contract) for s in errors.split(", ") if s}
    catalogue = table_rows(section(document, "### 2.2 Error catalogue"))
    assert statuses <= {int(row[1]) for row in catalogue}
    codes = {unquote(row[0]) for row in catalogue}
    assert {"validation_failed", "rate_limited", "service_unavailable", "internal_error"} <= codes


# ---------------------------------------------------------------------- invariants


def test_every_unique_constraint_is_among_the_invariants(example: tuple[str, Domain, dict[str, Any], str]) -> None:
    _, domain, _, document = example
    rows = table_rows(section(document, "#### Uniqueness"))
    listed = {(row[0], tuple(unquote(c) for c in row[1].split(", "))) for row in rows}
    expected = set()
    for entity in domain.entities:
        expected |= {(entity.title, (field.name,)) for field in entity.fields if field.unique}
        expected |= {(entity.title, tuple(group.columns)) for group in entity.unique_together}
        expected |= {
            (entity.title, (relation.fk_name or "",)) for relation in entity.relations if relation.kind == "one_to_one"
        }
    assert expected, "every example declares unique values"
    assert expected <= listed
    names = {unquote(row[2]) for row in rows}
    assert {group.name for entity in domain.entities for group in entity.unique_together} <= names


def test_required_and_nullable_columns_are_among_the_invariants(
    example: tuple[str, Domain, dict[str, Any], str],
) -> None:
    _, domain, _, document = example
    rows = {row[0]: row for row in table_rows(section(document, "#### Required values"))}
    for entity in domain.entities:
        required = {unquote(c) for c in rows[entity.title][1].split(", ")}
        nullable = {unquote(c) for c in rows[entity.title][3].split(", ")}
        for field in entity.fields:
            assert (field.name in required) is (field.required and not field.read_only), field.name
            assert (field.name in nullable) is field.nullable, field.name
        for relation in entity.relations:
            if relation.fk_name:
                assert (relation.fk_name in required) is relation.required
                assert (relation.fk_name in nullable) is relation.nullable


def test_document_of_a_domain_with_mermaid_keywords(hostile: Domain) -> None:
    contract = emit_contract(hostile)
    document = design_document(hostile, contract)
    rows = table_rows(section(document, "### 2.1 Endpoints"))
    assert Counter((row[0], unquote(row[1])) for row in rows) == Counter(
        (method, path) for method, path, *_ in contract_operations(contract)
    )
    unique = {(row[0], unquote(row[1])) for row in table_rows(section(document, "#### Uniqueness"))}
    assert {("End", "pk"), ("End", "end, style"), ("End", "previous_id"), ("Class def", "subgraph")} <= {
        (title, columns.replace("`", "")) for title, columns in unique
    }


def test_every_foreign_key_and_on_delete_rule_is_among_the_invariants(
    example: tuple[str, Domain, dict[str, Any], str],
) -> None:
    _, domain, _, document = example
    rows = table_rows(section(document, "#### Foreign keys"))
    listed = {(row[0], unquote(row[1]), unquote(row[4])) for row in rows}
    for entity in domain.entities:
        for relation in entity.relations:
            if relation.fk_name:
                rule = relation.on_delete.replace("_", " ").upper()
                assert (entity.title, relation.fk_name, rule) in listed
            else:
                link = f"link `{relation.link_table}`"
                assert (link, relation.link_source_column, "CASCADE") in listed
                assert (link, relation.link_target_column, "CASCADE") in listed


def test_value_checks_name_the_enforcing_layer(example: tuple[str, Domain, dict[str, Any], str]) -> None:
    _, domain, _, document = example
    rows = table_rows(section(document, "#### Value checks"))
    by_field = {(row[0], unquote(row[1])): [] for row in rows}
    for row in rows:
        by_field[(row[0], unquote(row[1]))].append((row[2], row[3]))
    for entity in domain.entities:
        for field in entity.fields:
            checks = [(rule.replace("`", ""), layer) for rule, layer in by_field.get((entity.title, field.name), [])]
            # read-only values are never accepted in requests: only the column's own limits apply
            api = () if field.read_only else ("API",)
            if field.pattern:
                assert (f"matches {field.pattern}" in [rule for rule, _ in checks]) is bool(api)
            if field.type in ("string", "email", "url"):
                layer = " + ".join([*api, "DB"]) + f" (`VARCHAR({field.max_length})`; PostgreSQL, MariaDB/MySQL)"
                assert (f"length at most {field.max_length}", layer) in checks
            if field.type == "text" and not field.read_only:
                assert (f"length at most {field.max_length}", "API") in checks
            if field.minimum is not None and not field.read_only:
                assert any(rule.startswith(("at least", "between")) and layer == "API" for rule, layer in checks)
    assert all(layer.startswith(("API", "DB")) for _, _, _, layer in rows)


def test_write_only_fields_are_named_among_the_log_redactions(example: tuple[str, Domain, dict[str, Any], str]) -> None:
    _, domain, _, document = example
    logs = section(document, "### 6.1 Logs")
    for entity in domain.entities:
        for field in entity.fields:
            if field.write_only:
                assert f"{entity.title}.`{field.name}`" in logs


def test_scope_matrix_covers_every_entity_and_operation(example: tuple[str, Domain, dict[str, Any], str]) -> None:
    _, domain, _, document = example
    rows = table_rows(section(document, "### 5.2 Scope matrix"))
    matrix = {row[0]: row[1:6] for row in rows if len(row) == 6}
    for entity in domain.entities:
        for cell, operation in zip(matrix[entity.title], ("list", "create", "read", "update", "delete"), strict=True):
            if operation not in entity.operations:
                assert cell == "-"
            elif domain.auth.scheme == "none":
                assert cell == "open"
            else:
                scope = entity.read_scope if operation in ("list", "read") else entity.write_scope
                assert unquote(cell) == scope


# ---------------------------------------------------------------------- the document states template facts


def test_environment_variables_named_in_the_document_exist_in_the_template(
    example: tuple[str, Domain, dict[str, Any], str],
) -> None:
    documented = (TEMPLATE / "README.md").read_text(encoding="utf-8")
    variables = set(re.findall(r"`([A-Z][A-Z0-9]*_[A-Z0-9_]+)", example[3]))
    assert variables
    assert sorted(v for v in variables if f"`{v}`" not in documented) == []


def test_facts_match_the_template() -> None:
    from generator.docs import facts

    settings = (PACKAGE / "settings.py").read_text(encoding="utf-8")
    assert f"db_pool_size: int = Field(default={facts.DB_POOL_SIZE}," in settings
    assert f"db_max_overflow: int = Field(default={facts.DB_MAX_OVERFLOW}," in settings
    assert f"db_pool_timeout: float = Field(default={facts.DB_POOL_TIMEOUT_SECONDS}" in settings
    assert f"graceful_shutdown_timeout: int = Field(default={facts.GRACEFUL_SHUTDOWN_TIMEOUT}," in settings
    assert f"max_body_bytes: int = Field(default={facts.MAX_BODY_BYTES:_}," in settings
    count, _, period = facts.RATE_LIMIT_READ.partition("/")
    assert f"rate_limit_read: RateSetting = Rate({count}, {dict(minute=60)[period]})" in settings
    count, _, period = facts.RATE_LIMIT_WRITE.partition("/")
    assert f"rate_limit_write: RateSetting = Rate({count}, {dict(minute=60)[period]})" in settings

    columns = (TEMPLATE / "_entity_templates" / "_columns.jinja").read_text(encoding="utf-8")
    assert ("native_enum=False, create_constraint=True" in columns) is facts.ENUM_CHECK_CONSTRAINTS
    models = (TEMPLATE / "_entity_templates" / "src" / "{package}" / "models.py.j2").read_text(encoding="utf-8")
    assert '"ck": "ck_%(table_name)s_%(column_0_name)s"' in models
    assert '"uq": "uq_%(table_name)s_%(column_0_N_name)s"' in models

    db = (PACKAGE / "db.py").read_text(encoding="utf-8")
    assert f'options["pool_recycle"] = {facts.DB_POOL_RECYCLE_SECONDS}' in db
    assert f"PRAGMA busy_timeout={facts.SQLITE_BUSY_TIMEOUT_MS}" in db
    assert f'{{"Retry-After": "{facts.RETRY_AFTER_BUSY}"}}' in db
    assert "anyio.Semaphore(settings.pool_capacity)" in (PACKAGE / "main.py").read_text(encoding="utf-8")
    errors = (PACKAGE / "errors.py").read_text(encoding="utf-8")
    assert f'headers={{"Retry-After": "{facts.RETRY_AFTER_UNAVAILABLE}"}}' in errors
    system = (PACKAGE / "api" / "system.py").read_text(encoding="utf-8")
    assert f"READINESS_TIMEOUT_SECONDS = {float(facts.READINESS_TIMEOUT_SECONDS)}" in system
    ratelimit = (PACKAGE / "ratelimit.py").read_text(encoding="utf-8")
    assert f"REDIS_RETRY_AFTER_FAILURE = {float(facts.REDIS_RETRY_AFTER_FAILURE)}" in ratelimit

    metrics = (PACKAGE / "metrics.py").read_text(encoding="utf-8")
    for name, kind, _, _ in facts.METRICS:
        # prometheus_client adds `_info` to Info metrics; counters may be declared with `_total`
        declared = {name, name.removesuffix("_info")} if kind == "info" else {name, name.removesuffix("_total")}
        assert any(f'"{candidate}"' in metrics for candidate in declared), name

    alerts = (TEMPLATE / "deploy" / "prometheus" / "alerts.yaml").read_text(encoding="utf-8")
    rules = re.findall(r"- alert: \{\{ prefix \}\}(\w+)\n.*?for: (\w+)\n.*?severity: (\w+)", alerts, re.S)
    assert [(name, duration, severity) for name, duration, severity, _ in facts.ALERTS] == rules

    hpa = (TEMPLATE / "deploy" / "k8s" / "hpa.yaml").read_text(encoding="utf-8")
    assert f"minReplicas: {facts.HPA_MIN_REPLICAS}\n" in hpa
    assert f"maxReplicas: {facts.HPA_MAX_REPLICAS}\n" in hpa
    assert f"averageUtilization: {facts.HPA_CPU_UTILIZATION}\n" in hpa
    assert f"stabilizationWindowSeconds: {facts.HPA_SCALE_DOWN_WINDOW_SECONDS}\n" in hpa
    deployment = (TEMPLATE / "deploy" / "k8s" / "deployment.yaml").read_text(encoding="utf-8")
    for fragment in (
        f"replicas: {facts.K8S_REPLICAS}\n",
        f"cpu: {facts.CPU_REQUEST}\n",
        f"memory: {facts.MEMORY_REQUEST}\n",
        f"memory: {facts.MEMORY_LIMIT}\n",
        f"terminationGracePeriodSeconds: {facts.TERMINATION_GRACE_SECONDS}\n",
        f"seconds: {facts.PRESTOP_SLEEP_SECONDS}\n",
        f"containerPort: {facts.CONTAINER_PORT}\n",
        f"runAsUser: {facts.RUN_AS_USER}\n",
        "maxUnavailable: 0\n",
        "readOnlyRootFilesystem: true\n",
        "path: /readyz\n",
    ):
        assert fragment in deployment, fragment
    configmap = (TEMPLATE / "deploy" / "k8s" / "configmap.yaml").read_text(encoding="utf-8")
    for key in ("DB_POOL_SIZE", "DB_MAX_OVERFLOW", "RATE_LIMIT_READ", "RATE_LIMIT_WRITE", "MAX_BODY_BYTES"):
        assert f"  {key}:" in configmap


# ---------------------------------------------------------------------- the ER diagram


def test_er_diagram_shows_every_table_column_and_relation(hostile: Domain) -> None:
    diagram = er_diagram(hostile)
    assert diagram.startswith("erDiagram\n")
    for entity in hostile.entities:
        assert f'    "{entity.name}" {{\n' in diagram
        for field in entity.fields:
            assert re.search(rf"^        \S+ `?{field.name}`?( |$)", diagram, re.M), field.name
    assert "        integer `pk` UK\n" in diagram
    assert '    "ends_classes" {\n' in diagram
    assert '    "Style" |o--o{ "End" : "style_of"\n' in diagram
    assert '    "End" |o--o| "End" : "previous"\n' in diagram
    assert '    "One" ||--o{ "Many2" : "one"\n' in diagram
    assert '    "Many2" ||--o{ "ones_many" : ""\n' in diagram


def _renderer() -> list[str]:
    missing = [str(p) for p in (MMDC, CHROMIUM) if not p.exists()]
    if missing:
        reason = (
            f"mermaid-cli rendering needs {', '.join(missing)}: run `npm ci` "
            "(PUPPETEER_SKIP_DOWNLOAD=1) and scripts/install-system-deps.sh"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed")
    return [str(MMDC), "--quiet", "-p", str(PUPPETEER_CONFIG)]


def render(diagram: str, directory: Path) -> str:
    source = directory / "diagram.mmd"
    target = directory / "diagram.svg"
    source.write_text(diagram, encoding="utf-8")
    result = subprocess.run(
        [*_renderer(), "-i", str(source), "-o", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"},
    )
    assert result.returncode == 0, textwrap.shorten(result.stderr or result.stdout, 2000)
    svg = target.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<svg") and "Syntax error" not in svg
    return svg


def test_er_diagram_renders_for_every_example(example: tuple[str, Domain, dict[str, Any], str], tmp_path: Path) -> None:
    _, domain, _, _ = example
    svg = render(er_diagram(domain), tmp_path)
    for entity in domain.entities:
        assert f">{entity.name}<" in svg


def test_er_diagram_with_mermaid_keywords_and_digits_renders(hostile: Domain, tmp_path: Path) -> None:
    svg = render(er_diagram(hostile), tmp_path)
    for name in ("End", "Style", "ClassDef", "One", "Many2", "U", "Subgraph1", "ends_classes"):
        assert f">{name}<" in svg, name
    for name in ("end", "pk", "fk", "uk", "style", "class", "subgraph", "one", "many", "to", "x2y", "field1"):
        assert f">{name}<" in svg, name
