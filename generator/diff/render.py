"""A diff report as text (a terminal), Markdown (a pull-request comment) or JSON (tools)."""

from __future__ import annotations

import json

from ..docs.markdown import code, table, text
from .codes import LEVELS
from .report import Report


def render(report: Report, form: str) -> str:
    return {"text": as_text, "markdown": as_markdown, "json": as_json}[form](report)


def summary(report: Report) -> str:
    """One line: the count per level and the bump, e.g. `1 breaking, 2 info: a major bump`."""
    if not report.changes:
        return "no changes"
    counts = report.counts()
    parts = ", ".join(f"{counts[level]} {level}" for level in LEVELS if counts[level])
    bump = f"a {report.bump} version bump" if report.bump != "none" else "no version bump"
    return f"{parts}: {bump}"


def as_text(report: Report) -> str:
    lines = [f"{report.old} -> {report.new}: {summary(report)}"]
    lines.extend(
        f"{change.location}: {change.level} {change.layer} {change.code}: {change.message}" for change in report.changes
    )
    return "\n".join(lines) + "\n"


def as_markdown(report: Report) -> str:
    heading = f"### Domain change: {text(summary(report))}"
    lines = [heading, "", f"{code(report.old)} → {code(report.new)}", ""]
    if report.changes:
        rows = [
            (change.level, change.layer, code(change.code), text(change.message), code(change.location))
            for change in report.changes
        ]
        lines.append(table(("Level", "Layer", "Check", "Change", "Where"), rows))
        lines.append("")
    return "\n".join(lines)


def as_json(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
