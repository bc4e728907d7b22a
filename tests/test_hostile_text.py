"""Text from a domain file never becomes code: hostile and unusual strings in every free-text field.

A domain file arrives in a pull request and CI generates and runs the result, so each title,
description, example, default and pattern must reach Python, TOML, YAML and Markdown as a
literal. The property: with any such text the project is generated, its Python has exactly
the statements the same domain with plain text gives, the contract carries the text
unchanged, and the Markdown documents show it as text (the same elements as with plain text).
"""

from __future__ import annotations

import ast
import html.parser
import subprocess
import sys
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from generator.load import load_domain
from generator.project import new_project
from tests.support.domains import dump_yaml, valid_domains
from tests.support.services import generate as generate_from_file
from tests.support.services import install

# The findings of the outside probe, and the characters each target language treats specially.
SPECIAL = (
    'Innocent"""\nimport os; os.system(\'touch /tmp/scaffold-pwned\')\n"""',
    "'''\nimport os\n'''",
    'ends with a quote"',
    "ends with a backslash\\",
    "back\\slash \\n \\x00 \\u2028 \\N{BULLET}",
    "{{ cookiecutter.project_slug }} {% if true %}x{% endif %} {# c #}",
    "Emoji 😀 and \U0001d518\U0001d52b\U0001d526 (fraktur), Ελληνικά, кириллица",
    "line\u2028separator\u2029paragraph\x85next",
    "<script>alert(1)</script> <img src=x onerror=alert(1)> &amp; &lt;",
    "# heading\n\n- item\n1. item\n> quote\n| a | b |\n---",
    "*emphasis* _under_ `code` ``two`` [link](http://x) ![img](x) ~~strike~~",
    "$(touch /tmp/scaffold-pwned) `id` ; rm -rf / ' \" \\",
    "\ttabs\r\nand CRLF\rand CR\x0bvt\x0cff",
    "'; DROP TABLE things; --",
    "trailing spaces   ",
)
# Any text the format accepts: no lone surrogate (no file can hold one) and no U+0000 (the
# service refuses it, so examples and defaults may not hold it; descriptions could, but one
# strategy for all keeps the test simple).
TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=30)
HOSTILE = st.one_of(st.sampled_from(SPECIAL), TEXT.filter(lambda s: s.strip() != ""))

# A pattern with characters that break naive quoting, and a value that matches it.
HOSTILE_PATTERN = ("^(?:\"\"\"|'''|\\\\|\\{\\{|\\}\\}|[a-z ])+$", "\"\"\"'''\\{{}}ab")
PLAIN_PATTERN = ("^[a-z ]+$", "ab")
PLAIN = "plain text"


def domain_data(text: dict[str, str], pattern: tuple[str, str]) -> dict[str, Any]:
    """A domain with every kind of free text the format has, each taken from `text`."""
    return {
        "scaffold": 1,
        "service": {
            "name": "hostile",
            "title": text["title"],
            "description": text["description"],
            "contact": {"name": text["contact"]},
            "license": {"name": text["license"]},
        },
        "auth": {"scheme": "jwt", "scopes": {"things:read": text["scope"], "things:write": text["scope2"]}},
        "enums": {"Kind": {"description": text["enum"], "values": ["a", "b"]}},
        "entities": {
            "Thing": {
                "description": text["entity"],
                "fields": {
                    "name": {"type": "string", "description": text["field"], "example": text["example"]},
                    "body": {"type": "text", "required": False, "default": text["default"]},
                    "kind": {"type": "Kind", "description": text["enum_field"]},
                    "code": {"type": "string", "pattern": pattern[0], "example": pattern[1]},
                },
                "relations": {
                    "other": {
                        "to": "Other",
                        "kind": "many_to_one",
                        "inverse": "things",
                        "description": text["relation"],
                    },
                },
                "list": {"filter": ["kind", "code"], "search": ["name"]},
                "auth": {"read": "things:read", "write": "things:write"},
            },
            "Other": {"fields": {"label": "string"}, "auth": {"read": "things:read", "write": "things:write"}},
        },
    }


KEYS = [
    "title", "description", "contact", "license", "scope", "scope2", "enum", "entity", "field", "example",
    "default", "enum_field", "relation",
]  # fmt: skip


class _QuotingDumper(yaml.SafeDumper):
    """Every string double-quoted, so that NEL, U+2028 and U+2029 are escaped: raw, they are
    line breaks to a YAML 1.1 reader and characters to a 1.2 one (ruamel's pure emitter,
    for its part, folds long escaped strings wrongly)."""


def _quoted_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')


_QuotingDumper.add_representer(str, _quoted_str)


def generate(tmp: Path, data: dict[str, Any]) -> Path:
    source = tmp / "domain.yaml"
    source.write_text(yaml.dump(data, Dumper=_QuotingDumper, allow_unicode=True, width=10**9), encoding="utf-8")
    output = tmp / "project"
    new_project(load_domain(source), output, force=False)
    return output


def statements(project: Path) -> dict[str, str]:
    """Each Python file's syntax tree with every string constant blanked: its statements alone."""

    class Blank(ast.NodeTransformer):
        def visit_Constant(self, node: ast.Constant) -> ast.Constant:
            return ast.Constant(value="") if isinstance(node.value, str) else node

        def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
            self.generic_visit(node)
            return node

    trees = {}
    for path in sorted(project.rglob("*.py")):
        tree = Blank().visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        trees[path.relative_to(project).as_posix()] = ast.dump(tree, include_attributes=False)
    return trees


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def rendered(markdown_text: str) -> tuple[str, list[str]]:
    """The text a reader sees, whitespace folded, and the HTML elements, in order."""
    parser = _Text()
    parser.feed(MarkdownIt("commonmark").enable("table").render(markdown_text))
    return " ".join("".join(parser.text).split()), parser.tags


def folded(text: str) -> str:
    """Text as Markdown shows it: whitespace runs folded, control characters as U+FFFD."""
    shown = "".join("\ufffd" if unicodedata.category(c) == "Cc" and not c.isspace() else c for c in text)
    return " ".join(shown.split())


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("plain"), domain_data(dict.fromkeys(KEYS, PLAIN), PLAIN_PATTERN))


@pytest.fixture(scope="module")
def plain_statements(plain: Path) -> dict[str, str]:
    return statements(plain)


def check_project(project: Path, plain: Path, plain_statements: dict[str, str], text: dict[str, str]) -> None:
    assert not Path("/tmp/scaffold-pwned").exists()
    # 1. The Python code has the same statements as with plain text.
    trees = statements(project)
    assert sorted(trees) == sorted(plain_statements)
    for name, tree in trees.items():
        assert tree == plain_statements[name], f"{name}: domain text changed the statements"
    # 2. The contract carries every string unchanged.
    contract = yaml.safe_load((project / "openapi.yaml").read_text(encoding="utf-8"))
    info = contract["info"]
    schemas = contract["components"]["schemas"]
    thing = schemas["Thing"]
    scheme = contract["components"]["securitySchemes"]["BearerAuth"]
    # Descriptions lose leading and trailing whitespace (it means nothing there); nothing else.
    assert info["title"] == text["title"]
    assert info["description"].startswith(text["description"].strip())
    assert info["contact"]["name"] == text["contact"]
    assert info["license"]["name"] == text["license"]
    assert thing["description"] == text["entity"].strip()
    assert thing["properties"]["name"]["description"].startswith(text["field"].strip())
    assert thing["examples"][0]["name"] == text["example"]
    assert schemas["ThingCreate"]["properties"]["body"]["default"] == text["default"]
    assert schemas["Kind"]["description"] == text["enum"].strip()
    assert text["relation"].strip() in thing["properties"]["other_id"]["description"]
    assert thing["properties"]["code"]["pattern"] == HOSTILE_PATTERN[0]
    # The scheme's description lists the scopes in a Markdown table: as text, not markup.
    seen, tags = rendered(scheme["description"])
    assert folded(text["scope"]) in seen and "script" not in tags
    # 3. TOML, the project's own metadata, reads back the description.
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["description"] == text["description"]
    # 4. Markdown shows the text as text: the same elements as with plain text, the text visible.
    for document in ("README.md", "docs/design.md"):
        seen, tags = rendered((project / document).read_text(encoding="utf-8"))
        _, plain_tags = rendered((plain / document).read_text(encoding="utf-8"))
        assert tags == plain_tags, f"{document}: domain text changed the document's elements"
        for key in ("title", "description") if document == "README.md" else ("title", "description", "scope"):
            if folded(text[key]):
                assert folded(text[key]) in seen, f"{document}: {key} is not shown as written"


# Each example generates a project (~2 s): a few drawn ones besides the explicit ones, no
# shrinking (minutes), the failing text printed in full instead.
@settings(
    max_examples=4,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.fixed_dictionaries({key: HOSTILE for key in KEYS}))
@example({key: SPECIAL[index % len(SPECIAL)] for index, key in enumerate(KEYS)})
@example({key: SPECIAL[(index + 7) % len(SPECIAL)] for index, key in enumerate(KEYS)})
def test_domain_text_never_becomes_code(
    tmp_path_factory: pytest.TempPathFactory, plain: Path, plain_statements: dict[str, str], text: dict[str, str]
) -> None:
    project = generate(tmp_path_factory.mktemp("hostile"), domain_data(text, HOSTILE_PATTERN))
    check_project(project, plain, plain_statements, text)


def test_the_hostile_project_passes_its_own_linter(tmp_path: Path) -> None:
    """ruff check and format accept what the escaping wrote (the generator only runs the fixes)."""
    text = {key: SPECIAL[index % len(SPECIAL)] for index, key in enumerate(KEYS)}
    project = generate(tmp_path, domain_data(text, HOSTILE_PATTERN))
    for args in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        result = subprocess.run([sys.executable, "-m", "ruff", *args], cwd=project, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


REGRESSION = Path(__file__).parent / "regression_domains" / "hostile-text.yaml"


@pytest.mark.slow
def test_the_hostile_text_domain_installs_and_passes_its_own_suite(tmp_path: Path) -> None:
    """The regression domain (every SPECIAL string in a field of its own), as a user runs it."""
    project = tmp_path / "project"
    domain = generate_from_file(REGRESSION, project)
    installed = install(project, domain, REGRESSION)
    for args in (["-m", "pytest", "-q", "-p", "no:cacheprovider"], ["-m", "mypy"], ["-m", "ruff", "check", "."]):
        result = installed.run(*args, timeout=900)
        assert result.returncode == 0, f"{' '.join(args)}:\n{result.stdout[-3000:]}{result.stderr[-2000:]}"
    assert not Path("/tmp/scaffold-pwned").exists()


# --- names ---------------------------------------------------------------------------------


@settings(
    max_examples=3,
    derandomize=True,
    database=None,
    deadline=None,
    phases=(Phase.generate,),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(valid_domains())
def test_names_the_validator_accepts_generate_clean_code(
    tmp_path_factory: pytest.TempPathFactory, domain: dict[str, Any]
) -> None:
    """Keywords, builtins, SQL words and model attributes as names: the project is produced,
    its Python parses and passes its own ruff, and the contract carries every name as written."""
    tmp = tmp_path_factory.mktemp("names")
    source = tmp / "domain.yaml"
    source.write_text(dump_yaml(domain), encoding="utf-8")
    project = tmp / "project"
    new_project(load_domain(source), project, force=False)
    for path in project.rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=project,
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr + "\n--- domain ---\n" + dump_yaml(domain)
    schemas = yaml.safe_load((project / "openapi.yaml").read_text(encoding="utf-8"))["components"]["schemas"]
    for name, entity in domain["entities"].items():
        # Read, create and update schemas together (a write-only member is not read back).
        members = set(schemas[name]["properties"])
        for suffix in ("Create", "Update"):
            members |= set(schemas.get(name + suffix, {}).get("properties", {}))
        assert set(entity.get("fields", {})) <= members
