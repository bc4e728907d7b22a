"""Run the benchmarks and write benchmarks/results/ (`nox -s bench` runs this).

    python benchmarks/run.py                    # everything (~13 minutes on 2 cores)
    python benchmarks/run.py --quick            # short runs, to check the harness
    python benchmarks/run.py --only generation  # or: --only service
    python benchmarks/run.py --report-only      # rebuild results.md and the plots from raw.json

Tool environments and scratch files go under --tools (default .nox/bench-tools).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, log


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short runs, small domains (a harness check)")
    parser.add_argument("--only", choices=["generation", "service"], help="run one stage; keep the other's results")
    parser.add_argument(
        "--readme",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="refresh README.md's Benchmarks section (default: after a full run, not after --quick)",
    )
    parser.add_argument("--report-only", action="store_true", help="only rebuild the report from raw.json")
    parser.add_argument("--tools", type=Path, default=ROOT / ".nox" / "bench-tools", help="scratch directory")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results", help="output directory")
    args = parser.parse_args()
    args.results.mkdir(parents=True, exist_ok=True)
    raw_path = args.results / "raw.json"
    raw = json.loads(raw_path.read_text()) if raw_path.exists() else {}
    if not args.report_only:
        args.tools.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        raw["machine"] = {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": _cpus(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "quick": args.quick,
            "load_before": _load(),
        }
        if args.only in (None, "generation"):
            import generation

            if args.quick:
                settings = {"sizes": [10, 50], "runs": {10: 2, 50: 1}, "budget": 120.0, "bookstore_runs": 2}
            else:
                settings = {
                    "sizes": [10, 50, 200, 1000],
                    "runs": {10: 3, 50: 3, 200: 1, 1000: 1},
                    "budget": 420.0,
                    "bookstore_runs": 3,
                }
            raw["generation"] = generation.run(args.tools, **settings)  # type: ignore[arg-type]
            raw["generation"]["date"] = raw["machine"]["date"]
            raw_path.write_text(json.dumps(raw, indent=1))
        if args.only in (None, "service"):
            import service

            if args.quick:
                settings = {"duration": 2, "runs": 1, "rows": 1000, "deep_rows": 20_000, "deep_page": 200}
            else:
                settings = {"duration": 3, "runs": 3, "rows": 1000, "deep_rows": 100_000, "deep_page": 1000}
            raw["service"] = service.run(args.tools, **settings)  # type: ignore[arg-type]
            raw["service"]["date"] = raw["machine"]["date"]
            raw_path.write_text(json.dumps(raw, indent=1))
        raw["machine"]["seconds"] = round(time.monotonic() - started)
        raw["machine"]["load_after"] = _load()
        raw_path.write_text(json.dumps(raw, indent=1))
        log(f"done in {raw['machine']['seconds']} s")
    import report

    table, images = report.write(raw, args.results)
    log(f"wrote {args.results / 'results.md'}")
    if args.readme or (args.readme is None and not raw.get("machine", {}).get("quick")):
        report.update_readme(ROOT / "README.md", raw, table, images)
        log("updated the Benchmarks section of README.md")
    return 0


def _load() -> str:
    import os

    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    sys.exit(main())
