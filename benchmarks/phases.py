"""Where one `scaffold new` spends its time: `python benchmarks/phases.py DOMAIN OUT`.

Runs the generator in-process with its stages wrapped in timers and prints seconds per
stage as JSON. It explains the figures of the benchmark; it is not one of them.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

started = time.perf_counter()
from generator import project  # noqa: E402
from generator.load import load_domain  # noqa: E402

imported = time.perf_counter() - started
seconds: dict[str, float] = {}


def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start

    return wrapper


def main() -> int:
    domain_path, out = Path(sys.argv[1]), Path(sys.argv[2])
    for name in (
        "emit_contract",
        "validate_contract",
        "dump_yaml",
        "generate_api_models",
        "cookiecutter",
        "format_tree",
    ):
        setattr(project, name, timed(name, getattr(project, name)))
    start = time.perf_counter()
    domain = timed("load_domain", load_domain)(domain_path)
    project.new_project(domain, out, force=True)
    total = time.perf_counter() - start
    seconds["cookiecutter"] = seconds.get("cookiecutter", 0.0)
    accounted = sum(seconds.values())
    print(json.dumps({"import": imported, **seconds, "other": max(0.0, total - accounted), "total": total + imported}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
