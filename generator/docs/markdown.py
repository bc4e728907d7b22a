"""Small Markdown helpers: code spans and tables that survive any cell text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..escape import markdown as text

__all__ = ["code", "codes", "join_words", "table", "text"]


def code(value: object) -> str:
    """An inline code span, also for text that contains backticks (the fence is one longer)."""
    content = re.sub("[\r\n\u2028\u2029\x85]", " ", str(value))
    if "`" not in content:
        return f"`{content}`"
    fence = "`" * (max(len(run) for run in re.findall("`+", content)) + 1)
    return f"{fence} {content} {fence}"


def codes(items: Iterable[object]) -> str:
    return ", ".join(code(item) for item in items)


def join_words(items: Iterable[str]) -> str:
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _cell(text: str) -> str:
    # A pipe ends a cell even inside a code span (GFM), a newline ends the row.
    return text.replace("|", "\\|").replace("\n", " ")


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = [
        "| " + " | ".join(_cell(h) for h in headers) + " |",
        "| " + " | ".join("---" for _ in headers) + " |",
    ]
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return "\n".join(lines)
