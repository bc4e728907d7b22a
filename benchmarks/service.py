"""The generated service against a hand-written baseline, under wrk on loopback.

Contender: the service generated from benchmarks/domains/one-entity.yaml, as shipped: JWT
auth on every request, JSON access log (to a file), Prometheus metrics, request ids, body
limit, rate limiter in-process (budget raised so that it never answers 429).
Baseline: benchmarks/baseline/app.py, the same endpoints and table without any of that.
Both run in one environment (same FastAPI, SQLAlchemy, uvicorn with uvloop and httptools),
one uvicorn worker each, and are loaded in alternating runs.

Figures: requests/s and p50/p99 latency for GET by id, list (limit 50) and POST, on SQLite
and PostgreSQL; the rate limiter's cost on GET by id (off, in-process, Redis); and list
page 1 against a deep page of a large table (cursor against the baseline's offset).
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import BENCH, BIN, log, median, timed_env, venv

DOMAIN = BENCH / "domains" / "one-entity.yaml"
PACKAGE = "bench_items"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
REDIS = ("127.0.0.1", 6379)
SECRET = "benchmark-secret-0123456789abcdef-0123456789"
HUGE = 1_000_000_000
PREFIX = "/api/v1/items"
# Rows per page of the pagination-at-depth test: the list endpoint's default page size, so that
# page 1000 of 100,000 rows lies in the middle of the table (not at its end).
PAGE_SIZE = 50


@dataclass
class Server:
    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    port: int
    log_path: Path
    headers: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**self.env, "PORT": str(self.port), "HOST": "127.0.0.1"}
        with open(self.log_path, "wb") as output:
            self.process = subprocess.Popen(self.argv, cwd=self.cwd, env=env, stdout=output, stderr=subprocess.STDOUT)

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_path.read_text()[-1500:]}")
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=self.headers)
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer {path} within {timeout} s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def wrk(url: str, *, headers: dict[str, str], duration: int, script: Path | None = None) -> dict[str, Any]:
    argv = ["wrk", "-t2", "-c32", f"-d{duration}s", "--timeout", "10s", "--latency"]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    if script is not None:
        argv += ["-s", str(script)]
    done = subprocess.run([*argv, url], capture_output=True, text=True, timeout=duration + 30, check=False)
    return parse_wrk(done.stdout + done.stderr)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(text: str) -> dict[str, Any]:
    def latency(percent: str) -> float | None:
        found = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.MULTILINE)
        return float(found.group(1)) * _UNITS[found.group(2)] if found else None

    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"(\d+) requests in", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    result = {
        "rps": float(rps.group(1)) if rps else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "p50": latency("50"),
        "p99": latency("99"),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "errors": sum(int(value) for value in errors.groups()) if errors else 0,
    }
    if not rps:
        result["output"] = text[-500:]
    return result


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    good = [run for run in runs if run["non2xx"] == 0 and run["requests"] > 0]
    return {
        "rps": median([run["rps"] for run in good]),
        "p50": median([run["p50"] for run in good if run["p50"] is not None]),
        "p99": median([run["p99"] for run in good if run["p99"] is not None]),
        "runs": runs,
        "valid_runs": len(good),
    }


class Bench:
    def __init__(self, tools: Path, duration: int, runs: int) -> None:
        self.tools = tools
        self.work = tools / "work" / "service"
        self.duration = duration
        self.runs = runs
        self.notes: list[str] = []
        self.project = self.work / "one-entity"
        self.python = Path()
        self.env: dict[str, str] = {}
        self.token = ""
        self.pg_databases: list[str] = []

    # -- set-up ---------------------------------------------------------------------------
    def prepare(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        log("service: generating the one-entity service")
        subprocess.run([str(BIN / "scaffold"), "new", str(DOMAIN), "-o", str(self.project)], check=True)
        log("service: environment of both services")
        self.python = venv(self.tools / "service", "-e", str(self.project))
        env = timed_env(self.tools)
        env.update(
            {
                "ENVIRONMENT": "production",
                "JWT_SECRET": SECRET,
                "LOG_LEVEL": "INFO",
                "GRACEFUL_SHUTDOWN_TIMEOUT": "2",
                "RATE_LIMIT_ENABLED": "true",
            }
        )
        env.update(self._rate_settings(env))
        self.env = env
        minted = subprocess.run(
            [str(self.python), "-m", PACKAGE, "token", "--scope", "items:read items:write", "--ttl", "7200"],
            cwd=self.project,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        self.token = minted.stdout.strip()

    def _rate_settings(self, env: dict[str, str]) -> dict[str, str]:
        """A budget no load test reaches, in the documented `N/second` form if the service takes it."""
        documented = {"RATE_LIMIT_READ": f"{HUGE}/second", "RATE_LIMIT_WRITE": f"{HUGE}/second"}
        probe = f"from {PACKAGE}.settings import Settings; Settings()"
        done = subprocess.run(
            [str(self.python), "-c", probe],
            cwd=self.project,
            env={**env, **documented},
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0:
            return documented
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        self.notes.append(
            f"RATE_LIMIT_READ/RATE_LIMIT_WRITE in the documented `N/second` form stop the service from starting "
            f"({last[:160]}); the benchmark passes the budget as JSON instead."
        )
        encoded = json.dumps({"count": HUGE, "seconds": 1})
        return {"RATE_LIMIT_READ": encoded, "RATE_LIMIT_WRITE": encoded}

    def database(self, kind: str, label: str) -> str:
        """A new empty database for one service; returns its URL."""
        if kind == "sqlite":
            path = self.work / f"{label}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            return f"sqlite:///{path}"
        name = f"scaffold_bench_{label}".replace("-", "_")
        self._pg(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
        self.pg_databases.append(name)
        return PG_URL.format(name=name)

    def _pg(self, *statements: str) -> None:
        code = (
            "import sys, psycopg\n"
            "with psycopg.connect(sys.argv[1], autocommit=True) as connection:\n"
            "    for statement in sys.argv[2:]:\n"
            "        connection.execute(statement)\n"
        )
        subprocess.run(
            [str(self.python), "-c", code, PG_ADMIN, *statements], check=True, capture_output=True, timeout=60
        )

    def postgres_available(self) -> bool:
        try:
            self._pg("SELECT 1")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            return False
        return True

    def drop_databases(self) -> None:
        for name in self.pg_databases:
            try:
                self._pg(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            except subprocess.CalledProcessError:
                self.notes.append(f"could not drop the scratch database {name}")
        self.pg_databases.clear()

    def create_and_seed(self, target: str, url: str, rows: int, page: int) -> dict[str, Any]:
        env = {**self.env, "DATABASE_URL": url}
        if target == "generated":
            subprocess.run(
                [str(self.python), "-m", PACKAGE, "migrate"], cwd=self.project, env=env, check=True, capture_output=True
            )
        else:
            subprocess.run([str(self.python), str(BENCH / "baseline" / "app.py"), "create-tables"], env=env, check=True)
        seeded = subprocess.run(
            [
                str(self.python),
                str(BENCH / "seed.py"),
                target,
                str(rows),
                "--page",
                str(page),
                "--page-size",
                str(PAGE_SIZE),
            ],
            cwd=self.project,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return dict(json.loads(seeded.stdout))

    def generated(self, name: str, url: str, port: int, **extra: str) -> Server:
        env = {**self.env, "DATABASE_URL": url, **extra}
        return Server(
            name,
            [str(self.python), "-m", PACKAGE, "serve"],
            env,
            self.project,
            port,
            self.work / f"{name}.log",
            {"Authorization": f"Bearer {self.token}"},
        )

    def baseline(self, name: str, url: str, port: int) -> Server:
        env = {**self.env, "DATABASE_URL": url}
        argv = [str(self.python), "-m", "uvicorn", "app:app", "--app-dir", str(BENCH / "baseline")]
        argv += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"]
        return Server(name, argv, env, self.work, port, self.work / f"{name}.log")

    # -- load -------------------------------------------------------------------------------
    def load(self, cases: list[tuple[str, Server, str, Path | None]]) -> dict[str, dict[str, Any]]:
        """Each case (label, server, path, wrk script) `runs` times, in rotating order."""
        for _label, server, path, script in cases:  # warm-up: connections, caches
            wrk(f"http://127.0.0.1:{server.port}{path}", headers=server.headers, duration=1, script=script)
        collected: dict[str, list[dict[str, Any]]] = {label: [] for label, *_ in cases}
        for number in range(self.runs):
            shift = number % len(cases)
            for label, server, path, script in cases[shift:] + cases[:shift]:
                result = wrk(
                    f"http://127.0.0.1:{server.port}{path}",
                    headers=server.headers,
                    duration=self.duration,
                    script=script,
                )
                collected[label].append(result)
                if result["non2xx"] or not result["requests"]:
                    log(f"  {label}: {result['non2xx']} non-2xx responses, {result['requests']} requests")
        summary = {label: summarize(runs) for label, runs in collected.items()}
        for label, figures in summary.items():
            log(f"  {label:32} {figures['rps']} req/s p50 {figures['p50']} p99 {figures['p99']}")
        return summary


def run(tools: Path, *, duration: int, runs: int, rows: int, deep_rows: int, deep_page: int) -> dict[str, Any]:
    bench = Bench(tools, duration, runs)
    started = time.monotonic()
    bench.prepare()
    results: dict[str, Any] = {
        "duration": duration,
        "runs": runs,
        "rows": rows,
        "deep_rows": deep_rows,
        "deep_page": deep_page,
        "versions": _versions(bench.python),
    }
    kinds = ["sqlite"]
    if bench.postgres_available():
        kinds.append("postgresql")
    else:
        bench.notes.append("PostgreSQL at 127.0.0.1:5432 is not reachable: its figures are missing")
    redis_up = _reachable(*REDIS)
    if not redis_up:
        bench.notes.append("Redis at 127.0.0.1:6379 is not reachable: the Redis limiter figure is missing")
    try:
        for kind in kinds:
            log(f"service: {kind}, endpoints")
            results[kind] = endpoints(bench, kind, rows, limiter=(kind == "sqlite"), redis_up=redis_up)
            log(f"service: {kind}, pagination at depth")
            results[kind]["depth"] = depth(bench, kind, deep_rows, deep_page)
    finally:
        bench.drop_databases()
    results["notes"] = bench.notes
    results["seconds"] = time.monotonic() - started
    return results


def endpoints(bench: Bench, kind: str, rows: int, *, limiter: bool, redis_up: bool) -> dict[str, Any]:
    base_url = bench.database(kind, f"{kind}-baseline")
    gen_url = bench.database(kind, f"{kind}-generated")
    seeded = bench.create_and_seed("baseline", base_url, rows, 1)
    bench.create_and_seed("generated", gen_url, rows, 1)
    item = f"{PREFIX}/{seeded['id']}"
    servers = [bench.baseline("baseline", base_url, 18101), bench.generated("generated", gen_url, 18102)]
    if limiter:
        servers.append(bench.generated("limiter-off", gen_url, 18103, RATE_LIMIT_ENABLED="false"))
        # A diagnostic variant: LOG_LEVEL=WARNING skips the access log line of every request.
        servers.append(bench.generated("log-off", gen_url, 18106, LOG_LEVEL="WARNING"))
        if redis_up:
            servers.append(bench.generated("limiter-redis", gen_url, 18104, REDIS_URL="redis://127.0.0.1:6379/0"))
    if kind != "sqlite":
        # A diagnostic variant: the pool's pre-ping is one more round trip per request on a server database.
        servers.append(bench.generated("pre-ping-off", gen_url, 18105, DB_POOL_PRE_PING="false"))
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready(item)
        by_name = {server.name: server for server in servers}
        post = BENCH / "wrk" / "post.lua"
        result: dict[str, Any] = {}
        result["get"] = bench.load([(server.name, server, item, None) for server in servers])
        listing = f"{PREFIX}?limit=50"
        pair = [by_name["baseline"], by_name["generated"]]
        result["list"] = bench.load([(server.name, server, listing, None) for server in pair])
        result["post"] = bench.load([(server.name, server, PREFIX, post) for server in pair])
    finally:
        for server in servers:
            server.stop()
    return result


def depth(bench: Bench, kind: str, rows: int, page: int) -> dict[str, Any]:
    base_url = bench.database(kind, f"{kind}-baseline-deep")
    gen_url = bench.database(kind, f"{kind}-generated-deep")
    log(f"  seeding {rows} rows into each")
    base = bench.create_and_seed("baseline", base_url, rows, page)
    gen = bench.create_and_seed("generated", gen_url, rows, page)
    servers = [bench.baseline("baseline-deep", base_url, 18111), bench.generated("generated-deep", gen_url, 18112)]
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready(f"{PREFIX}?limit=1")
        baseline, generated = servers
        cases = [
            ("offset page 1", baseline, f"{PREFIX}?{base['page1']}", None),
            (f"offset page {page}", baseline, f"{PREFIX}?{base['deep']}", None),
            ("cursor page 1", generated, f"{PREFIX}?{gen['page1']}", None),
            (f"cursor page {page}", generated, f"{PREFIX}?{gen['deep']}", None),
        ]
        figures = bench.load(cases)
    finally:
        for server in servers:
            server.stop()
    return {"page": page, "rows": rows, "page_size": PAGE_SIZE, "figures": figures}


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _versions(python: Path) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json\n"
        "names = ['fastapi', 'starlette', 'sqlmodel', 'sqlalchemy', 'pydantic', 'uvicorn', 'uvloop', 'httptools',"
        " 'psycopg']\n"
        "print(json.dumps({n: m.version(n) for n in names}))\n"
    )
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    versions = json.loads(done.stdout) if done.returncode == 0 else {}
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    versions["wrk"] = (wrk_version.stdout + wrk_version.stderr).split("\n")[0].strip()
    return versions
