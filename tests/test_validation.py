"""Every validation rule, one bad domain file each: exact problems, positions and layer.

The files live in tests/bad_domains/ and declare their expectations in leading comments
(see tests/bad_domains/README.md). The layer a file declares is checked against the plain
JSON Schema, so the schema editors use and scaffold's own validator cannot drift apart.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from generator.errors import DomainError, Problem
from generator.load import load_domain, validate_document
from generator.load.source import MAX_BYTES, MAX_DEPTH, MAX_NODES, parse_document
from generator.load.structure import structure_problems

ROOT = Path(__file__).resolve().parent.parent
BAD_DOMAINS = sorted((ROOT / "tests" / "bad_domains").glob("*.yaml"))
EXAMPLES = sorted((ROOT / "specs" / "examples").glob("*.yaml"))
LAYERS = ("yaml", "structure", "semantic")

_EXPECT = re.compile(r"^# expect(?P<contains>-contains)?: (?P<line>\d+):(?P<column>\d+): (?P<message>.+)$")

MINIMAL = """\
scaffold: 1
service:
  name: shop
entities:
  Book:
    fields:
      title: string
"""


@dataclass(frozen=True)
class Expectation:
    line: int
    column: int
    message: str
    contains: bool

    def matches(self, problem: Problem) -> bool:
        if (problem.line, problem.column) != (self.line, self.column):
            return False
        return self.message in problem.message if self.contains else self.message == problem.message

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {'...' if self.contains else ''}{self.message}"


@dataclass(frozen=True)
class BadDomain:
    rule: str
    layer: str
    expected: list[Expectation]


def read_header(path: Path) -> BadDomain:
    rule, layer, expected = "", "", []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# rule: "):
            rule = line.removeprefix("# rule: ")
        elif line.startswith("# layer: "):
            layer = line.removeprefix("# layer: ")
        elif match := _EXPECT.match(line):
            expected.append(
                Expectation(
                    int(match["line"]), int(match["column"]), match["message"], contains=bool(match["contains"])
                )
            )
        elif line.startswith("# expect"):
            raise ValueError(f"{path.name}: malformed expectation: {line}")
    return BadDomain(rule, layer, expected)


def reported_problems(path: Path) -> list[Problem]:
    with pytest.raises(DomainError) as caught:
        load_domain(path)
    return caught.value.problems


def unmatched(expected: list[Expectation], problems: list[Problem]) -> tuple[list[str], list[str]]:
    """(expected but not reported, reported but not expected); each problem matches once."""
    remaining = list(problems)
    missing = []
    for expectation in sorted(expected, key=lambda e: e.contains):  # exact ones first
        match = next((p for p in remaining if expectation.matches(p)), None)
        if match is None:
            missing.append(str(expectation))
        else:
            remaining.remove(match)
    return missing, [f"{p.line}:{p.column}: {p.message}" for p in remaining]


def plain_data(text: str) -> Any:
    """The document as any YAML 1.2 tool reads it, independent of scaffold's loader."""
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 2)
    return yaml.load(text)


@pytest.fixture(scope="module")
def schema_validator() -> Draft202012Validator:
    schema = json.loads((ROOT / "specs" / "domain.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def _ids(path: Path) -> str:
    return path.stem


def test_there_is_a_bad_domain_file_for_every_rule() -> None:
    assert len(BAD_DOMAINS) >= 50
    layers = {read_header(path).layer for path in BAD_DOMAINS}
    assert layers == set(LAYERS)


@pytest.mark.parametrize("path", BAD_DOMAINS, ids=_ids)
def test_bad_domain_declares_its_rule_layer_and_problems(path: Path) -> None:
    header = read_header(path)
    assert header.rule, "missing `# rule:` line"
    assert header.layer in LAYERS, f"`# layer:` must be one of {LAYERS}"
    assert header.expected, "no `# expect:` line"


@pytest.mark.parametrize("path", BAD_DOMAINS, ids=_ids)
def test_bad_domain_reports_exactly_the_expected_problems(path: Path) -> None:
    header = read_header(path)
    problems = reported_problems(path)
    missing, extra = unmatched(header.expected, problems)
    assert (missing, extra) == ([], [])
    assert {p.file for p in problems} == {str(path)}


@pytest.mark.parametrize("path", BAD_DOMAINS, ids=_ids)
def test_bad_domain_is_rejected_by_its_declared_layer_and_the_plain_schema_agrees(
    path: Path, schema_validator: Draft202012Validator
) -> None:
    header = read_header(path)
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    if header.layer == "yaml":
        with pytest.raises(DomainError):
            parse_document(raw, path.name)
        try:
            data = plain_data(text)
        except YAMLError:
            return  # plain YAML tools reject it as well
        assert not schema_validator.is_valid(data), "the plain schema accepts what the loader rejects"
        return
    document = parse_document(raw, path.name)
    data = plain_data(text)
    assert data == document.data, "scaffold's loader and plain YAML 1.2 read different data"
    if header.layer == "structure":
        assert structure_problems(document), "the structural layer accepted the file"
        assert not schema_validator.is_valid(data), "the plain schema accepts a structurally bad file"
    else:
        assert structure_problems(document) == []
        errors = [error.message for error in schema_validator.iter_errors(data)]
        assert errors == [], "a semantic rule is (also) enforced by the schema: declare the file `structure`"
        with pytest.raises(DomainError):
            validate_document(document)


@pytest.mark.parametrize("path", EXAMPLES, ids=_ids)
def test_example_is_accepted_by_the_validator_and_the_plain_schema(
    path: Path, schema_validator: Draft202012Validator
) -> None:
    domain = load_domain(path)
    assert domain.entities
    data = plain_data(path.read_text(encoding="utf-8"))
    assert [error.message for error in schema_validator.iter_errors(data)] == []


# --- limits and unreadable input: generated rather than committed ---------------------


def test_a_file_over_the_size_limit_is_one_clear_problem(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    filler = "# padding\n" * (MAX_BYTES // 10 + 1)
    path.write_text(MINIMAL + filler, encoding="utf-8")
    problems = reported_problems(path)
    assert [(p.line, p.column) for p in problems] == [(1, 1)]
    assert f"limited to {MAX_BYTES:,} bytes" in problems[0].message
    assert f"{path.stat().st_size:,} bytes" in problems[0].message


def test_a_file_just_under_the_size_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    padding = MAX_BYTES - len(MINIMAL)
    path.write_text(MINIMAL + "#" * (padding - 1) + "\n", encoding="utf-8")
    assert path.stat().st_size == MAX_BYTES
    assert load_domain(path).entities[0].name == "Book"


def test_deep_nesting_is_reported_at_the_nested_node() -> None:
    depth = MAX_DEPTH + 10
    text = MINIMAL + "      extra: {type: json, example: " + "[" * depth + "]" * depth + "}\n"
    with pytest.raises(DomainError) as caught:
        parse_document(text.encode(), "deep.yaml")
    (problem,) = caught.value.problems
    assert problem.line == 8
    assert f"more than {MAX_DEPTH} levels of nesting" in problem.message


def test_an_alias_bomb_stops_at_the_node_limit() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    with pytest.raises(DomainError) as caught:
        parse_document("\n".join(lines).encode(), "bomb.yaml")
    (problem,) = caught.value.problems
    assert f"more than {MAX_NODES:,} nodes" in problem.message


def test_invalid_utf8_is_reported_at_the_bad_byte() -> None:
    raw = MINIMAL.encode() + b"      author: caf\xe9\n"
    with pytest.raises(DomainError) as caught:
        parse_document(raw, "latin1.yaml")
    assert [str(p) for p in caught.value.problems] == ["latin1.yaml:8:18: the file is not valid UTF-8"]


def test_a_missing_file_is_a_domain_problem(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    problems = reported_problems(path)
    assert [(p.file, p.line, p.column) for p in problems] == [(str(path), 1, 1)]
    assert "cannot read the file" in problems[0].message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!binary aGVsbG8=", "unsupported YAML value"),
        ("!!set {a, b}", "unsupported YAML value"),
        ("!custom text", "unsupported YAML value: the tag `!custom`"),
        (".nan", "numbers must be finite"),
        ("-.inf", "numbers must be finite"),
    ],
)
def test_values_json_cannot_hold_are_reported_at_the_value(value: str, message: str) -> None:
    text = MINIMAL + f"      extra: {{type: json, example: {value}}}\n"
    with pytest.raises(DomainError) as caught:
        parse_document(text.encode(), "odd.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (8, 36)
    assert message in problem.message


@pytest.mark.parametrize(
    ("tail", "where", "message"),
    [
        ("      extra: {type: json, example: *nowhere}\n", (8, 36), "invalid YAML: found undefined alias `*nowhere`"),
        ("      extra: &loop {type: json, example: [*loop]}\n", (8, 43), "`*loop` refers to a node that contains it"),
        ("---\nscaffold: 1\n", (8, 1), "invalid YAML: a domain file holds one document, found another"),
    ],
)
def test_aliases_and_documents_a_domain_cannot_hold_are_reported_where_they_stand(
    tail: str, where: tuple[int, int], message: str
) -> None:
    with pytest.raises(DomainError) as caught:
        parse_document((MINIMAL + tail).encode(), "odd.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == where
    assert message in problem.message


def test_the_non_specific_tag_makes_a_string_and_an_alias_repeats_its_anchor() -> None:
    # YAML 1.2, 6.9.1: `!` is "not a plain scalar", so `! 5` is the string "5", as in `'5'`
    text = MINIMAL + "      code: {type: string, example: ! 5, description: &d Shared}\n"
    text += "      isbn: {type: string, example: '7', description: *d}\n"
    # an anchor redefined inside the collection it first named: the alias names the latest one
    text += "      notes: &n {type: text, description: &n Inner, example: *n}\n"
    document = parse_document(text.encode(), "tags.yaml")
    fields = document.data["entities"]["Book"]["fields"]
    assert fields["code"] == {"type": "string", "example": "5", "description": "Shared"}
    assert fields["isbn"]["description"] == "Shared"
    assert fields["notes"] == {"type": "text", "description": "Inner", "example": "Inner"}


def test_yaml_1_2_booleans_and_dates_are_plain_strings() -> None:
    # YAML 1.1 would read `yes` as true and 2024-01-31 as a date object
    text = MINIMAL + "      answer: {type: string, default: yes}\n      day: {type: date, default: 2024-01-31}\n"
    domain = validate_document(parse_document(text.encode(), "v12.yaml"))
    defaults = {field.name: field.default for field in domain.entities[0].fields}
    assert defaults == {"title": None, "answer": "yes", "day": "2024-01-31"}


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text(
        MINIMAL
        + "      pages: {type: integr}\n"
        + "      price: {type: decimal, max_digits: 2, decimal_places: 3}\n"
        + "    relations:\n"
        + "      author: {to: Autor, kind: many_to_one}\n",
        encoding="utf-8",
    )
    messages = [f"{p.line}:{p.column}: {p.message}" for p in reported_problems(path)]
    assert messages == [
        "8:21: unknown type `integr` (did you mean `integer`?)",
        "9:45: `decimal_places` (3) is greater than `max_digits` (2)",
        "11:20: unknown entity `Autor`",
    ]


def test_integral_floats_count_as_integers_like_json_schema_says(tmp_path: Path) -> None:
    # JSON Schema's `integer` admits 300.0; the model must hold the int, not the float
    path = tmp_path / "floats.yaml"
    path.write_text(
        "scaffold: 1.0\nservice:\n  name: shop\nentities:\n  Book:\n    fields:\n"
        "      title: {type: string, min_length: 1.0, max_length: 300.0}\n"
        "      price: {type: decimal, max_digits: 10.0, decimal_places: 2.0}\n"
        "    list:\n      page_size: 20.0\n      max_page_size: 50.0\n",
        encoding="utf-8",
    )
    domain = load_domain(path)
    title, price = domain.entities[0].fields
    values = [
        domain.format_version,
        title.min_length,
        title.max_length,
        price.max_digits,
        price.decimal_places,
        domain.entities[0].listing.page_size,
        domain.entities[0].listing.max_page_size,
    ]
    assert values == [1, 1, 300, 10, 2, 20, 50]
    assert all(type(value) is int for value in values)


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_positions_do_not_depend_on_line_endings(newline: str) -> None:
    path = ROOT / "tests" / "bad_domains" / "unknown_field_type.yaml"
    text = path.read_text(encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        validate_document(parse_document(text.replace("\n", newline).encode(), path.name))
    positions = [(p.line, p.column, p.message) for p in caught.value.problems]
    expected = sorted((e.line, e.column, e.message) for e in read_header(path).expected)
    assert positions == expected


@pytest.mark.parametrize(
    ("head", "opening"),
    [
        ("x: ", "["),
        ("x: ", "{a: "),
        ("", "- "),
        # libyaml rejects `books:read` in a flow mapping, so the pure-Python parser reads this one
        ("a: {read: books:read}\nx: ", "["),
    ],
)
def test_pathological_nesting_is_rejected_quickly_without_crashing(head: str, opening: str) -> None:
    # libyaml's C composer recurses per level: 100,000 levels used to kill the process (SIGSEGV),
    # so this runs in a child process to turn a crash into a test failure
    code = (
        "import sys\n"
        "from generator.errors import DomainError\n"
        "from generator.load.source import parse_document\n"
        f"text = {head!r} + {opening!r} * 100_000 + 'x'\n"
        "try:\n"
        "    parse_document(text.encode(), 'deep.yaml')\n"
        "except DomainError as error:\n"
        "    print(error)\n"
    )
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False, cwd=ROOT
    )
    assert time.monotonic() - started < 10
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert f"more than {MAX_DEPTH} levels of nesting" in completed.stdout


def test_a_redefined_anchor_is_legal_and_prints_no_library_warning() -> None:
    # `books:read` in a flow mapping sends the file to the pure-Python parser, which warns
    text = "scaffold: &a 1\nservice:\n  name: &a shop\nentities:\n  Book:\n    fields:\n      title: string\n"
    text += "    auth: {read: books:read}\n"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        domain = validate_document(parse_document(text.encode(), "anchors.yaml"))
    assert domain.service.name == "shop"
    assert [str(warning.message) for warning in caught] == []


def test_names_ending_in_a_newline_are_rejected_as_json_schema_prescribes() -> None:
    # JSON Schema patterns are ECMA-262: `$` is the end of the input. Python's `$` also matches
    # before a final newline, which let "title\n" pass as a field name.
    text = 'scaffold: 1\nservice:\n  name: "shop\\n"\nentities:\n  "Book\\n":\n    fields:\n      "title\\n": string\n'
    with pytest.raises(DomainError) as caught:
        validate_document(parse_document(text.encode(), "newline.yaml"))
    assert [f"{p.line}:{p.column}: {p.message}" for p in caught.value.problems] == [
        "3:9: `shop\\n` is not valid here: use lowercase letters, digits and dashes, starting with a letter",
        "5:3: `Book\\n` is not a valid entity name: use PascalCase (letters and digits, starting with a capital)",
        "7:7: `title\\n` is not a valid field name: use snake_case (lowercase letters, digits and underscores)",
    ]


def test_thousands_of_misspelt_references_do_not_take_minutes() -> None:
    # "did you mean" compares a name with every candidate: 2,000 unknown targets among 2,000
    # entities took 2.5 minutes before suggestions got a budget
    lines = ["scaffold: 1", "service:", "  name: big", "entities:"]
    for i in range(2000):
        lines += [f"  Entity{i}:", "    fields:", "      name: string", "    relations:"]
        lines += [f"      owner: {{to: Entyty{i}x, kind: many_to_one}}"]
    started = time.monotonic()
    with pytest.raises(DomainError) as caught:
        validate_document(parse_document("\n".join(lines).encode(), "big.yaml"))
    assert time.monotonic() - started < 60
    assert len(caught.value.problems) == 2000
    assert any("(did you mean `Entity" in problem.message for problem in caught.value.problems)


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ('  title: "Shop \\ud83d"\n', (4, 10)),  # half of the pair for U+1F600
        ('  description: "a\\udc00b"\n', (4, 16)),
    ],
)
def test_a_lone_surrogate_is_refused_where_it_stands(line: str, where: tuple[int, int]) -> None:
    """No file (Python source, TOML, UTF-8 text) can hold one: refused, never a traceback later."""
    text = "scaffold: 1\nservice:\n  name: shop\n" + line + "entities:\n  Note:\n    fields: {title: string}\n"
    with pytest.raises(DomainError) as caught:
        load_from_text(text)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == where
    assert "half of a surrogate pair" in problem.message


def test_astral_characters_written_as_one_escape_are_text() -> None:
    text = 'scaffold: 1\nservice:\n  name: shop\n  title: "Shop \\U0001F600"\n'
    text += "entities:\n  Note:\n    fields: {t: string}\n"
    assert load_from_text(text).service.title == "Shop \U0001f600"


def load_from_text(text: str) -> Any:
    return validate_document(parse_document(text.encode(), "shop.yaml"))
