"""Per-task dispatch overhead of the local executor, against flytekit's own in-process run.

Usage: python bench/dispatch.py [--iterations N]

A one-task workflow (`x + 1`) is registered; each iteration launches it and steps the
engine until it has SUCCEEDED, so the figure is everything latchlike adds around one
trivial task: writing inputs.pb, starting `pyflyte-execute` in its own process (cold:
the process imports flytekit), reading outputs.pb, recording state. Baseline
"flytekit-local": the same workflow called in-process by flytekit's local execution
(no process, no store). Cold: a new `pyflyte-execute` process; warm: forked from the
fork server, which imported flytekit once. Target for warm: < 50 ms median.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys
import tempfile
from pathlib import Path

from running import launch, register, step_until_done
from serialization import serialize
from timing import measure, report

from latchlike.config import Settings
from latchlike.engine.executors.local import LocalExecutor
from latchlike.engine.loop import Engine
from latchlike.platform import Platform, open_platform
from latchlike.specs.sources import package_sources

WARM_TARGET_MS = 50.0
MODULE = """
from flytekit import task, workflow


@task
def inc(x: int) -> int:
    return x + 1


@workflow
def one(x: int) -> int:
    return inc(x=x)
"""


def write_module(root: Path) -> Path:
    package = root / "benchdispatch"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "one.py").write_text(MODULE)
    return package


def run_once(platform: Platform, engine: Engine, loop: asyncio.AbstractEventLoop) -> None:
    execution = launch(platform, "benchdispatch.one.one", {"x": 1})
    loop.run_until_complete(step_until_done(platform, engine, execution, 0.002))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        package = write_module(root)
        os.environ["PYTHONPATH"] = str(root)  # task processes import the module, as from an image
        sys.path.insert(0, str(root))
        platform = open_platform(Settings(data_dir=root / "data", register_builtin_workflows=False))
        register(platform, serialize(root, "benchdispatch", root / "pb"), package_sources(package, "benchdispatch"))
        loop = asyncio.new_event_loop()
        engine = Engine(platform, LocalExecutor(root / "data", max_parallel=2), poll_seconds=0.002)
        cold = measure(args.iterations, lambda i: run_once(platform, engine, loop), warmups=1)
        warm_executor = LocalExecutor(root / "data", max_parallel=2, warm=True)
        warm_engine = Engine(platform, warm_executor, poll_seconds=0.002)
        warm = measure(args.iterations, lambda i: run_once(platform, warm_engine, loop), warmups=2)
        loop.run_until_complete(warm_executor.close())
        workflow = importlib.import_module("benchdispatch.one").one
        local = measure(args.iterations, lambda i: workflow(x=1))
        loop.close()
        platform.db.dispose()

    print(f"Dispatch of a one-task workflow (x + 1), {args.iterations} iterations, median of each")
    report("latchlike: local executor, cold", cold)
    ours = report("latchlike: local executor, warm", warm)
    base = report("baseline flytekit-local (in-process)", local)
    print(f"ratio latchlike warm / flytekit-local: {ours / base:.1f}x")
    print(
        f"target warm < {WARM_TARGET_MS:.0f} ms: {'PASS' if ours < WARM_TARGET_MS else 'FAIL'} (median {ours:.1f} ms)"
    )


if __name__ == "__main__":
    main()
