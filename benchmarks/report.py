"""benchmarks/results/results.md and the PNG plots, from raw.json."""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

TOOL_LABELS = {
    "validate": "scaffold validate",
    "contract": "scaffold contract",
    "new": "scaffold new",
    "fastapi-codegen": "fastapi-codegen (peer)",
    "datamodel-codegen": "datamodel-codegen (peer)",
}
PHASE_LABELS = {
    "import": "imports",
    "load_domain": "load + validate domain",
    "emit_contract": "emit contract",
    "validate_contract": "openapi-spec-validator",
    "dump_yaml": "contract YAML",
    "generate_api_models": "datamodel-code-generator",
    "cookiecutter": "cookiecutter render + hook",
    "format_tree": "ruff fix + format",
    "other": "other",
}
LINEAR_EXPONENT = 1.2


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def rate(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} req/s"


def millis(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} ms"


def ratio(value: float | None, baseline: float | None) -> float | None:
    if value is None or not baseline:
        return None
    return value / baseline


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


class Table:
    def __init__(self) -> None:
        self.rows: list[list[str]] = []

    def add(
        self, figure: str, value: str, baseline: str, ratio_text: str, target: str, met: bool | None, why: str = ""
    ) -> None:
        if met is None:
            verdict = "not measured" + (f": {why}" if why else "") if value == "—" else "no target"
            if value != "—" and why:
                verdict += f" ({why})"
        else:
            verdict = "yes" if met else "**no**" + (f": {why}" if why else "")
        self.rows.append([figure, value, baseline, ratio_text, target, verdict])

    def markdown(self) -> str:
        head = ["Figure", "Value", "Baseline", "Ratio", "Target", "Met?"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


def _wall(generation: dict[str, Any], tool: str, size: int) -> float | None:
    entry = generation.get("tools", {}).get(tool, {}).get(str(size), {})
    return entry.get("wall") if entry.get("status") == "ok" else None


def _cpu(generation: dict[str, Any], tool: str, size: int) -> float | None:
    entry = generation.get("tools", {}).get(tool, {}).get(str(size), {})
    return entry.get("cpu") if entry.get("status") == "ok" else None


def _status(generation: dict[str, Any], tool: str, size: int) -> str:
    entry = generation.get("tools", {}).get(tool, {}).get(str(size))
    if not entry:
        return "size not in this run"
    return f"{entry['status']}: {entry.get('note')}" if entry.get("status") != "ok" else ""


def exponent(generation: dict[str, Any], tool: str, low: int, high: int) -> float | None:
    a, b = _wall(generation, tool, low), _wall(generation, tool, high)
    if not a or not b:
        return None
    return math.log(b / a) / math.log(high / low)


def _phase_reason(generation: dict[str, Any], label: str) -> str:
    phases = (generation.get("phases") or {}).get(label) or {}
    if not isinstance(phases, dict) or "total" not in phases:
        return ""
    parts = sorted(((k, v) for k, v in phases.items() if k in PHASE_LABELS), key=lambda kv: -kv[1])[:3]
    listed = ", ".join(f"{PHASE_LABELS[k]} {v:.1f} s" for k, v in parts)
    return f"{label}, {phases['total']:.1f} s in-process: {listed}"


def _contract_reason(generation: dict[str, Any], label: str) -> str:
    phases = (generation.get("phases") or {}).get(label) or {}
    if not isinstance(phases, dict) or "validate_contract" not in phases:
        return "openapi-spec-validator's walk of the document dominates"
    return (
        f"openapi-spec-validator's walk of the document dominates: at {label}, in-process, "
        f"validating takes {phases['validate_contract']:.1f} s, emitting {phases.get('emit_contract', 0.0):.1f} s"
    )


def generation_rows(table: Table, generation: dict[str, Any]) -> None:
    labels = list((generation.get("phases") or {}).keys())
    reason = _phase_reason(generation, labels[-1]) if labels else ""
    for tool, size, limit in (("validate", 200, 1.0), ("contract", 200, 1.0)):
        value = _wall(generation, tool, size)
        why = _status(generation, tool, size) if value is None else ""
        cpu = _cpu(generation, tool, size)
        if value is not None and value >= limit and cpu is not None and cpu < limit:
            why = f"CPU time {cpu:.2f} s is under the target: the wall time is the machine's load"
        elif value is not None and value >= limit and tool == "contract":
            why = _contract_reason(generation, labels[-1] if labels else "")
        elif value is not None and value >= limit:
            why = f"CPU time {cpu:.2f} s: loading and validating the domain in Python"
        table.add(
            f"`{TOOL_LABELS[tool]}`, {size} entities",
            seconds(value),
            "—",
            "—",
            f"< {limit:.0f} s",
            None if value is None else value < limit,
            why,
        )
    book = generation.get("bookstore_new", {})
    value = book.get("wall") if book.get("status") == "ok" else None
    table.add(
        "`scaffold new` bookstore example",
        seconds(value),
        "—",
        "—",
        "< 3 s",
        None if value is None else value < 3.0,
        _phase_reason(generation, "bookstore") if value and value >= 3 else "",
    )
    update = generation.get("bookstore_update", {})
    value = update.get("wall") if update.get("status") == "ok" else None
    table.add(
        "`scaffold update` bookstore, one added field",
        seconds(value),
        "—",
        "—",
        "< 3 s",
        None if value is None else value < 3.0,
        "",
    )
    diff = generation.get("diff_200", {})
    value = diff.get("wall") if diff.get("status") == "ok" else None
    table.add(
        "`scaffold diff`, two 200-entity domains (~1,400 changes)",
        seconds(value),
        "—",
        "—",
        "< 1 s",
        None if value is None else value < 1.0,
        "",
    )
    for size, limit in ((50, 2.0), (200, 5.0)):
        value = _wall(generation, "new", size)
        peer = _wall(generation, "fastapi-codegen", size)
        quotient = ratio(value, peer)
        target = f"< {limit:.0f} s" + (" and < fastapi-codegen" if size == 50 else "")
        met = None
        why = _status(generation, "new", size) if value is None else ""
        if value is not None:
            met = value < limit and (size != 50 or (peer is not None and value < peer))
            if not met:
                why = reason if size == 50 or not reason else f"the stages grow with the entities; at {reason}"
        table.add(
            f"`scaffold new`, {size} entities",
            seconds(value),
            f"{seconds(peer)} fastapi-codegen",
            f"{quotient:.2f}x" if quotient else "—",
            target,
            met,
            why,
        )
    for low, high in ((50, 200), (200, 1000)):
        k = exponent(generation, "new", low, high)
        peer = exponent(generation, "fastapi-codegen", low, high)
        text = "—" if k is None else f"time ∝ N^{k:.2f}"
        base = "—" if peer is None else f"N^{peer:.2f} fastapi-codegen"
        why = "" if k is not None else _status(generation, "new", high)
        if k is not None and k > LINEAR_EXPONENT:
            why = "a stage grows faster than the entity count"
        table.add(
            f"Growth of `scaffold new`, {low}→{high} entities",
            text,
            base,
            "—",
            f"linear (exponent ≤ {LINEAR_EXPONENT})",
            None if k is None else k <= LINEAR_EXPONENT,
            why,
        )


def _fig(service: dict[str, Any], kind: str, endpoint: str, name: str) -> dict[str, Any]:
    return service.get(kind, {}).get(endpoint, {}).get(name, {})


def service_rows(table: Table, service: dict[str, Any]) -> None:
    for kind, title in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        for endpoint, label, target in (
            ("get", "GET by id", 0.9),
            ("list", "list (limit 50)", 0.9),
            ("post", "POST", None),
        ):
            contender = _fig(service, kind, endpoint, "generated").get("rps")
            baseline = _fig(service, kind, endpoint, "baseline").get("rps")
            quotient = ratio(contender, baseline)
            why = ""
            if quotient is not None and target is not None and quotient < target:
                why = "the generated stack (auth, JSON log, metrics, request id, limiter) costs more than 10%"
                for variant, what in (
                    ("limiter-off", "without the limiter"),
                    ("log-off", "without the access log"),
                    ("pre-ping-off", "without pool pre-ping"),
                ):
                    other = _fig(service, kind, endpoint, variant).get("rps")
                    if other and baseline:
                        why += f"; {what} {other / baseline:.0%}"
            if contender is None:
                why = "not run"
            table.add(
                f"{label} req/s, {title}",
                rate(contender),
                rate(baseline),
                percent(quotient),
                f"≥ {target:.0%} of baseline" if target else "—",
                None if target is None or quotient is None else quotient >= target,
                why,
            )
    off = _fig(service, "sqlite", "get", "limiter-off").get("rps")
    for name, label in (("generated", "in-process"), ("limiter-redis", "Redis")):
        value = _fig(service, "sqlite", "get", name).get("rps")
        table.add(
            f"Rate limiter {label}, GET by id req/s (SQLite)",
            rate(value),
            f"{rate(off)} limiter off",
            percent(ratio(value, off)),
            "— (issue 8: show the cost)",
            None,
        )
    for kind, title in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        deep = service.get(kind, {}).get("depth")
        if not deep:
            table.add(f"Cursor p99 deep page / page 1, {title}", "—", "—", "—", "< 1.5", None, "not run")
            continue
        page = deep["page"]

        def depth_ratio(pagination: str, figure: str, deep: dict[str, Any] = deep) -> float | None:
            """Deep page over page 1, for `cursor` or `offset`."""
            figures, page = deep["figures"], deep["page"]
            first = figures.get(f"{pagination} page 1", {}).get(figure)
            return ratio(figures.get(f"{pagination} page {page}", {}).get(figure), first)

        cursor, offset = depth_ratio("cursor", "p99"), depth_ratio("offset", "p99")
        table.add(
            f"Cursor pagination p99, page {page} / page 1 of {deep['rows']:,} rows, {title}",
            "—" if cursor is None else f"{cursor:.2f}",
            "—" if offset is None else f"{offset:.2f} offset",
            "—",
            "< 1.5",
            None if cursor is None else cursor < 1.5,
            (
                "the keyset condition `col > v OR (col = v AND id > w)` is no bounded index range: "
                "the database reads every row after the cursor (adding `col >= v` bounds it)"
            )
            if cursor is not None and cursor >= 1.5
            else "",
        )
        cursor_p50, offset_p50 = depth_ratio("cursor", "p50"), depth_ratio("offset", "p50")
        cursor_rps, offset_rps = depth_ratio("cursor", "rps"), depth_ratio("offset", "rps")
        table.add(
            f"Same, p50 ratio (req/s ratio), {title}",
            "—" if cursor_p50 is None else f"{cursor_p50:.2f} ({percent(cursor_rps)})",
            "—" if offset_p50 is None else f"{offset_p50:.2f} ({percent(offset_rps)}) offset",
            "—",
            "—",
            None,
            "under saturation p99 is mostly queueing noise; p50 and req/s show the cost per request",
        )


def generation_detail(generation: dict[str, Any]) -> str:
    sizes = generation.get("sizes", [])
    pairs = list(itertools.pairwise(sizes))
    head = [f"{size} entities" for size in sizes] + [f"growth {low}→{high}" for low, high in pairs]
    lines = ["| Tool | " + " | ".join(head) + " |", "|---|" + "---|" * len(head)]
    for tool, label in TOOL_LABELS.items():
        cells = []
        for size in sizes:
            entry = generation["tools"][tool].get(str(size), {})
            if entry.get("status") == "ok" and entry.get("wall") is not None:
                cells.append(f"{entry['wall']:.2f} s (CPU {entry['cpu']:.2f} s, n={entry['runs']})")
            else:
                cells.append(f"{entry.get('status', '—')}: {entry.get('note', '')}".strip(": "))
        for low, high in pairs:
            k = exponent(generation, tool, low, high)
            cells.append("—" if k is None else f"N^{k:.2f}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _detail_row(kind: str, endpoint: str, name: str, figures: dict[str, Any]) -> str:
    cells = [kind, endpoint, name, rate(figures["rps"]), millis(figures["p50"]), millis(figures["p99"])]
    cells.append(f"{figures['valid_runs']}/{len(figures['runs'])}")
    return "| " + " | ".join(cells) + " |"


def service_detail(service: dict[str, Any]) -> str:
    lines = ["| Database | Endpoint | Service | req/s | p50 | p99 | valid runs |", "|---|---|---|---|---|---|---|"]
    for kind in ("sqlite", "postgresql"):
        for endpoint in ("get", "list", "post"):
            for name, figures in service.get(kind, {}).get(endpoint, {}).items():
                lines.append(_detail_row(kind, endpoint, name, figures))
        deep = service.get(kind, {}).get("depth")
        if deep:
            for name, figures in deep["figures"].items():
                lines.append(_detail_row(kind, f"list, {deep.get('page_size', 100)} per page", name, figures))
    return "\n".join(lines)


def plots(raw: dict[str, Any], results: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    generation = raw.get("generation")
    if generation:
        figure, axes = plt.subplots(figsize=(7, 4.5))
        for tool, label in TOOL_LABELS.items():
            points = [(size, _wall(generation, tool, size)) for size in generation["sizes"]]
            points = [(size, value) for size, value in points if value]
            if points:
                axes.plot(*zip(*points, strict=True), marker="o", label=label)
        targets = [(50, 2.0), (200, 5.0), (200, 1.0)]
        axes.scatter(
            *zip(*targets, strict=True), marker="x", color="black", zorder=3, label="targets (new 50/200, 200)"
        )
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("entities in the domain")
        axes.set_ylabel("median wall time of a cold process (s)")
        axes.set_title("Generation time by domain size")
        axes.grid(True, which="both", alpha=0.3)
        axes.legend()
        figure.tight_layout()
        figure.savefig(results / "generation.png", dpi=110)
        plt.close(figure)
        written.append("generation.png")
    service = raw.get("service")
    if service:
        labels, base_values, gen_values = [], [], []
        for kind, title in (("sqlite", "SQLite"), ("postgresql", "PG")):
            for endpoint in ("get", "list", "post"):
                base = _fig(service, kind, endpoint, "baseline").get("rps")
                gen = _fig(service, kind, endpoint, "generated").get("rps")
                if base or gen:
                    labels.append(f"{endpoint}\n{title}")
                    base_values.append(base or 0)
                    gen_values.append(gen or 0)
        if labels:
            figure, axes = plt.subplots(figsize=(7, 4.5))
            positions = range(len(labels))
            axes.bar([p - 0.2 for p in positions], base_values, 0.4, label="hand-written baseline")
            axes.bar(
                [p + 0.2 for p in positions], gen_values, 0.4, label="generated (auth, log, metrics, ids, limiter)"
            )
            axes.set_xticks(list(positions), labels)
            axes.set_ylabel("requests/s (median)")
            axes.set_title("Generated service vs baseline, wrk -c32, one worker")
            axes.legend()
            figure.tight_layout()
            figure.savefig(results / "service.png", dpi=110)
            plt.close(figure)
            written.append("service.png")
        groups = [
            (kind, service[kind]["depth"]) for kind in ("sqlite", "postgresql") if service.get(kind, {}).get("depth")
        ]
        if groups:
            figure, axes = plt.subplots(figsize=(7, 4.5))
            names, values = [], []
            for kind, deep in groups:
                page = deep["page"]
                for name in ("offset page 1", f"offset page {page}", "cursor page 1", f"cursor page {page}"):
                    names.append(f"{kind}\n{name}")
                    values.append(deep["figures"].get(name, {}).get("p99") or 0)
            axes.bar(range(len(names)), values, color=["#999", "#555", "#6a6", "#282"] * len(groups))
            axes.set_xticks(list(range(len(names))), names, fontsize=7)
            axes.set_ylabel("p99 latency (ms)")
            axes.set_title("List page 1 vs a deep page: offset baseline vs cursor")
            figure.tight_layout()
            figure.savefig(results / "pagination.png", dpi=110)
            plt.close(figure)
            written.append("pagination.png")
    return written


def write(raw: dict[str, Any], results: Path) -> tuple[str, list[str]]:
    table = Table()
    generation, service = raw.get("generation"), raw.get("service")
    if generation:
        generation_rows(table, generation)
    if service:
        service_rows(table, service)
    images = plots(raw, results)
    machine = raw.get("machine", {})
    parts = [
        "# Benchmark results",
        "",
        f"Run {machine.get('date', '?')} on {machine.get('cpus', '?')} CPUs ({machine.get('platform', '?')}, "
        f"Python {machine.get('python', '?')}), load average {machine.get('load_before', '?')} before and "
        f"{machine.get('load_after', '?')} after; {machine.get('seconds', '?')} s in all"
        + (" — **quick run: short and few runs, not figures to quote**" if machine.get("quick") else "")
        + ". Medians of several runs; ratios against baselines measured in the same run. "
        + _stage_dates(raw)
        + "Regenerate with `nox -s bench`.",
        "",
        table.markdown(),
        "",
    ]
    if generation:
        parts += [
            "## Generation",
            "",
            "Median wall time of a cold process (CPU time: user + system, children included), "
            "on synthetic domains (`benchmarks/synthetic.py`: every field type and relation kind). "
            "The peers run on the contract `scaffold contract` emits for the same domain. "
            "Growth: the exponent k of time ∝ N^k between two sizes "
            "(1 = linear; fixed start-up costs pull it below 1).",
            "",
            generation_detail(generation),
            "",
        ]
        for label, phases in (generation.get("phases") or {}).items():
            if isinstance(phases, dict) and "total" in phases:
                parts += [
                    f"Where `scaffold new` spends its time ({label}, one in-process run): "
                    + ", ".join(f"{PHASE_LABELS[k]} {v:.2f} s" for k, v in phases.items() if k in PHASE_LABELS)
                    + f"; total {phases['total']:.2f} s.",
                    "",
                ]
        versions = generation.get("versions", {})
        parts += ["Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()), ""]
    if service:
        parts += [
            "## Generated service",
            "",
            f"wrk -t2 -c32 -d{service['duration']}s, {service['runs']} alternating runs per case (median), "
            f"one uvicorn worker per service, loopback; table seeded with {service['rows']:,} rows "
            f"(deep pages: {service['deep_rows']:,} rows, 50 per page). The generated service runs as shipped: "
            "JWT on every request, JSON access log, metrics, request ids, body limit, in-process rate limiter "
            "(budget raised above the load). `limiter-off`, `limiter-redis`, `log-off` and `pre-ping-off` are "
            "the same service with `RATE_LIMIT_ENABLED=false`, `REDIS_URL`, `LOG_LEVEL=WARNING` and "
            "`DB_POOL_PRE_PING=false`.",
            "",
            service_detail(service),
            "",
            "Versions: " + ", ".join(f"{k} {v}" for k, v in service.get("versions", {}).items()),
            "",
        ]
        for note in service.get("notes", []):
            parts += [f"- Note: {note}"]
        parts.append("")
    for image in images:
        parts += [f"![{image}]({image})", ""]
    (results / "results.md").write_text("\n".join(parts), encoding="utf-8")
    return table.markdown(), images


START, END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"


def _stage_dates(raw: dict[str, Any]) -> str:
    """A sentence naming the run of each stage, when `--only` left one from an earlier run."""
    latest = raw.get("machine", {}).get("date")
    earlier = [
        f"the {stage} figures are from the run of {raw[stage].get('date', 'an earlier date')}"
        for stage in ("generation", "service")
        if stage in raw and raw[stage].get("date") != latest
    ]
    return f"This run did not measure everything: {'; '.join(earlier)}. " if earlier else ""


def update_readme(readme: Path, raw: dict[str, Any], table: str, images: list[str]) -> None:
    """Put the latest table and plot between the markers of the README's Benchmarks section."""
    machine = raw.get("machine", {})
    image = "service.png" if "service.png" in images else (images[0] if images else None)
    block = [
        START,
        f"Latest run: {machine.get('date', '?')}, {machine.get('cpus', '?')} CPUs, load average "
        f"{machine.get('load_before', '?')} at the start (figures from a busy machine are noisy). "
        + _stage_dates(raw)
        + "Details, all sizes and every latency: [benchmarks/results/results.md](benchmarks/results/results.md).",
        "",
        table,
        "",
    ]
    if image:
        block += [f"![benchmark plot](benchmarks/results/{image})", ""]
    block.append(END)
    text = readme.read_text(encoding="utf-8")
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + "\n".join(block) + after
    else:
        intro = (
            "\n## Benchmarks\n\n"
            "`nox -s bench` (under 15 minutes on 2 cores) times `scaffold validate|contract|new` on synthetic domains "
            "of 10 to 1000 entities against fastapi-codegen and datamodel-codegen, and loads the generated service "
            "with wrk against a hand-written FastAPI + SQLModel baseline (`benchmarks/baseline/`) on SQLite and "
            "PostgreSQL; it writes `benchmarks/results/` and refreshes this section. "
            "`nox -s bench -- --quick` checks the harness in a few minutes.\n\n"
        )
        text = text.rstrip("\n") + "\n" + intro + "\n".join(block) + "\n"
    readme.write_text(text, encoding="utf-8")
