"""A failure while rendering a template, as one message naming the template file and line.

A fork's author needs to know which of their files broke, not read a Jinja traceback:
syntax errors carry their place, undefined variables are found in the traceback's template
frames, and the post-generation hook writes what failed (file:line: message) to the file
named by `SCAFFOLD_HOOK_ERRORS`, since cookiecutter runs it as a separate process.
"""

from __future__ import annotations

import traceback
from pathlib import Path

import jinja2
from cookiecutter.exceptions import FailedHookException, UndefinedVariableInTemplate

HOOK_ERRORS = "SCAFFOLD_HOOK_ERRORS"


def template_failure(error: BaseException, copy: Path, source: Path, hook_errors: Path) -> str:
    """`TEMPLATE_FILE:LINE: what failed`, the file given under `source` (the template as named)."""
    if isinstance(error, FailedHookException):
        written = hook_errors.read_text(encoding="utf-8").strip() if hook_errors.is_file() else ""
        if written:
            return f"the template's post-generation hook failed: {_under(source, written)}"
        return f"the template's post-generation hook failed ({error}); its output is above"
    cause: BaseException = error.error if isinstance(error, UndefinedVariableInTemplate) else error
    if isinstance(cause, jinja2.TemplateSyntaxError) and cause.filename:
        return f"{_place(cause.filename, cause.lineno, copy, source)}: template syntax error: {cause.message}"
    frame = _template_frame(cause, copy)
    what = getattr(cause, "message", None) or str(cause)
    if frame is not None:
        return f"{_place(frame[0], frame[1], copy, source)}: {what}"
    return f"rendering the template {source} failed: {what}"


def _template_frame(error: BaseException, copy: Path) -> tuple[str, int] | None:
    """The innermost traceback frame in a file of the template (Jinja rewrites frames to them)."""
    found = None
    root = copy.resolve()
    for frame in traceback.extract_tb(error.__traceback__):
        path = _in_copy(frame.filename, copy)
        if frame.lineno and path.is_file() and path.is_relative_to(root):
            found = (str(path), frame.lineno)
    return found


def _in_copy(filename: str, copy: Path) -> Path:
    """cookiecutter renders from inside the template's project directory (`{{cookiecutter.x}}`):
    a relative name is relative to it, or to the template's root."""
    path = Path(filename)
    if path.is_absolute():
        return path.resolve()
    roots = [child for child in sorted(copy.iterdir()) if child.is_dir() and "{{" in child.name]
    for root in (*roots, copy):
        if (root / path).is_file():
            return (root / path).resolve()
    return (copy / path).resolve()


def _place(filename: str, line: int | None, copy: Path, source: Path) -> str:
    path = _in_copy(filename, copy)
    try:
        relative = path.relative_to(copy.resolve())
    except ValueError:
        relative = path
    return f"{source / relative}:{line or 1}"


def _under(source: Path, written: str) -> str:
    """The hook's `RELATIVE:LINE: message` lines with the template's path in front."""
    return "\n".join(f"{source}/{line}" if line and not line.startswith("/") else line for line in written.splitlines())
