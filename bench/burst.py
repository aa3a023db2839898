"""A burst of launches against a real server, beside the same launches with at most 10 in flight.

Usage: python bench/burst.py [--count N] [--database-url URL | --postgres]

Starts `latchlike serve` (engine on, built-in workflows registered) and launches the
built-in `hello_world` N times through `POST /api/.../executions`: first the baseline,
never more than 10 requests in flight, then all N at once. For each it prints how many
launches were accepted (201), the launch latency p50/p99 and whether every execution
SUCCEEDED. Target for the burst: all accepted, all succeeded, p99 < 1 s on SQLite.
`--postgres` starts a throw-away PostgreSQL 15 (tests/postgres.py: fsync off) for the run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from server import serve
from sqlalchemy import func, select

from latchlike.db import Database
from latchlike.executions.tables import ExecutionRow

HELLO = "/api/workflows/flytesnacks/development/workflows.hello.hello_world/executions"
BASELINE_IN_FLIGHT = 10
P99_TARGET_SECONDS = 1.0
DONE = ("SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT")


@dataclass(frozen=True)
class Round:
    label: str
    accepted: int
    latencies: list[float]
    names: list[str]
    seconds: float
    server_cpu: float
    client_cpu: float


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used (Linux): the server's own cost, whatever the load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def post_json(port: int, path: str, payload: object) -> tuple[int, bytes]:
    """One HTTP/1.1 POST on its own connection. A bare client on purpose: httpx's pool
    costs ~8 ms of CPU per request with 1,000 connections open, on the cores the server
    needs, and would measure itself rather than the server."""
    body = json.dumps(payload).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
    writer.write(f"{head}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
    await writer.drain()
    response = await reader.read()  # the server closes the connection after its answer
    writer.close()
    status_line, _, rest = response.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


async def launch_round(port: int, pid: int, label: str, count: int, in_flight: int) -> Round:
    gate = asyncio.Semaphore(in_flight)
    latencies: list[float] = []
    names: list[str] = []

    async def one(i: int) -> None:
        async with gate:
            start = time.perf_counter()
            status, body = await post_json(port, HELLO, {"inputs": {"name": f"{label}-{i}"}})
            latencies.append(time.perf_counter() - start)
        if status == 201:
            names.append(json.loads(body)["name"])

    start, cpu, own_cpu = time.perf_counter(), cpu_seconds(pid), time.process_time()
    await asyncio.gather(*(one(i) for i in range(count)))
    seconds = time.perf_counter() - start
    server_cpu, client_cpu = cpu_seconds(pid) - cpu, time.process_time() - own_cpu
    return Round(label, len(names), latencies, names, seconds, server_cpu, client_cpu)


def wait_until_done(db: Database, names: list[str], timeout: float) -> dict[str, int]:
    """Phase counts of the executions, once none is still running (or the time is up)."""
    deadline = time.monotonic() + timeout
    while True:
        with db.session() as session:
            rows = session.execute(
                select(ExecutionRow.phase, func.count())
                .where(ExecutionRow.name.in_(names))
                .group_by(ExecutionRow.phase)
            )
            phases = {phase: count for phase, count in rows}
        if sum(phases.get(p, 0) for p in DONE) == len(names) or time.monotonic() > deadline:
            return phases
        time.sleep(0.5)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def report(result: Round, count: int, phases: dict[str, int]) -> bool:
    succeeded = phases.get("SUCCEEDED", 0)
    all_ok = result.accepted == count and succeeded == count
    print(
        f"{result.label:<22} accepted {result.accepted:>5}/{count}   "
        f"p50 {statistics.median(result.latencies) * 1000:8.1f} ms   "
        f"p99 {percentile(result.latencies, 0.99) * 1000:8.1f} ms   "
        f"took {result.seconds:6.1f} s (CPU per launch: server {result.server_cpu / count * 1000:5.1f} ms, "
        f"client {result.client_cpu / count * 1000:5.1f} ms)   "
        f"succeeded {succeeded}/{count} "
        f"({'all' if all_ok else 'NOT ALL: ' + str(phases)})"
    )
    return all_ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL; default: SQLite in a temp dir")
    parser.add_argument("--postgres", action="store_true", help="on a throw-away PostgreSQL 15 server")
    parser.add_argument("--run-timeout", type=float, default=900, help="seconds to wait for the executions")
    args = parser.parse_args()
    if args.postgres:
        from tests.postgres import Cluster  # the repository root on PYTHONPATH, as for the tests

        cluster = Cluster()
        try:
            args.database_url = cluster.create_database()
            run(args)
        finally:
            cluster.stop()
    else:
        run(args)


def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        process, port = serve(data_dir, {"LATCHLIKE_DATABASE_URL": args.database_url} if args.database_url else {})
        db = Database(args.database_url or f"sqlite:///{data_dir / 'latchlike.db'}")
        try:
            baseline = asyncio.run(
                launch_round(port, process.pid, f"{BASELINE_IN_FLIGHT}-in-flight", args.count, BASELINE_IN_FLIGHT)
            )
            baseline_phases = wait_until_done(db, baseline.names, args.run_timeout)
            burst = asyncio.run(launch_round(port, process.pid, "all-at-once", args.count, args.count))
            burst_phases = wait_until_done(db, burst.names, args.run_timeout)
        finally:
            process.terminate()
            process.wait(timeout=30)
            db.dispose()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"Launches of hello_world through POST {HELLO} on {backend}, {args.count} each")
    report(baseline, args.count, baseline_phases)
    ok = report(burst, args.count, burst_phases)
    p99 = percentile(burst.latencies, 0.99)
    passed = ok and p99 < P99_TARGET_SECONDS
    print(f"target all accepted and succeeded, p99 < {P99_TARGET_SECONDS:.0f} s: {'PASS' if passed else 'FAIL'}")


if __name__ == "__main__":
    main()
