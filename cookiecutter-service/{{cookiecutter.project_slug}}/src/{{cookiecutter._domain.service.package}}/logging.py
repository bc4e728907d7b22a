"""Structured logs: one JSON object per line on standard output.

Request bodies are never logged, so `write_only` values (secrets) never reach a log line:
database errors are raised with their parameters hidden (see `db.py`), and validation errors
are logged without the values that failed.
"""

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from pydantic import ValidationError

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if fields:
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)

    def formatException(self, ei: ExcInfo | tuple[None, None, None]) -> str:  # noqa: N802
        exc = ei[1]
        if not isinstance(exc, ValidationError):
            return super().formatException(ei)
        # The default message repeats every input value, which may be a secret.
        errors = exc.errors(include_input=False, include_url=False, include_context=False)
        trace = "".join(traceback.format_tb(exc.__traceback__))
        return f"Traceback (most recent call last):\n{trace}{type(exc).__name__}: {errors}"


def configure_logging(level: str) -> None:
    """Send every log record (the server's too) through one JSON handler."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    # The access middleware logs each request; the server's own access log would repeat it.
    logging.getLogger("uvicorn.access").disabled = True
