"""Generation speed: `scaffold validate|contract|new` on synthetic domains, and the peers.

Each figure is a cold process (a new interpreter per run, bytecode cached as after an
install). The peers run on the contract `scaffold contract` emits for the same domain:
fastapi-codegen (its own environment: it pins an older datamodel-code-generator) and
datamodel-codegen (the version scaffold itself uses, with the same options and ruff).
Runs of the tools are interleaved, so a noisy moment hurts every tool alike.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import BENCH, BIN, ROOT, Series, log, median, run_timed, timed_env, venv

sys.path.insert(0, str(BENCH))
from synthetic import synthetic_domain

SCAFFOLD = [str(BIN / "scaffold")]
TOOLS = ("validate", "contract", "new", "fastapi-codegen", "datamodel-codegen")
PEERS = ("fastapi-codegen", "datamodel-codegen")


def commands(tool: str, domain: Path, contract: Path, out: Path, fcg: Path) -> list[str]:
    if tool == "validate":
        return [*SCAFFOLD, "validate", str(domain)]
    if tool == "contract":
        return [*SCAFFOLD, "contract", str(domain), "-o", str(contract)]
    if tool == "new":
        return [*SCAFFOLD, "new", str(domain), "-o", str(out)]
    if tool == "fastapi-codegen":
        return [str(fcg), "--input", str(contract), "--output", str(out)]
    return [
        str(BIN / "datamodel-codegen"),
        "--input", str(contract),
        "--input-file-type", "openapi",
        "--output", str(out / "models.py"),
        "--output-model-type", "pydantic_v2.BaseModel",
        "--use-annotated",
        "--target-python-version", "3.11",
        "--formatters", "ruff-check", "ruff-format",
        "--disable-timestamp",
    ]  # fmt: skip


def run(
    tools_dir: Path, *, sizes: list[int], runs: dict[int, int], budget: float, bookstore_runs: int
) -> dict[str, Any]:
    work = tools_dir / "work" / "generation"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    log("generation: environment of fastapi-codegen")
    fcg = venv(tools_dir / "fastapi-codegen", "fastapi-code-generator>=0.5").parent / "fastapi-codegen"
    env = timed_env(tools_dir)
    started = time.monotonic()
    results: dict[str, Any] = {"sizes": sizes, "tools": {tool: {} for tool in TOOLS}}
    results["versions"] = _versions(fcg)

    def once(tool: str, domain: Path, contract: Path, timeout: float) -> Any:
        out = work / "out"
        shutil.rmtree(out, ignore_errors=True)
        if tool == "datamodel-codegen":
            out.mkdir()
        return run_timed(commands(tool, domain, contract, out, fcg), env=env, timeout=timeout)

    # Warm-up: bytecode caches and the page cache, for every tool, on the smallest domain.
    first = work / f"domain-{sizes[0]}.yaml"
    first.write_text(synthetic_domain(sizes[0]), encoding="utf-8")
    for tool in TOOLS:
        once(tool, first, work / f"openapi-{sizes[0]}.yaml", 300)

    # The bookstore example: issue 4's figure.
    bookstore = Series()
    for _ in range(bookstore_runs):
        timed = once("new", ROOT / "specs" / "examples" / "bookstore.yaml", work / "unused.yaml", 120)
        _record(bookstore, timed)
    results["bookstore_new"] = bookstore.as_dict()
    log(f"generation: bookstore new {median(bookstore.walls)}")
    results["bookstore_update"] = _update_series(work, env, bookstore_runs)
    log(f"generation: bookstore update {results['bookstore_update'].get('wall')}")
    results["diff_200"] = _diff_series(work, env, bookstore_runs)
    log(f"generation: diff of two 200-entity domains {results['diff_200'].get('wall')}")

    previous: dict[str, tuple[int, float]] = {}
    given_up: dict[str, str] = {}
    for size in sizes:
        domain = work / f"domain-{size}.yaml"
        domain.write_text(synthetic_domain(size), encoding="utf-8")
        contract = work / f"openapi-{size}.yaml"
        series = {tool: Series() for tool in TOOLS}
        for tool, reason in given_up.items():
            series[tool].status, series[tool].note = "skipped", reason
        wanted = runs.get(size, 1)
        remaining = budget - (time.monotonic() - started)
        # The cheapest tools first, as long as one run of each fits in what is left of the budget.
        active = [tool for tool in TOOLS if tool not in given_up]
        costs = {tool: _projection(previous.get(tool), size) for tool in active}
        total = 0.0
        for tool in sorted(active, key=lambda name: costs[name]):
            needs_contract = tool in PEERS and "contract" not in active
            if needs_contract or total + costs[tool] > remaining:
                series[tool].status = "skipped"
                series[tool].note = (
                    "no contract at this size"
                    if needs_contract
                    else f"one run projected at {costs[tool]:.0f} s (linear from the last size), over the budget"
                )
                if tool == "contract":
                    active = [name for name in active if name != "contract"]
            else:
                total += costs[tool]
        if total > 0:
            wanted = max(1, min(wanted, int(remaining // total)))
        projected = total
        log(f"generation: {size} entities, {wanted} run(s), projected {projected:.1f} s per run")
        for _ in range(wanted):
            for tool in TOOLS:
                if series[tool].status != "ok":
                    continue
                if tool in PEERS and not contract.exists():
                    series[tool].status, series[tool].note = "skipped", "no contract (scaffold contract failed)"
                    continue
                remaining = budget - (time.monotonic() - started)
                timeout = max(10.0, min(240.0, remaining))
                timed = once(tool, domain, contract, timeout)
                _record(series[tool], timed)
        for tool in TOOLS:
            entry = series[tool]
            results["tools"][tool][str(size)] = entry.as_dict()
            if entry.status == "ok" and entry.walls:
                previous[tool] = (size, median(entry.walls) or 0.0)
            elif entry.status in ("timeout", "failed", "skipped") and tool not in given_up:
                given_up[tool] = f"not run: {entry.status} at {size} entities"
            log(f"  {tool:18} {size:5}: wall {entry.as_dict()['wall']} cpu {entry.as_dict()['cpu']} {entry.status}")
        contract_size = contract.stat().st_size if contract.exists() else None
        results.setdefault("contract_bytes", {})[str(size)] = contract_size
    results["phases"] = phases(work, sizes, env)
    results["seconds"] = time.monotonic() - started
    return results


def _update_series(work: Path, env: dict[str, str], runs: int) -> dict[str, Any]:
    """`scaffold update` of the bookstore with one added field, each run from the same commit."""
    project = work / "bookstore-update"
    shutil.rmtree(project, ignore_errors=True)
    subprocess.run([*SCAFFOLD, "new", str(ROOT / "specs" / "examples" / "bookstore.yaml"), "-o", str(project)],
                   env=env, check=True, capture_output=True)  # fmt: skip
    domain = project / "domain.yaml"
    changed = domain.read_text(encoding="utf-8").replace(
        "      in_stock: {type: boolean, default: true}\n",
        "      in_stock: {type: boolean, default: true}\n      pages: {type: integer, default: 1}\n",
    )
    series = Series()
    for _ in range(runs):
        subprocess.run(["git", "reset", "-q", "--hard"], cwd=project, check=True)
        subprocess.run(["git", "clean", "-qfd"], cwd=project, check=True)
        domain.write_text(changed, encoding="utf-8")
        _record(series, run_timed([*SCAFFOLD, "update", str(project)], env=env, timeout=120))
    return series.as_dict()


def _diff_series(work: Path, env: dict[str, str], runs: int) -> dict[str, Any]:
    """`scaffold diff` of a 200-entity domain and a copy changed in every entity (an added
    member, a shorter string): about 1,400 changes, every check path taken."""
    old = work / "diff-old-200.yaml"
    new = work / "diff-new-200.yaml"
    text = synthetic_domain(200)
    old.write_text(text, encoding="utf-8")
    changed = text.replace("      ratio: number?\n", "      ratio: number?\n      extra: string?\n")
    new.write_text(changed.replace("max_length: 200, index: true", "max_length: 150, index: true"), encoding="utf-8")
    series = Series()
    for _ in range(runs):
        _record(series, run_timed([*SCAFFOLD, "diff", str(old), str(new), "--format", "json"], env=env, timeout=120))
    return series.as_dict()


def _record(series: Series, timed: Any) -> None:
    if timed.timed_out:
        series.status, series.note = "timeout", f"killed after {timed.wall:.0f} s"
    elif timed.returncode != 0:
        series.status = "failed"
        series.note = (timed.stderr.strip().splitlines() or ["exit status " + str(timed.returncode)])[-1][:300]
    else:
        series.walls.append(timed.wall)
        series.cpus.append(timed.cpu)


def _projection(last: tuple[int, float] | None, size: int) -> float:
    """Seconds one run at `size` should take, from the last size measured (linear growth)."""
    if last is None:
        return 0.0
    measured_size, seconds = last
    return seconds * size / measured_size


def phases(work: Path, sizes: list[int], env: dict[str, str]) -> dict[str, Any]:
    """Where one `scaffold new` spends its time: the bookstore example and 50 entities."""
    found: dict[str, Any] = {}
    size = max([size for size in sizes if size <= 50] or [sizes[0]])
    for label, domain in (
        ("bookstore", ROOT / "specs" / "examples" / "bookstore.yaml"),
        (f"{size} entities", work / f"domain-{size}.yaml"),
    ):
        out = work / "phases-out"
        shutil.rmtree(out, ignore_errors=True)
        result = subprocess.run(
            [sys.executable, str(BENCH / "phases.py"), str(domain), str(out)],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            found[label] = {"error": result.stderr[-500:]}
        else:
            found[label] = json.loads(result.stdout)
    return found


def growth(results: dict[str, Any], tool: str, low: int, high: int) -> float | None:
    """Exponent k of time ~ entities^k between two sizes (1 = linear)."""
    entries = results["tools"][tool]
    a, b = entries.get(str(low), {}).get("wall"), entries.get(str(high), {}).get("wall")
    if not a or not b:
        return None
    return math.log(b / a) / math.log(high / low)


def _versions(fcg: Path) -> dict[str, str]:
    def version(python: Path, distribution: str) -> str:
        code = f"import importlib.metadata as m; print(m.version({distribution!r}))"
        done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
        return done.stdout.strip() or "?"

    return {
        "scaffold": version(Path(sys.executable), "scaffold"),
        "datamodel-code-generator": version(Path(sys.executable), "datamodel-code-generator"),
        "fastapi-code-generator": version(fcg.parent / "python", "fastapi-code-generator"),
        "datamodel-code-generator (in fastapi-codegen)": version(fcg.parent / "python", "datamodel-code-generator"),
    }
