"""A 10,000-item map task against a simulated cluster: the engine and the kubernetes executor
at the scale research groups fan out to.

Usage: python bench/cluster.py [--items N]

The fake core/v1 pods API the tests use runs in a child process; its kubelet succeeds
each pod at once, writing the item's `outputs.pb` as the task would. This process runs
the engine as the server does (a step every 200 ms) with the kubernetes executor.
Printed: the time until all pods were created, the engine process's CPU time (and its threads',
by job: event loop, steps, API calls, watch) and peak
memory, the API requests it made per pod, and the lag from each pod's status change (in
the fake) to the execution's data showing the item succeeded (a reader polling the
database every 50 ms, as the execution page reads it, in a process started before the
launch). Baseline "client-loop", the floor: the same manifests the engine sent, created
straight through the kubernetes client with no engine, against the same fake in a child
process of its own (same kubelet), over as many connections as the executor uses, with
one watch open and read as any client following its pods must; in the same run, after
the engine's. The fake is the bottleneck of both (its own CPU while creating is printed
for each): the ratio says what the engine costs on top of what this API server can take.
Its CPU until the last pod succeeded is printed too: the slower the creates, the more of
the kubelet's and the watch's work for the earlier pods falls before the last create.
Targets: all pods created within 1.5× the client loop, RSS under 1 GB, p99 lag under 1 s.
The machine's load average is printed: the engine and the fake share 2 cores with other
jobs, and a ratio measured under a load that changes mid-run says little.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flyteidl.core import literals_pb2
from running import launch, register, step_until_done
from serialization import serialize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the fake cluster lives with the tests

from latchlike.config import Settings
from latchlike.engine.executors.kubernetes import API_THREADS, KubernetesExecutor
from latchlike.engine.executors.kubernetes_create import create_pod
from latchlike.engine.executors.pods import PodSettings
from latchlike.engine.loop import Engine
from latchlike.platform import Platform, open_platform
from tests.k8s.fake_api import FakeApiServer, FakeCluster, always

SUBMIT_TARGET_RATIO, RSS_TARGET_MB, LAG_TARGET_SECONDS = 1.5, 1024.0, 1.0
STEP_SECONDS, READ_SECONDS = 0.2, 0.05
MODULE = """
from flytekit import map_task, task, workflow


@task
def item(x: int) -> int:
    return x


@workflow
def wide(xs: list[int]) -> list[int]:
    return map_task(item)(x=xs)
"""


def write_outputs(pod: dict[str, Any]) -> None:
    """The kubelet's stand-in for the task: the item's own output, where the args say."""
    container = pod["spec"]["containers"][0]
    command = container["command"]
    prefix = Path(command[command.index("--output-prefix") + 1])
    index = next(int(e["value"]) for e in container["env"] if e["name"] == "FLYTE_K8S_ARRAY_INDEX")
    literal = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=index)))
    prefix.mkdir(parents=True, exist_ok=True)
    (prefix / "outputs.pb").write_bytes(literals_pb2.LiteralMap(literals={"o0": literal}).SerializeToString())


def cluster_process(port_queue: Any, stop: Any, results: Any) -> None:
    """The fake API server, until its client has stopped (the engine's clean-up calls count too)."""
    cluster = FakeCluster(behaviour=always("succeed"), on_success=write_outputs)
    with FakeApiServer(cluster) as server:
        port_queue.put(server.api().api_client.configuration.host)
        stop.wait()
        changed = {pod["metadata"]["labels"]["latchlike.io/node"]: at for pod, at in cluster.succeeded_at}
        cpu = cluster.created_cpu[-1] - cluster.created_cpu[0] if cluster.created else 0.0
        # Until the last pod succeeded: the same work in both runs (a slower run does more of
        # the kubelet's and the watch's share of it before its last create).
        total = max(cluster.succeeded_cpu, default=0.0) - cluster.created_cpu[0] if cluster.created else 0.0
        results.put({"created": cluster.created_at, "requests": dict(cluster.requests), "left": len(cluster.pods),
                     "changed": changed, "manifests": cluster.created, "cpu": cpu, "total_cpu": total})  # fmt: skip


def reader_process(ready: Any, stop: Any, results: Any, database: str, items: int) -> None:
    """A reader noting when each item first shows as succeeded, as the execution page would
    see it; in a process of its own, so its polling does not slow the fake API server. Each
    poll reads the items finished since the last one (with a second's overlap): a poll costs
    what changed, not every item so far, so the reader does not grow into the engine's way."""
    seen: dict[str, float] = {}
    since = ""
    ready.set()  # its start-up (imports) is over before the launch: none of it in the engine's way
    started = _cpu_seconds()
    query = ("SELECT node_id, finished_at FROM node_executions"
             " WHERE kind='item' AND phase='SUCCEEDED' AND finished_at >= ?")  # fmt: skip
    while True:
        stopped = stop.is_set()
        if len(seen) < items:
            with sqlite3.connect(database) as connection:
                now = time.time()
                for node_id, finished_at in connection.execute(query, (since,)):
                    seen.setdefault(node_id, now)
                    since = max(since, _second_before(finished_at))
        if stopped:
            break
        time.sleep(READ_SECONDS)
    results.put((seen, _cpu_seconds() - started))


def _second_before(timestamp: str) -> str:
    """SQLite keeps timestamps as ISO text, ordered as text."""
    return (datetime.fromisoformat(timestamp) - timedelta(seconds=1)).isoformat(sep=" ")


def write_package(root: Path) -> None:
    package = root / "benchwide"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "wide.py").write_text(MODULE)


def run_engine(platform: Platform, host: str, items: int) -> tuple[float, dict[str, float]]:
    """Launch and step the engine until the execution ends; the launch's wall-clock time, and
    the CPU seconds of the engine's threads by their job (`_threads_cpu`)."""
    from kubernetes import client

    configuration = client.Configuration()
    configuration.host = host
    api = client.CoreV1Api(client.ApiClient(configuration))
    executor = KubernetesExecutor(api, PodSettings(namespace="bench"), log_dir=platform.settings.data_dir / "logs")
    launched_at = time.time()
    execution = launch(platform, "benchwide.wide.wide", {"xs": list(range(items))})
    before = _threads_cpu()  # the main thread's start-up (imports, registering) is not the event loop's
    threads: dict[str, float] = {}

    async def until_done() -> None:
        engine = Engine(platform, executor, poll_seconds=STEP_SECONDS)
        try:
            await step_until_done(platform, engine, execution, STEP_SECONDS)
            after = _threads_cpu()  # before `close` ends the executor's threads
            threads.update({job: seconds - before.get(job, 0.0) for job, seconds in after.items()})
        finally:
            await engine.stop()
            await executor.close()

    asyncio.run(until_done())
    return launched_at, threads


THREAD_JOBS = {"MainThread": "event loop", "asyncio": "steps", "pod-api": "API calls", "pod-watch": "watch"}


def _threads_cpu() -> dict[str, float]:
    """CPU seconds of this process's live threads, summed by job (Linux's per-thread counters):
    the engine's threads share one GIL, so their sum bounds how fast it can create pods."""
    ticks = os.sysconf("SC_CLK_TCK")
    by_job: dict[str, float] = {}
    for thread in threading.enumerate():
        try:
            stat = Path(f"/proc/self/task/{thread.native_id}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # from the state on: utime, stime are the 12th and 13th
        job = THREAD_JOBS.get(thread.name.split("_")[0], "other")
        by_job[job] = by_job.get(job, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return by_job


def client_loop(manifests: list[dict[str, Any]]) -> tuple[float, float, float]:
    """The floor: the same pods created as the executor creates them (`create_pod`, the
    client's REST layer), with no engine, against the same fake in its own process (same
    kubelet, one watch open and read), over as many connections as the executor uses.
    Seconds from the first create to the last, and the fake's CPU seconds until then and
    until the last pod succeeded."""
    from kubernetes import client

    context = multiprocessing.get_context("spawn")
    ports, stop, results = context.Queue(), context.Event(), context.Queue()
    fake = context.Process(target=cluster_process, args=(ports, stop, results))
    fake.start()
    configuration = client.Configuration()
    configuration.host = ports.get(timeout=60)
    api = client.CoreV1Api(client.ApiClient(configuration))
    watch = threading.Thread(target=_read_watch, args=(api, len(manifests)), daemon=True)
    watch.start()

    with ThreadPoolExecutor(API_THREADS) as calls:
        list(calls.map(lambda manifest: create_pod(api, "bench", manifest), manifests))
    watch.join(120)
    stop.set()
    figures = results.get(timeout=120)
    fake.join(30)
    return max(figures["created"]) - min(figures["created"]), figures["cpu"], figures["total_cpu"]


def _read_watch(api: Any, pods: int) -> None:
    """Follow the pods as any client must to learn how they end, until all have."""
    response = api.list_namespaced_pod(
        "bench", label_selector="app.kubernetes.io/managed-by=latchlike", resource_version="0",
        watch=True, timeout_seconds=120, _preload_content=False,
    )  # fmt: skip
    ended = 0
    pending = b""
    for chunk in response.stream(amt=None, decode_content=False):
        *lines, pending = (pending + chunk).split(b"\n")
        for line in lines:
            if line.strip() and json.loads(line)["object"].get("status", {}).get("phase") == "Succeeded":
                ended += 1
        if ended >= pods:
            break
    response.release_conn()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["PYTHONPATH"] = str(root)
        platform = open_platform(Settings(data_dir=root / "data", register_builtin_workflows=False))
        write_package(root)
        register(platform, serialize(root, "benchwide", root / "pb"))
        ports, stop, results, seen = context.Queue(), context.Event(), context.Queue(), context.Queue()
        reading = context.Event()
        database = str(root / "data" / "latchlike.db")
        fake = context.Process(target=cluster_process, args=(ports, stop, results))
        reader = context.Process(target=reader_process, args=(reading, stop, seen, database, args.items))
        fake.start()
        reader.start()
        reading.wait(60)
        load_before = os.getloadavg()[0]
        cpu_before = _cpu_seconds()
        wall_before = time.perf_counter()
        launched_at, threads = run_engine(platform, ports.get(timeout=60), args.items)
        wall = time.perf_counter() - wall_before
        cpu = _cpu_seconds() - cpu_before
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        stop.set()
        figures, (visible, reader_cpu) = results.get(timeout=120), seen.get(timeout=120)
        fake.join(30)
        reader.join(30)
        platform.db.dispose()
        # In the same store: the floor's kubelet writes where the engine's pods did.
        baseline, baseline_fake_cpu, baseline_fake_total = client_loop(figures["manifests"])
        load_after = os.getloadavg()[0]
    submitted = max(figures["created"]) - launched_at
    changed = figures["changed"]
    lags = sorted(at - changed[node] for node, at in visible.items() if node in changed)
    p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))]
    ratio = submitted / baseline
    per_pod = ", ".join(f"{kind} {count / args.items:.2f}" for kind, count in sorted(figures["requests"].items()))
    print(f"A map task over {args.items} items on a simulated cluster (engine step {STEP_SECONDS * 1000:.0f} ms)")
    print(f"{'load average (1 min), start / end':<44} {load_before:8.1f}   / {load_after:.1f}")
    print(f"{'first pod created after launch':<44} {min(figures['created']) - launched_at:8.1f} s")
    print(f"{'all pods created after launch':<44} {submitted:8.1f} s   {ratio:.2f}× the client loop")
    print(f"{'baseline client-loop (same pods, no engine)':<44} {baseline:8.1f} s   {API_THREADS} connections, a watch")
    print(f"{'execution done after launch':<44} {wall:8.1f} s")
    print(f"{'engine process CPU':<44} {cpu:8.1f} s")
    jobs = ", ".join(f"{job} {seconds:.1f} s" for job, seconds in sorted(threads.items(), key=lambda item: -item[1]))
    print(f"{'  of which, by thread':<44} {jobs}")
    print(f"{'engine process peak RSS':<44} {rss_mb:8.0f} MB")
    print(f"{'fake API CPU while creating, engine / loop':<44} {figures['cpu']:8.1f} s / {baseline_fake_cpu:.1f} s")
    total = f"{figures['total_cpu']:8.1f} s / {baseline_fake_total:.1f} s"
    print(f"{'fake API CPU until all succeeded, engine / loop':<44} {total}")
    print(f"{'status reader CPU (engine run)':<44} {reader_cpu:8.1f} s")
    print(f"{'status change → visible, median':<44} {statistics.median(lags):8.2f} s   p99 {p99:.2f} s")
    print(f"{'API requests per pod':<44} {per_pod}; pods left {figures['left']}")
    print(f"target created < {SUBMIT_TARGET_RATIO}× the client loop: {_verdict(ratio < SUBMIT_TARGET_RATIO)}")
    print(f"target RSS < {RSS_TARGET_MB:.0f} MB: {_verdict(rss_mb < RSS_TARGET_MB)}")
    print(f"target p99 lag < {LAG_TARGET_SECONDS:.0f} s: {_verdict(p99 < LAG_TARGET_SECONDS)}")


def _verdict(met: bool) -> str:
    return "PASS" if met else "FAIL"


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
