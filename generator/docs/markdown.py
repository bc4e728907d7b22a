"""Small Markdown helpers: code spans and tables that survive any cell text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def code(text: object) -> str:
    """An inline code span, also for text that contains backticks."""
    value = str(text)
    if "`" not in value:
        return f"`{value}`"
    fence = "``" if "``" not in value else "```"
    return f"{fence} {value} {fence}"


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
