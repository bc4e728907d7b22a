"""The template contract: the committed JSON Schema of the template context is the one the domain
model gives, and every example's context (and the template's own default) follows it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.docs import er_diagram
from generator.load import load_domain
from generator.project.context_schema import template_context_schema
from generator.project.record import RECORD_FILE
from tests.support.services import same_tree

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "specs" / "template-context.schema.json"
EXAMPLES = sorted((ROOT / "specs" / "examples").glob("*.yaml"))
TEMPLATE = ROOT / "cookiecutter-service"
COOKIECUTTER = str(Path(sys.executable).parent / "cookiecutter")


def test_the_committed_schema_is_the_models() -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == template_context_schema(), (
        "regenerate it: python -c 'import json; from generator.project.context_schema import "
        "template_context_schema as s; print(json.dumps(s(), indent=2, ensure_ascii=False))' > "
        "specs/template-context.schema.json"
    )


def test_the_templates_default_context_follows_it() -> None:
    config = json.loads((ROOT / "cookiecutter-service" / "cookiecutter.json").read_text(encoding="utf-8"))
    jsonschema.validate(config, template_context_schema())


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_every_examples_context_follows_it(example: Path) -> None:
    domain = load_domain(example)
    context = {
        "_template_contract": 1,
        "project_slug": domain.service.name,
        "_domain": json.loads(json.dumps(domain.to_json())),  # what the template reads: JSON
        "_generated": {},
        "_er_diagram": er_diagram(domain),
    }
    jsonschema.validate(context, template_context_schema())
    broken = {**context, "_domain": {**context["_domain"], "entities": [{"name": 1}]}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, template_context_schema())


def test_cookiecutter_alone_renders_any_domain_as_scaffold_does(tmp_path: Path) -> None:
    """`scaffold template context` + `cookiecutter --replay-file`: the same files as `scaffold new`."""
    domain = ROOT / "specs" / "examples" / "helpdesk.yaml"
    replay = tmp_path / "cookiecutter-service.json"
    assert CliRunner().invoke(main, ["template", "context", str(domain), "-o", str(replay)]).exit_code == 0
    rendered = tmp_path / "cookiecutter"
    command = [COOKIECUTTER, str(TEMPLATE), "--replay-file", str(replay), "-o", str(rendered)]
    environment = {**os.environ, "HOME": str(tmp_path)}  # cookiecutter's replay files stay out of the real home
    subprocess.run(command, check=True, capture_output=True, env=environment)
    assert CliRunner().invoke(main, ["new", str(domain), "-o", str(tmp_path / "scaffold"), "--no-git"]).exit_code == 0
    ignored = {RECORD_FILE, "domain.yaml"}
    differences = [path for path in same_tree(tmp_path / "scaffold", rendered / "helpdesk") if path not in ignored]
    assert differences == []
