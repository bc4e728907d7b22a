"""Synthetic domains of N entities that use every field type and relation kind.

`python benchmarks/synthetic.py 200 > domain.yaml` writes one; the benchmarks and the
scaling tests build them in memory with `synthetic_domain(n)`.
"""

from __future__ import annotations

import sys

_FIELDS = """\
      title: {{type: string, min_length: 1, max_length: 200, index: true}}
      code: {{type: string, pattern: "^[A-Z]{{3}}-[0-9]{{4}}$", unique: true}}
      notes: text?
      quantity: {{type: integer, minimum: 0, maximum: 100000}}
      ratio: number?
      price: {{type: decimal, minimum: 0, max_digits: 12, decimal_places: 2}}
      active: {{type: boolean, default: true}}
      due_on: date?
      seen_at: datetime?
      external_id: uuid?
      contact: email?
      homepage: url?
      attributes: json?
      status: Status
      secret: {{type: string, write_only: true, required: false, nullable: true}}
      serial: {{type: integer, read_only: true, default: 0}}
      origin: {{type: string, immutable: true, max_length: 50}}
"""


def synthetic_domain(entities: int) -> str:
    """A valid domain of `entities` entities, each related to the ones before it."""
    lines = [
        "scaffold: 1",
        "service:",
        f"  name: synthetic-{entities}",
        "  version: 1.0.0",
        "auth:",
        "  scheme: jwt",
        "enums:",
        "  Status: [draft, active, retired]",
        "entities:",
    ]
    for index in range(entities):
        name = f"Thing{index}"
        lines += [f"  {name}:", f"    description: Synthetic entity number {index}.", "    fields:"]
        lines += _FIELDS.format().rstrip("\n").split("\n")
        relations = []
        if index > 0:
            relations.append(f"      owner: {{to: Thing{index - 1}, kind: many_to_one, inverse: things{index}}}")
            relations.append(
                f"      twin: {{to: Thing{index - 1}, kind: one_to_one, required: false, on_delete: set_null}}"
            )
            relations.append(f"      peers: {{to: Thing{index - 1}, kind: many_to_many}}")
        relations.append(f"      parent: {{to: {name}, kind: many_to_one, required: false, on_delete: cascade}}")
        lines += ["    relations:", *relations]
        lines += [
            "    unique_together: [[title, parent]]",
            "    list:",
            "      filter: [status, active, quantity, price, due_on, parent]",
            "      sort: [title, quantity, due_on]",
            "      search: [title]",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(synthetic_domain(int(sys.argv[1]) if len(sys.argv) > 1 else 50))
