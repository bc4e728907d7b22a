"""Each escaper gives a literal that the language's own reader turns back into the same text."""

from __future__ import annotations

import ast
import io
import subprocess
import tomllib

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from ruamel.yaml import YAML

from generator import escape
from tests.test_hostile_text import SPECIAL, folded, rendered

ANY_TEXT = st.one_of(st.sampled_from(SPECIAL), st.text(st.characters(exclude_categories=("Cs",)), max_size=40))
WITH_SURROGATES = st.text(max_size=20)  # lone surrogates included


@given(WITH_SURROGATES)
def test_python_string_reads_back(text: str) -> None:
    literal = escape.python_string(text)
    assert ast.literal_eval(literal) == text
    assert literal.isascii() or literal.encode("utf-8")  # always writable as UTF-8 source
    assert "\n" not in literal


SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | ANY_TEXT
JSON_LIKE = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3), max_leaves=8
)


@given(JSON_LIKE)
def test_python_literal_reads_back(value: object) -> None:
    assert ast.literal_eval(escape.python_literal(value)) == value


def test_python_literal_refuses_what_has_no_literal() -> None:
    with pytest.raises(ValueError):
        escape.python_literal(float("nan"))
    with pytest.raises(TypeError):
        escape.python_literal(object())


@given(ANY_TEXT)
def test_python_docstring_is_one_docstring_with_the_text(text: str) -> None:
    source = f'"""{escape.python_docstring(text)}"""\nx = 1\n'
    module = ast.parse(source)
    assert len(module.body) == 2  # the docstring and `x = 1`: nothing got out of the string
    assert ast.get_docstring(module, clean=False) == text.replace("\t", "    ")


@given(ANY_TEXT)
def test_toml_string_reads_back(text: str) -> None:
    assert tomllib.loads(f"value = {escape.toml_string(text)}\n") == {"value": text}


def test_toml_string_refuses_a_lone_surrogate() -> None:
    with pytest.raises(ValueError, match="surrogate"):
        escape.toml_string("a\ud800")


@given(ANY_TEXT)
def test_yaml_string_reads_back_in_yaml_1_1_and_1_2(text: str) -> None:
    document = f"value: {escape.yaml_string(text)}\n"
    assert yaml.safe_load(document) == {"value": text}
    assert YAML(typ="safe").load(io.StringIO(document)) == {"value": text}


@settings(max_examples=30)
@given(ANY_TEXT.filter(lambda s: "\n" not in s and "\r" not in s and "\x00" not in s))
def test_shell_word_is_one_word_with_the_text(text: str) -> None:
    result = subprocess.run(["bash", "-c", f"printf '%s' {escape.shell_word(text)}"], capture_output=True, check=True)
    assert result.stdout.decode("utf-8", "surrogateescape") == text


@given(ANY_TEXT)
def test_markdown_shows_the_text_and_nothing_else(text: str) -> None:
    shown, tags = rendered(f"Before {escape.markdown(text)} after.")
    assert tags == ["p"]  # one paragraph: no heading, list, quote, link, emphasis, code or HTML
    assert shown == folded(f"Before {text} after.")


@given(ANY_TEXT)
def test_markdown_in_a_table_cell_stays_in_its_cell(text: str) -> None:
    document = f"| a | b |\n| --- | --- |\n| {escape.markdown(text)} | x |\n"
    html = MarkdownIt("commonmark").enable("table").render(document)
    assert html.count("<td>") == 2


@given(ANY_TEXT.filter(lambda s: folded(s) != ""))
def test_markdown_at_the_start_of_a_line_is_still_a_paragraph(text: str) -> None:
    shown, tags = rendered(escape.markdown(text) + "\n")
    assert tags == ["p"]
    assert shown == folded(text)
