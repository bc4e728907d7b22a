"""Refresh the template's built-in default domain in cookiecutter.json.

`cookiecutter cookiecutter-service --no-input` must work without scaffold, so the
template carries the domain model and the generated files (contract, API models) of
`cookiecutter-service/default-domain.yaml`. Run this after changing that file or the
generator: `python scripts/sync_template.py` (`--check` only reports drift).
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


def synced_config() -> str:
    config = json.loads(CONFIG.read_text(encoding="utf-8"))
    domain = load_domain(DEFAULT_DOMAIN)
    config.update(template_context(domain))
    return json.dumps(config, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    text = synced_config()
    if "--check" in sys.argv[1:]:
        if CONFIG.read_text(encoding="utf-8") != text:
            print(f"{CONFIG} is out of date: run python scripts/sync_template.py", file=sys.stderr)
            return 1
        return 0
    CONFIG.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
