"""The cluster executor: each task attempt is its own pod.

Pods are named from the attempt's key (`pods.pod_name`), so after a restart `run` finds
the pod it created before (409 on create) and waits for it instead of starting another;
an attempt resumed after a restart whose pod is gone is reported lost, not created again.
Their status comes from one watch over all of latchlike's pods (`kubernetes_watch`), read in
its own thread and handed to the event loop a chunk of events at a time; no poll per pod.
Pods are created by `kubernetes_create`.

A succeeded attempt costs one API call, its create. Its log is read only when someone
asks for it (then copied to the log directory), and its pod stays until the execution
ends, when one `deletecollection` by the execution's labels removes all its pods (unless
`keep_pods`). Before that, a small execution's succeeded logs are copied (`saved_logs`),
so ordinary workflows keep every log; a wide one (a map task) keeps those someone read.
A failed attempt's log is copied at once: the engine quotes its tail in the error. A pod
given up on (timeout, never scheduled) is deleted at once, to stop it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable, Collection, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from latchlike.engine.executors import RunResult, TaskRun
from latchlike.engine.executors.calls import Calls, discarded
from latchlike.engine.executors.kubernetes_create import create_pod
from latchlike.engine.executors.kubernetes_secrets import WorkspaceSecrets
from latchlike.engine.executors.kubernetes_watch import Event, PodWatch
from latchlike.engine.executors.pods import (
    CONTAINER,
    RUN_KEY_ANNOTATION,
    PodEnd,
    PodSettings,
    execution_selector,
    pod_end,
    pod_manifest,
    pod_name,
    pod_selector,
    primary_container,
    run_selector,
    unschedulable,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
API_THREADS = 8
"""Calls to the API server in flight at once (the client is synchronous); at most the
client's connection pool less the watch's connection, else connections are made per call."""
SAVED_LOGS = 50
"""An ending execution of at most this many succeeded pods has their logs copied first."""
GONE = (
    "[latchlike] this attempt's pod was deleted when its execution ended, and nobody had read its log;"
    " a succeeded attempt's log is kept only when read while the execution ran, or when the execution"
    f" had at most {SAVED_LOGS} succeeded pods (LATCHLIKE_KUBERNETES_KEEP_PODS keeps every pod).\n"
)
KEPT_ENDINGS = 100_000


class KubernetesExecutor:
    def __init__(
        self,
        api: client.CoreV1Api,
        settings: PodSettings,
        *,
        log_dir: Path,
        keep_pods: bool = False,
        unschedulable_seconds: float = 300.0,
        saved_logs: int = SAVED_LOGS,
    ) -> None:
        self._api = api
        self._settings = settings
        self._log_dir = log_dir
        self._keep_pods = keep_pods
        self._unschedulable_seconds = unschedulable_seconds
        self._saved_logs = saved_logs
        self._waiting: dict[str, asyncio.Future[PodEnd]] = {}
        self._ended: dict[str, PodEnd] = {}
        """Pods seen ending while no attempt waited on them (a restart): the next `run` takes them."""
        self._give_up: dict[str, asyncio.TimerHandle] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._watch = PodWatch(api, settings.namespace, self._on_events)
        pool = api.api_client.configuration.connection_pool_maxsize or API_THREADS + 1
        self._calls = Calls(max(1, min(API_THREADS, pool - 1)), "pod-api")
        self._cleanups: set[asyncio.Task[None]] = set()
        self._primaries: dict[str, str] = {}
        """The primary container of each attempt running or succeeded whose log is only in its pod, by run key."""
        self._unsaved: dict[str, str] = {}
        """Succeeded attempts whose log is only in their pod: run key → their execution's selector."""
        self._secrets = WorkspaceSecrets(api, settings.namespace, self._calls.call)

    async def run(self, run: TaskRun) -> RunResult:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            self._watch.start(self._loop)
        name = pod_name(run.key)
        container = self._primaries[run.key] = run.pod.primary if run.pod else CONTAINER
        loop = asyncio.get_running_loop()
        ended = self._waiting[name] = loop.create_future()
        if name in self._ended:
            ended.set_result(self._ended.pop(name))
        try:
            if run.resume and name not in self._ended and not await self._call(self._exists, name):
                return RunResult(run.key, -1, None, lost=True)
            refused = await self._create(run, name)
            if refused is not None:
                self._primaries.pop(run.key, None)
                path = self._write_log(run.key, f"[latchlike] the cluster refused the pod: {refused}\n")
                return RunResult(run.key, -1, path)
            try:  # without a timeout, the future itself: no shield and wrapper per pod
                end = await (
                    asyncio.wait_for(asyncio.shield(ended), run.timeout_seconds) if run.timeout_seconds else ended
                )
            except TimeoutError:
                end = PodEnd(-1, "the task ran past its timeout", timed_out=True, stopped=True)
        except BaseException:
            self._primaries.pop(run.key, None)
            raise
        finally:
            self._waiting.pop(name, None)
            timer = self._give_up.pop(name, None)
            if timer is not None:
                timer.cancel()
        if end.exit_code == 0:  # reported at once; the log stays in the pod until asked for
            self._unsaved[run.key] = run_selector(run)
        else:  # the engine quotes a failed attempt's log: copy it first
            self._primaries.pop(run.key, None)
            await self._call(self._save_log, run.key, name, end, container)
            if end.stopped:
                await self._call(self._delete, name)
        limit = run.limits.get("memory", "none")
        over_memory = f"the pod ran out of memory (limit {limit})" if end.out_of_memory else None
        copied = self._log_path(run.key) if end.exit_code != 0 else None  # a success's log: ask `log`
        return RunResult(run.key, end.exit_code, copied, end.timed_out, over_memory)

    async def cancel(self, key: str) -> None:
        await self._call(self._delete, pod_name(key))

    async def ended(self, project: str, domain: str, execution: str) -> None:
        """Copies the logs of a small execution's succeeded pods, then deletes all its pods
        with one call; in the background, so the engine's step does not wait."""
        selector = execution_selector(project, domain, execution)
        keys = [key for key, owner in list(self._unsaved.items()) if owner == selector]
        for key in keys:
            self._unsaved.pop(key, None)
        saved = [] if self._keep_pods or len(keys) > self._saved_logs else keys  # kept pods keep their logs
        self._in_background(self._clean_up(selector, saved, keys))

    async def sweep(self, active: Collection[tuple[str, str, str]]) -> None:
        """Deletes, in the background, the pods of executions that are not active: they ended
        while the server was down, or its clean-up failed. Their logs are copied first, as
        `ended` does, for those of at most `saved_logs` pods not copied before."""
        if self._keep_pods:
            return
        try:
            listing = (await self._call(self._watch.listing)).get("items") or []
        except Exception:  # the API server unreachable: the pods stay, as after a failed clean-up
            log.warning("could not list pods to delete those of executions that ended", exc_info=True)
            return
        keep = {execution_selector(*execution) for execution in active}
        unsaved: dict[str, list[str]] = {}
        """Each ended execution's pods whose log was not copied, by run key."""
        for pod in listing:
            selector = pod_selector(pod)
            if selector is None or selector in keep:
                continue
            keys = unsaved.setdefault(selector, [])
            key = (pod["metadata"].get("annotations") or {}).get(RUN_KEY_ANNOTATION)
            if key is not None and not self._log_path(key).exists():
                self._primaries[key] = primary_container(pod)
                keys.append(key)
        for selector, keys in unsaved.items():
            self._in_background(self._clean_up(selector, keys if len(keys) <= self._saved_logs else [], keys))

    def _in_background(self, cleanup: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(cleanup)
        self._cleanups.add(task)
        task.add_done_callback(self._cleanups.discard)

    async def _clean_up(self, selector: str, saved: list[str], keys: list[str]) -> None:
        for key in saved:
            await self._call(self._copy_log, key)
        for key in keys:
            self._primaries.pop(key, None)
        if not self._keep_pods:
            await self._call(self._delete_all, selector)

    async def _call(self, function: Callable[..., T], *args: Any) -> T:
        return await self._calls.call(functools.partial(function, *args))

    def log(self, key: str) -> str:
        """The copy in the log directory, else the pod's own log (copied when the attempt
        has succeeded: it no longer changes, and the pod goes when its execution ends)."""
        saved = self._log_path(key)
        if saved.exists():
            return saved.read_text(errors="replace")
        name = pod_name(key)
        try:
            text = self._pod_log(name, self._primaries.get(key))
        except ApiException as error:
            return GONE if error.status == 404 and name not in self._waiting else ""  # else: not created yet
        except Exception:  # the API server unreachable: nothing to show now
            return ""
        if self._unsaved.pop(key, None) is not None:
            self._write_log(key, text)
        return text

    def _copy_log(self, key: str) -> None:
        with contextlib.suppress(Exception):  # then the log is lost with the pod, as if too many
            self._write_log(key, self._pod_log(pod_name(key), self._primaries.get(key)))

    async def close(self) -> None:
        if self._cleanups:
            await asyncio.gather(*self._cleanups, return_exceptions=True)
        await self._watch.stop()
        self._calls.close()

    # Pods.

    async def _create(self, run: TaskRun, name: str) -> str | None:
        """Why the API server refused the pod (or its workspace's secrets), or None once it exists."""
        if run.secrets is not None and run.secrets.secrets and (refused := await self._secrets.store(run.secrets)):
            return refused
        try:
            await self._call(create_pod, self._api, self._settings.namespace, pod_manifest(run, self._settings))
        except ApiException as error:
            if error.status != 409:  # 409: created before a restart; wait for that pod
                return f"{error.status} {error.reason}: {error.body}"
        except Exception as error:  # the API server unreachable: the attempt fails, the engine retries
            return f"the API server could not be reached: {error}"
        return None

    async def forget_secret(self, workspace: str, group: str, key: str) -> None:
        await self._secrets.forget(workspace, group, key)

    def _exists(self, name: str) -> bool:
        """Whether the pod is there; an API error other than 404 says nothing, so it counts as yes."""
        try:
            self._api.read_namespaced_pod(name, self._settings.namespace, _preload_content=False)
        except ApiException as error:
            return error.status != 404
        except Exception:
            return True
        return True

    def _delete(self, name: str) -> None:
        with contextlib.suppress(ApiException):  # already gone is fine
            discarded(
                self._api.delete_namespaced_pod,
                name, self._settings.namespace, grace_period_seconds=0, _preload_content=False,
            )  # fmt: skip

    def _delete_all(self, selector: str) -> None:
        try:
            discarded(
                self._api.delete_collection_namespaced_pod,
                self._settings.namespace, label_selector=selector, grace_period_seconds=0, _preload_content=False,
            )  # fmt: skip
        except Exception:  # the pods stay (owned by the server's Deployment, when one is set)
            log.exception("could not delete the pods of %s", selector)

    def _pod_log(self, name: str, container: str | None = None) -> str:
        """The primary container's log; `None`: the pod's only container."""
        response = self._api.read_namespaced_pod_log(
            name, self._settings.namespace, container=container, _preload_content=False
        )
        return bytes(response.data).decode(errors="replace")

    def _log_path(self, key: str) -> Path:
        return self._log_dir / f"{key}.log"

    def _save_log(self, key: str, name: str, end: PodEnd, container: str) -> Path:
        """The pod's log, kept after the pod is deleted; why it ended when it did not exit."""
        try:
            text = self._pod_log(name, container)
        except ApiException as error:
            text = f"(no log: {error.reason})\n"
        if end.exit_code == -1:
            text += f"\n[latchlike] the pod ended without an exit code: {end.reason}\n"
        return self._write_log(key, text)

    def _write_log(self, key: str, text: str) -> Path:
        path = self._log_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    # The watch's events (`kubernetes_watch`), in the event loop.

    def _on_events(self, events: list[Event]) -> None:
        for kind, pod in events:
            self._on_event(kind, pod)

    def _on_event(self, kind: str, pod: dict[str, Any]) -> None:
        """In the event loop: settle the attempt waiting on this pod, if it ended."""
        name = pod["metadata"]["name"]
        waiting = self._waiting.get(name)
        if waiting is None and kind == "DELETED":
            self._ended.pop(name, None)  # a pod no attempt waits on went: nothing to remember
            return
        end = pod_end(pod)
        if end is None and kind == "DELETED":
            end = PodEnd(-1, "the pod was deleted before it ended")
        if end is not None:
            if waiting is None:
                self._ended[name] = end
                if len(self._ended) > KEPT_ENDINGS:
                    self._ended.pop(next(iter(self._ended)))
            elif not waiting.done():
                waiting.set_result(end)
            return
        message = unschedulable(pod)
        if message is None:
            timer = self._give_up.pop(name, None)
            if timer is not None:
                timer.cancel()
        elif waiting is not None and name not in self._give_up:
            assert self._loop is not None
            self._give_up[name] = self._loop.call_later(self._unschedulable_seconds, self._unschedulable, name, message)

    def _unschedulable(self, name: str, message: str) -> None:
        waiting = self._waiting.get(name)
        if waiting is not None and not waiting.done():
            waiting.set_result(PodEnd(-1, f"the pod could not be scheduled: {message}", stopped=True))
