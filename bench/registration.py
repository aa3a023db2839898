"""Server-side time to handle every RPC of one `pyflyte register` of a 10-task workflow.

Usage: python bench/registration.py [--iterations N]

One registration is what pyflyte sends in fast mode: CreateUploadLocation, ten CreateTask
at once, CreateWorkflow, CreateLaunchPlan, UpdateLaunchPlan(ACTIVE). The servicers are
called directly (no network), so the figure is the server's own work. Baseline
"sqlite-floor": the same number of transactions writing the same spec bytes with the
stdlib sqlite3 module, the least any SQLite-backed registry pays. Target: < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import sqlite3
import tempfile
from collections.abc import Awaitable
from pathlib import Path

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2
from flyteidl.service import dataproxy_pb2
from serialization import serialize
from timing import measure, report

from latchlike.config import Settings
from latchlike.errors import AlreadyExists
from latchlike.grpc.admin import AdminServicer
from latchlike.grpc.dataproxy import DataProxyServicer
from latchlike.platform import open_platform

TASKS = 10
TARGET_MS = 50.0
WORKFLOW_MODULE = """
from flytekit import task, workflow
{tasks}

@workflow
def chain(x: int) -> int:
    v0 = t0(x=x)
{calls}
    return v{last}
"""


def write_module(root: Path) -> None:
    package = root / "benchwf"
    package.mkdir()
    (package / "__init__.py").write_text("")
    tasks = "\n".join(f"@task\ndef t{i}(x: int) -> int:\n    return x + {i}\n" for i in range(TASKS))
    calls = "\n".join(f"    v{i} = t{i}(x=v{i - 1})" for i in range(1, TASKS))
    (package / "chain.py").write_text(WORKFLOW_MODULE.format(tasks=tasks, calls=calls, last=TASKS - 1))


def restamp(message: object, version: str) -> object:
    """A copy with every identifier's version set to `version`: a new registration."""
    copy = type(message)()  # type: ignore[operator]
    copy.CopyFrom(message)  # type: ignore[attr-defined]
    stack = [copy]
    while stack:
        current = stack.pop()
        for field, value in current.ListFields():
            if field.message_type is None:
                continue
            if field.message_type.GetOptions().map_entry:
                items = list(value.values())
            elif field.is_repeated:
                items = list(value)
            else:
                items = [value]
            for item in items:
                if isinstance(item, identifier_pb2.Identifier):
                    item.version = version
                elif hasattr(item, "ListFields"):
                    stack.append(item)
    return copy


class Registration:
    def __init__(self, data_dir: Path, tasks: list[task_pb2.TaskSpec], workflow: workflow_pb2.WorkflowSpec,
                 plan: launch_plan_pb2.LaunchPlan) -> None:  # fmt: skip
        platform = open_platform(Settings(data_dir=data_dir, register_builtin_workflows=False))
        self.admin = AdminServicer(platform.db, platform.store, platform.download_links)
        self.proxy = DataProxyServicer(
            platform.db, platform.store, platform.signer, platform.upload_ttl, platform.download_links
        )
        self.tasks, self.workflow, self.plan = tasks, workflow, plan

    async def run(self, version: str) -> None:
        await self.proxy.CreateUploadLocation(
            dataproxy_pb2.CreateUploadLocationRequest(
                project="flytesnacks",
                domain="development",
                filename="bundle.tar.gz",
                content_md5=hashlib.md5(version.encode()).digest(),
            ),
            None,
        )
        tasks = [restamp(t, version) for t in self.tasks]
        await asyncio.gather(
            *(
                _tolerant(self.admin.CreateTask(task_pb2.TaskCreateRequest(id=t.template.id, spec=t), None))  # type: ignore[attr-defined]
                for t in tasks
            )
        )
        workflow = restamp(self.workflow, version)
        await _tolerant(
            self.admin.CreateWorkflow(workflow_pb2.WorkflowCreateRequest(id=workflow.template.id, spec=workflow), None)
        )  # type: ignore[attr-defined]
        plan = restamp(self.plan, version)
        await _tolerant(
            self.admin.CreateLaunchPlan(launch_plan_pb2.LaunchPlanCreateRequest(id=plan.id, spec=plan.spec), None)
        )  # type: ignore[attr-defined]
        await self.admin.UpdateLaunchPlan(
            launch_plan_pb2.LaunchPlanUpdateRequest(id=plan.id, state=launch_plan_pb2.LaunchPlanState.ACTIVE),
            None,  # type: ignore[attr-defined]
        )


async def _tolerant(call: Awaitable[object]) -> None:
    # The re-registration path answers AlreadyExists, and pyflyte counts it as success.
    with contextlib.suppress(AlreadyExists):
        await call


def sqlite_floor(path: Path, payloads: list[bytes], version: str) -> None:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE IF NOT EXISTS specs (name TEXT, version TEXT, spec BLOB, UNIQUE(name, version))")
    for index, payload in enumerate(payloads):
        with connection:
            connection.execute("INSERT INTO specs VALUES (?, ?, ?)", (str(index), version, payload))
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_module(root)
        serialized = serialize(root, "benchwf", root / "pb", version="VERSION")
        tasks, (workflow,), (plan,) = serialized.tasks, serialized.workflows, serialized.launch_plans
        registration = Registration(root / "data", tasks, workflow, plan)
        loop = asyncio.new_event_loop()
        fresh = measure(args.iterations, lambda i: loop.run_until_complete(registration.run(f"v{i}")))
        again = measure(args.iterations, lambda i: loop.run_until_complete(registration.run("v0")))
        payloads = [t.SerializeToString() for t in tasks] + [workflow.SerializeToString(), plan.SerializeToString()]
        floor = measure(args.iterations, lambda i: sqlite_floor(root / "floor.db", payloads, f"v{i}"))
        loop.close()

    print(f"Registration of a {TASKS}-task workflow: {3 + TASKS + 1} RPCs, {args.iterations} iterations")
    ours = report("latchlike: new version", fresh)
    report("latchlike: identical re-register", again)
    base = report("baseline sqlite-floor", floor)
    print(f"ratio latchlike / sqlite-floor: {ours / base:.1f}x")
    print(f"target < {TARGET_MS:.0f} ms: {'PASS' if ours < TARGET_MS else 'FAIL'} (median {ours:.2f} ms)")


if __name__ == "__main__":
    main()
