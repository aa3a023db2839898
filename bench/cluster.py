"""A 10,000-item map task against a simulated cluster: the engine and the kubernetes executor
at the scale research groups fan out to.

Usage: python bench/cluster.py [--items N]

The fake core/v1 pods API the tests use runs in a child process; its kubelet succeeds
each pod at once, writing the item's `outputs.pb` as the task would. This process runs
the engine as the server does (a step every 200 ms) with the kubernetes executor.
Printed: the time until all pods were created, the engine process's CPU time and peak
memory, the API requests it made per pod, and the lag from each pod's status change (in
the fake) to the execution's data showing the item succeeded (a reader polling the
database every 50 ms, as the execution page reads it). Baseline "client-loop": the same
pods created one after another straight through the kubernetes client, no engine, in the
same run. Targets: all pods created within 1.5× the client loop, RSS under 1 GB, p99 lag
under 1 s. Before the executor stopped reading and deleting each pod (three calls per
pod), this measured 2.9× the client loop and 3.4 s p99 lag with 10,000 items; the client
loop then left each answer unread, so every create opened a connection (16.3 s then).
The engine then started every item in its first step (7 s at 10,000 items before the
first pod); it now starts a batch per step, and a step costs what changed, not the items:
first pod 0.1 s, all 17.1 s (3.0× a 5.7 s client loop), p99 lag 0.99 s, 245 MB (load 2-5).
The engine hands out its last item well before the pods are all made: what remains is the
executor's creates against this fake, which also runs the kubelet and the watch.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from flyteidl.core import literals_pb2
from running import launch, register, step_until_done
from serialization import serialize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the fake cluster lives with the tests

from latchlike.config import Settings
from latchlike.engine.executors.kubernetes import KubernetesExecutor
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
    """The fake API server, until the engine has stopped (its clean-up calls count too)."""
    cluster = FakeCluster(behaviour=always("succeed"), on_success=write_outputs)
    with FakeApiServer(cluster) as server:
        port_queue.put(server.api().api_client.configuration.host)
        stop.wait()
        changed = {pod["metadata"]["labels"]["latchlike.io/node"]: at for pod, at in cluster.succeeded_at}
        results.put({"created": cluster.created_at, "requests": dict(cluster.requests), "left": len(cluster.pods),
                     "changed": changed})  # fmt: skip


def reader_process(stop: Any, results: Any, database: str, items: int) -> None:
    """A reader noting when each item first shows as succeeded, as the execution page would
    see it; in a process of its own, so its polling does not slow the fake API server."""
    seen: dict[str, float] = {}
    while True:
        stopped = stop.is_set()
        if len(seen) < items:
            with sqlite3.connect(database) as connection:
                now = time.time()
                query = "SELECT node_id FROM node_executions WHERE kind='item' AND phase='SUCCEEDED'"
                for (node_id,) in connection.execute(query):
                    seen.setdefault(node_id, now)
        if stopped:
            break
        time.sleep(READ_SECONDS)
    results.put(seen)


def write_package(root: Path) -> None:
    package = root / "benchwide"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "wide.py").write_text(MODULE)


def run_engine(platform: Platform, host: str, items: int) -> float:
    """Launch and step the engine until the execution ends; the launch's wall-clock time."""
    from kubernetes import client

    configuration = client.Configuration()
    configuration.host = host
    api = client.CoreV1Api(client.ApiClient(configuration))
    executor = KubernetesExecutor(api, PodSettings(namespace="bench"), log_dir=platform.settings.data_dir / "logs")
    launched_at = time.time()
    execution = launch(platform, "benchwide.wide.wide", {"xs": list(range(items))})

    async def until_done() -> None:
        engine = Engine(platform, executor, poll_seconds=STEP_SECONDS)
        try:
            await step_until_done(platform, engine, execution, STEP_SECONDS)
        finally:
            await engine.stop()
            await executor.close()

    asyncio.run(until_done())
    return launched_at


def client_loop(items: int) -> float:
    """Baseline: the same number of pods created in a plain loop, seconds for all."""
    from kubernetes import client

    with FakeApiServer(FakeCluster(behaviour=always("hang"))) as server:
        api = server.api()
        start = time.perf_counter()
        for i in range(items):
            manifest = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"baseline-{i}"},
                        "spec": {"containers": [{"name": "task", "image": "bench:1"}]}}  # fmt: skip
            response = api.create_namespaced_pod("bench", manifest, _preload_content=False)
            response.drain_conn()  # read, unparsed: the connection goes back to the pool
            response.release_conn()
        elapsed = time.perf_counter() - start
        assert isinstance(api, client.CoreV1Api)
    return elapsed


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
        database = str(root / "data" / "latchlike.db")
        fake = context.Process(target=cluster_process, args=(ports, stop, results))
        reader = context.Process(target=reader_process, args=(stop, seen, database, args.items))
        fake.start()
        reader.start()
        cpu_before = _cpu_seconds()
        wall_before = time.perf_counter()
        launched_at = run_engine(platform, ports.get(timeout=60), args.items)
        wall = time.perf_counter() - wall_before
        cpu = _cpu_seconds() - cpu_before
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        stop.set()
        figures, visible = results.get(timeout=120), seen.get(timeout=120)
        fake.join(30)
        reader.join(30)
        platform.db.dispose()
    baseline = client_loop(args.items)
    submitted = max(figures["created"]) - launched_at
    changed = figures["changed"]
    lags = sorted(at - changed[node] for node, at in visible.items() if node in changed)
    p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))]
    ratio = submitted / baseline
    per_pod = ", ".join(f"{kind} {count / args.items:.2f}" for kind, count in sorted(figures["requests"].items()))
    print(f"A map task over {args.items} items on a simulated cluster (engine step {STEP_SECONDS * 1000:.0f} ms)")
    print(f"{'first pod created after launch':<44} {min(figures['created']) - launched_at:8.1f} s")
    print(f"{'all pods created after launch':<44} {submitted:8.1f} s   {ratio:.2f}× the client loop")
    print(f"{'baseline client-loop (same pods, no engine)':<44} {baseline:8.1f} s")
    print(f"{'execution done after launch':<44} {wall:8.1f} s")
    print(f"{'engine process CPU':<44} {cpu:8.1f} s")
    print(f"{'engine process peak RSS':<44} {rss_mb:8.0f} MB")
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
