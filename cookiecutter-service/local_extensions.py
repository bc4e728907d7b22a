# A copy of generator/escape.py, written by scripts/sync_template.py: edit that file.
"""Domain text as literals of each language the project is written in.

A domain file is untrusted input (it arrives in pull requests and CI generates and runs the
result), so a title, description, example or pattern reaches generated code only through
one of these functions: each returns a literal that evaluates (or renders) to exactly the
given text, whatever it holds. The template uses them as Jinja filters (`py`, `pydoc`,
`toml`, `yaml`, `md`, `sh`) through `EscapeExtension`; the generator's Markdown uses `markdown`.
"""

from __future__ import annotations

import math
import os
import re
import shlex
import unicodedata
from collections.abc import Callable
from typing import Any

# Resolved at import, while the working directory is still the caller's: the post-generation
# hook (a separate process, in the rendered project) loads these filters from this file.
SOURCE_FILE = os.path.abspath(__file__)


def _hex_escape(char: str, *, short: bool) -> str:
    code = ord(char)
    if code < 0x100 and short:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _is_surrogate(char: str) -> bool:
    return 0xD800 <= ord(char) <= 0xDFFF


def _quoted(text: str, named: dict[str, str], *, short_hex: bool) -> str:
    """`text` between double quotes: printable characters as they are, the rest escaped."""
    out = []
    for char in text:
        if char in named:
            out.append(named[char])
        elif char.isprintable() and not _is_surrogate(char):
            out.append(char)
        else:
            out.append(_hex_escape(char, short=short_hex))
    return '"' + "".join(out) + '"'


_PY_NAMED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_TOML_NAMED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_YAML_NAMED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x00": "\\0"}


def python_string(text: str) -> str:
    """A Python string literal whose value is `text` (astral characters stay one character)."""
    return _quoted(text, _PY_NAMED, short_hex=True)


def python_literal(value: Any) -> str:
    """A Python expression for a JSON-like value: strings, numbers, booleans, None, lists, dicts."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, str):
        return python_string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} has no literal")
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(python_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{python_literal(k)}: {python_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"{type(value).__name__} has no literal")


def python_docstring(text: str) -> str:
    """The body of a triple-quoted docstring that reads as `text` and cannot end it early.

    Quotes and backslashes are escaped, so no run of quotes closes the string; line breaks
    other than newline (which a docstring may hold) are escaped, and so is a trailing quote.
    """
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\n")
        elif char == "\t":
            out.append("    ")
        elif char.isprintable() and not _is_surrogate(char):
            out.append(char)
        else:
            out.append(_hex_escape(char, short=True))
    return "".join(out)


def toml_string(text: str) -> str:
    """A TOML basic string whose value is `text`; TOML cannot hold a lone surrogate."""
    if any(_is_surrogate(char) for char in text):
        raise ValueError("a lone surrogate has no TOML form")
    return _quoted(text, _TOML_NAMED, short_hex=False)


def yaml_string(text: str) -> str:
    """A double-quoted YAML scalar whose value is `text` (YAML 1.1 and 1.2 read it alike)."""
    return _quoted(text, _YAML_NAMED, short_hex=True)


# Characters with a meaning anywhere in a CommonMark/GFM line; escaped with a backslash.
_MARKDOWN_INLINE = set("\\`*_[]<>|~&")
# At the start of a line these begin a block (heading, list, quote, rule, table, setext).
_MARKDOWN_BLOCK_START = set("#+-=")
_ORDERED_ITEM = re.compile(r"^(\d{1,9})([.)])")


def markdown(text: str) -> str:
    """Inline Markdown that renders as `text`: no markup, no HTML, on one line.

    Domain text is shown as text: every run of whitespace becomes one space (a description
    stays in its paragraph or table cell, as HTML would fold it anyway), and every character that could
    start a construct is escaped. `&`, `<` and `>` become entities, so no HTML gets through;
    a control character becomes U+FFFD, as a renderer would show it.
    """
    flat = " ".join(text.split())
    out = []
    for char in flat:
        if char == "&":
            out.append("&amp;")
        elif char == "<":
            out.append("&lt;")
        elif char == ">":
            out.append("&gt;")
        elif char in _MARKDOWN_INLINE:
            out.append("\\" + char)
        elif unicodedata.category(char) in ("Cc", "Cs"):
            out.append("\ufffd")  # what readers show for a control character anyway
        elif not char.isprintable():
            out.append(f"&#x{ord(char):X};")
        else:
            out.append(char)
    result = "".join(out)
    if result[:1] in _MARKDOWN_BLOCK_START:
        result = "\\" + result
    match = _ORDERED_ITEM.match(result)
    if match:
        result = match.group(1) + "\\" + result[len(match.group(1)) :]
    return result


def shell_word(text: str) -> str:
    """One shell word (also for Dockerfile `RUN` lines) whose value is `text`."""
    if "\n" in text or "\r" in text or "\x00" in text:
        raise ValueError("a shell word cannot hold a line break or NUL here")
    return shlex.quote(text)


FILTERS: dict[str, Callable[..., str]] = {
    "py": python_literal,
    "pydoc": python_docstring,
    "toml": toml_string,
    "yaml": yaml_string,
    "md": markdown,
    "sh": shell_word,
}


def __getattr__(name: str) -> Any:
    """`EscapeExtension`, defined on first use: most of scaffold escapes text without Jinja."""
    if name != "EscapeExtension":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from jinja2 import Environment
    from jinja2.ext import Extension

    class EscapeExtension(Extension):
        """Adds the filters to a Jinja environment (cookiecutter's `_extensions`, the hook's)."""

        def __init__(self, environment: Environment) -> None:
            super().__init__(environment)
            environment.filters.update(FILTERS)
            environment.globals["escape_filters_file"] = SOURCE_FILE

    globals()["EscapeExtension"] = EscapeExtension
    return EscapeExtension
