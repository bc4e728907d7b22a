"""Refresh what the template carries of the generator: the default domain and the filters.

`cookiecutter cookiecutter-service --no-input` must work without scaffold, so the
template carries the domain model and the generated files (contract, API models) of
`cookiecutter-service/default-domain.yaml` in cookiecutter.json, and a copy of
`generator/escape.py` (the escaping filters) as `local_extensions.py`. Run this after
changing either: `python scripts/sync_template.py` (`--check` only reports drift).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from generator.load import load_domain
from generator.project import template_context

TEMPLATE = Path(__file__).resolve().parents[1] / "cookiecutter-service"
DEFAULT_DOMAIN = TEMPLATE / "default-domain.yaml"
CONFIG = TEMPLATE / "cookiecutter.json"
FILTERS = TEMPLATE / "local_extensions.py"
FILTERS_SOURCE = Path(__file__).resolve().parents[1] / "generator" / "escape.py"
FILTERS_HEADER = "# A copy of generator/escape.py, written by scripts/sync_template.py: edit that file.\n"


def synced_config() -> str:
    config = json.loads(CONFIG.read_text(encoding="utf-8"))
    domain = load_domain(DEFAULT_DOMAIN)
    config.update(template_context(domain))
    return json.dumps(config, indent=2, ensure_ascii=False) + "\n"


def synced_filters() -> str:
    return FILTERS_HEADER + FILTERS_SOURCE.read_text(encoding="utf-8")


def main() -> int:
    wanted = {CONFIG: synced_config(), FILTERS: synced_filters()}
    if "--check" in sys.argv[1:]:
        stale = [path for path, text in wanted.items() if not path.is_file() or path.read_text("utf-8") != text]
        for path in stale:
            print(f"{path} is out of date: run python scripts/sync_template.py", file=sys.stderr)
        return 1 if stale else 0
    for path, text in wanted.items():
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
