"""A fake of the Kubernetes core/v1 pods API at the HTTP level, for the official client.

It speaks what the executor uses: create (409 when the name is taken), get, list and watch
with resourceVersion (410 when asked for a version older than it keeps, bookmarks at the
end of each watch), delete, deletecollection by label selector, and log; it counts the
requests of each kind and refuses query parameters and selectors it does not know; and of
Secrets, create and a JSON merge patch of `data`, which the kubelet hands to containers. A
"kubelet" per pod plays what a test asks of it: run the container's command as a local
process (the image is not pulled: the command runs in this machine's Python environment),
succeed or fail at once, be evicted, never be scheduled, or hang. Every manifest created
is kept so tests can validate it.
"""

from __future__ import annotations

import base64
import bisect
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from kubernetes import client

Behaviour = Callable[[dict[str, Any]], str]
"""What the kubelet does with a new pod: "run", "succeed", "fail", "oom", "evict", "unschedulable" or "hang"."""
FAILED_LOG = "reading sample s1\nTraceback (most recent call last):\nValueError: the fake task failed\n"
"""What a "fail" pod printed."""


def always(what: str) -> Behaviour:
    return lambda pod: what


@dataclass
class _Event:
    version: int
    kind: str
    pod: dict[str, Any]


@dataclass
class FakeCluster:
    behaviour: Behaviour = field(default_factory=lambda: always("run"))
    history: int = 100_000
    """Watch events kept; a watch from an older resourceVersion gets 410 Gone."""
    pods: dict[str, dict[str, Any]] = field(default_factory=dict)
    logs: dict[str, str] = field(default_factory=dict)
    created: list[dict[str, Any]] = field(default_factory=list)
    """Every manifest a client sent, as sent."""
    events: list[_Event] = field(default_factory=list)
    on_success: Callable[[dict[str, Any]], None] | None = None
    """Run by the kubelet before a "succeed" pod succeeds: what the task would have written."""
    created_at: list[float] = field(default_factory=list)
    created_cpu: list[float] = field(default_factory=list)
    """The fake's own CPU time at each create: what serving the creates cost it."""
    succeeded_at: list[tuple[dict[str, Any], float]] = field(default_factory=list)
    """When each pod's status turned Succeeded (wall clock), for measuring who noticed when."""
    succeeded_cpu: list[float] = field(default_factory=list)
    """The fake's own CPU time at each of those: what creating, running and reporting cost it."""
    version: int = 1
    oldest: int = 0
    """Watches from an older resourceVersion than this get 410 Gone."""
    token: str | None = None
    """When set, pod creates without `Authorization: Bearer <token>` get 401, as an API server
    that authenticates its clients answers (the clients `FakeApiServer.api` makes send it)."""
    refused_images: frozenset[str] = frozenset()
    """Pods of these images get 422 Invalid on create, as the API server refuses a pod it cannot admit."""
    watches_open: threading.Event = field(default_factory=threading.Event)
    """Cleared: watch streams end and new ones wait (the API server restarting, say)."""
    changed: threading.Condition = field(default_factory=threading.Condition)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    kubelet: queue.SimpleQueue[tuple[str, str]] | None = None
    requests: Counter[str] = field(default_factory=Counter)
    """Requests served, by kind: create, get, list, watch, log, delete, deletecollection,
    secret-create, secret-patch."""
    secrets: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Secrets by name (one namespace), as stored: `data` in base64."""
    secret_patch_outages: int = 0
    """How many secret patches from now on answer 503 (the API server unavailable)."""

    def _record(self, kind: str, pod: dict[str, Any]) -> None:
        """Under `changed`: a new resourceVersion for this change, and an event for watchers."""
        self.version += 1
        pod["metadata"]["resourceVersion"] = str(self.version)
        self.events.append(_Event(self.version, kind, json.loads(json.dumps(pod))))
        if len(self.events) > self.history:
            del self.events[: -self.history]
            self.oldest = self.events[0].version - 1
        self.changed.notify_all()

    def count(self, kind: str) -> None:
        with self.changed:
            self.requests[kind] += 1

    def __post_init__(self) -> None:
        self.watches_open.set()

    def pause_watches(self) -> None:
        with self.changed:
            self.watches_open.clear()
            self.changed.notify_all()

    def resume_watches(self) -> None:
        self.watches_open.set()

    def compact(self) -> None:
        """Forget every event so far, as etcd compaction does: older watches must list again."""
        with self.changed:
            self.events.clear()
            self.oldest = self.version
            self.changed.notify_all()

    def create(self, namespace: str, manifest: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        name = manifest["metadata"]["name"]
        with self.changed:
            self.created.append(manifest)
            self.created_at.append(time.time())
            self.created_cpu.append(time.process_time())
            if name in self.pods:
                return 409, _status(409, "AlreadyExists", f'pods "{name}" already exists')
            pod = json.loads(json.dumps(manifest))
            pod["metadata"] |= {"namespace": namespace, "uid": str(uuid.uuid4()), "creationTimestamp": _now()}
            pod["status"] = {"phase": "Pending"}
            self.pods[name] = pod
            self._record("ADDED", pod)
        behaviour = self.behaviour(pod)
        if behaviour == "run":  # a process to wait for: a thread of its own
            threading.Thread(target=self._kubelet, args=(name, behaviour), daemon=True).start()
        else:  # the rest is instant: one kubelet thread plays them in order, as a node would
            self._kubelet_queue().put((name, behaviour))
        return 201, pod

    def _kubelet_queue(self) -> queue.SimpleQueue[tuple[str, str]]:
        with self.changed:
            if self.kubelet is None:
                self.kubelet = queue.SimpleQueue()
                threading.Thread(target=self._kubelet_loop, args=(self.kubelet,), daemon=True).start()
            return self.kubelet

    def _kubelet_loop(self, pods: queue.SimpleQueue[tuple[str, str]]) -> None:
        while True:
            self._kubelet(*pods.get())

    def create_secret(self, manifest: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        name = manifest["metadata"]["name"]
        with self.changed:
            if name in self.secrets:
                return 409, _status(409, "AlreadyExists", f'secrets "{name}" already exists')
            self.secrets[name] = json.loads(json.dumps(manifest))
            return 201, self.secrets[name]

    def merge_secret(self, name: str, patch: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """A JSON merge patch of `data` (what latchlike sends): keys added or replaced, and
        removed by a null (RFC 7386)."""
        with self.changed:
            if self.secret_patch_outages:
                self.secret_patch_outages -= 1
                return 503, _status(503, "ServiceUnavailable", "the API server is restarting")
            secret = self.secrets.get(name)
            if secret is None:
                return 404, _status(404, "NotFound", f'secrets "{name}" not found')
            unknown = set(patch) - {"data"}
            if unknown:
                return 400, _status(400, "BadRequest", f"the fake merges only data, not {sorted(unknown)}")
            merged = {**secret.get("data", {}), **patch["data"]}
            secret["data"] = {name: value for name, value in merged.items() if value is not None}
            return 200, secret

    def secret_value(self, name: str, key: str) -> str:
        """A key of a Secret as a kubelet gives it to a container (KeyError when there is none)."""
        with self.changed:
            return base64.b64decode(self.secrets[name]["data"][key]).decode()

    def deployment(self, namespace: str, name: str) -> dict[str, Any]:
        """Any Deployment asked for exists (the server's own, which owns task pods)."""
        uid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{namespace}/{name}"))
        metadata = {"name": name, "namespace": namespace, "uid": uid}
        return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata,
                "spec": {"selector": {}, "template": {}}}  # fmt: skip

    def delete(self, name: str) -> tuple[int, dict[str, Any]]:
        with self.changed:
            pod = self.pods.pop(name, None)
            if pod is None:
                return 404, _status(404, "NotFound", f'pods "{name}" not found')
            self._record("DELETED", pod)
            process = self.processes.pop(name, None)
        if process is not None and process.poll() is None:
            process.kill()
        return 200, pod

    def delete_collection(self, namespace: str, selector: str) -> tuple[int, dict[str, Any]]:
        """Every pod of the namespace the selector matches, deleted; the list of them."""
        with self.changed:
            names = [name for name, pod in self.pods.items()
                     if pod["metadata"]["namespace"] == namespace and _selected(pod, selector)]  # fmt: skip
        items = [pod for code, pod in (self.delete(name) for name in names) if code == 200]
        metadata = {"resourceVersion": str(self.version)}
        return 200, {"kind": "PodList", "apiVersion": "v1", "metadata": metadata, "items": items}

    def set_status(self, name: str, status: dict[str, Any]) -> None:
        """`status` names its container "task": every container of the pod gets that state."""
        with self.changed:
            pod = self.pods.get(name)
            if pod is not None:
                [state] = status.get("containerStatuses") or [None]
                if state is not None:
                    names = [container["name"] for container in pod["spec"]["containers"]]
                    status = {**status, "containerStatuses": [{**state, "name": n} for n in names]}
                pod["status"] = status
                self._record("MODIFIED", pod)
                if status["phase"] == "Succeeded":
                    self.succeeded_at.append((pod, time.time()))
                    self.succeeded_cpu.append(time.process_time())

    def watch_from(self, version: int) -> list[_Event] | None:
        """Events after `version`; None when they are no longer kept."""
        if version < self.oldest:
            return None
        return self.events[bisect.bisect_right(self.events, version, key=lambda event: event.version) :]

    # The kubelet.

    def _kubelet(self, name: str, behaviour: str) -> None:
        match behaviour:
            case "unschedulable":
                condition = {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                             "message": "0/3 nodes are available: 3 Insufficient memory."}  # fmt: skip
                self.set_status(name, {"phase": "Pending", "conditions": [condition]})
            case "hang":
                self.set_status(name, _running())
            case "evict":
                self.set_status(name, _running())
                self.set_status(name, {"phase": "Failed", "reason": "Evicted",
                                       "message": "The node was low on resource: memory."})  # fmt: skip
            case "oom":
                self.set_status(name, _running())
                self.set_status(name, _terminated(137, "OOMKilled"))
            case "succeed" | "fail":
                if behaviour == "fail":
                    with self.changed:
                        self.logs[name] = FAILED_LOG
                if behaviour == "succeed" and self.on_success is not None:
                    with self.changed:
                        pod = self.pods.get(name)
                    if pod is not None:
                        self.on_success(pod)
                self.set_status(name, _terminated(0 if behaviour == "succeed" else 1))
            case _:
                self._run(name)

    def _run(self, name: str) -> None:
        with self.changed:
            pod = json.loads(json.dumps(self.pods.get(name)))
        if not pod:
            return
        container = pod["spec"]["containers"][0]
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
        self.set_status(name, _running())
        with tempfile.TemporaryDirectory() as workdir:
            # No image, no container filesystem: a secret volume's mount path is made below the
            # working directory, and variables naming a place under it name that place instead.
            mounts = self._mount_secrets(pod, container, Path(workdir))
            for item in container.get("env", []):
                if "valueFrom" in item:
                    reference = item["valueFrom"]["secretKeyRef"]
                    env[item["name"]] = self.secret_value(reference["name"], reference["key"])
                else:
                    env[item["name"]] = _moved(item["value"], mounts)
            process = subprocess.Popen(
                container["command"], cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
            )
            with self.changed:
                self.processes[name] = process
            output, _ = process.communicate()
        with self.changed:
            self.logs[name] = output.decode(errors="replace")
            self.processes.pop(name, None)
        if process.returncode >= 0:  # a negative code: killed by a delete
            self.set_status(name, _terminated(process.returncode))

    def _mount_secrets(self, pod: dict[str, Any], container: dict[str, Any], root: Path) -> dict[str, str]:
        """Write the container's secret volumes' items below `root`: mount path → where."""
        volumes = {volume["name"]: volume for volume in pod["spec"].get("volumes", []) if "secret" in volume}
        mounts: dict[str, str] = {}
        for mount in container.get("volumeMounts", []):
            volume = volumes.get(mount["name"])
            if volume is None:
                continue
            place = root / mount["mountPath"].lstrip("/")
            for item in volume["secret"]["items"]:
                path = place / item["path"]
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(self.secret_value(volume["secret"]["secretName"], item["key"]))
            mounts[mount["mountPath"]] = str(place)
        return mounts


def _moved(value: str, mounts: dict[str, str]) -> str:
    for mount_path, place in mounts.items():
        if value == mount_path or value.startswith(mount_path + "/"):
            return place + value[len(mount_path) :]
    return value


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _container(state: dict[str, Any], ready: bool) -> dict[str, Any]:
    return {"name": "task", "image": "fake", "imageID": "fake", "ready": ready, "restartCount": 0, "state": state}


def _running() -> dict[str, Any]:
    return {"phase": "Running", "containerStatuses": [_container({"running": {"startedAt": _now()}}, True)]}


def fake_running() -> dict[str, Any]:
    """A running pod's status, as the kubelet sets it (for tests that move pods along themselves)."""
    return _running()


def _terminated(code: int, reason: str | None = None) -> dict[str, Any]:
    reason = reason or ("Completed" if code == 0 else "Error")
    state = {"terminated": {"exitCode": code, "reason": reason, "finishedAt": _now()}}
    return {"phase": "Succeeded" if code == 0 else "Failed", "containerStatuses": [_container(state, False)]}


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": code, "reason": reason,
            "message": message}  # fmt: skip


_LABEL_KEY = r"([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
_SELECTOR_TERM = re.compile(rf"{_LABEL_KEY}=([A-Za-z0-9]([-A-Za-z0-9_.]{{0,61}}[A-Za-z0-9])?)?")
_QUERY = {
    "list": {"labelSelector", "resourceVersion", "allowWatchBookmarks", "timeoutSeconds", "watch"},
    "deletecollection": {"labelSelector", "gracePeriodSeconds"},
    "delete": {"gracePeriodSeconds"},
    "log": {"container"},
}
"""What the fake understands of each request's query: anything else would be silently
ignored where a real API server acts on it, so it is refused."""


def _selector_errors(selector: str) -> list[str]:
    """Equality terms only (`key=value`, comma-separated): what latchlike sends."""
    return [term for term in selector.split(",") if not _SELECTOR_TERM.fullmatch(term)]


def _selected(pod: dict[str, Any], selector: str) -> bool:
    labels = pod["metadata"].get("labels") or {}
    wanted = (part.split("=", 1) for part in selector.split(",") if part)
    return all(labels.get(key) == value for key, value in wanted)


class _Handler(BaseHTTPRequestHandler):
    cluster: FakeCluster
    protocol_version = "HTTP/1.1"  # keep-alive, and chunked watch streams as the API server sends them
    disable_nagle_algorithm = True  # a reply's headers and body go in separate writes: no 40 ms delayed-ACK stall

    def log_message(self, *args: Any) -> None:
        """Quiet: tests read the cluster's state, not its access log."""

    def do_POST(self) -> None:
        parts = self._parts()
        if len(parts) == 5 and parts[4] == "secrets":
            self.cluster.count("secret-create")
            return self._send(
                *self.cluster.create_secret(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            )
        if len(parts) != 5 or parts[4] != "pods":
            return self._send(404, _status(404, "NotFound", self.path))
        manifest = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.cluster.count("create")
        if self.cluster.token is not None and self.headers.get("Authorization") != f"Bearer {self.cluster.token}":
            return self._send(401, _status(401, "Unauthorized", "no valid bearer token"))
        image = manifest["spec"]["containers"][0].get("image")
        if image in self.cluster.refused_images:
            message = f'Pod "{manifest["metadata"]["name"]}" is invalid: spec.containers[0].image: {image} refused'
            return self._send(422, _status(422, "Invalid", message))
        self._send(*self.cluster.create(parts[3], manifest))

    def do_PATCH(self) -> None:
        parts = self._parts()
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if len(parts) != 6 or parts[4] != "secrets":
            return self._send(404, _status(404, "NotFound", self.path))
        if self.headers.get("Content-Type") != "application/merge-patch+json":
            return self._send(415, _status(415, "UnsupportedMediaType", "the fake takes JSON merge patches only"))
        self.cluster.count("secret-patch")
        self._send(*self.cluster.merge_secret(parts[5], body))

    def do_DELETE(self) -> None:
        parts = self._parts()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if body and json.loads(body).get("kind", "DeleteOptions") != "DeleteOptions":
            return self._send(400, _status(400, "BadRequest", "the body is not DeleteOptions"))
        kind = "delete" if len(parts) == 6 else "deletecollection"
        if (refused := self._refused(kind)) is not None:
            return self._send(400, _status(400, "BadRequest", refused))
        self.cluster.count(kind)
        if kind == "delete":
            return self._send(*self.cluster.delete(parts[5]))
        self._send(*self.cluster.delete_collection(parts[3], self._query()["labelSelector"]))

    def _query(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(urlparse(self.path).query).items()}

    def _refused(self, kind: str) -> str | None:
        """Why the request's query is not one the fake (and latchlike) should send."""
        query = self._query()
        unknown = set(query) - _QUERY[kind]
        if unknown:
            return f"the fake does not implement {sorted(unknown)} for {kind}"
        if kind == "deletecollection" and not query.get("labelSelector"):
            return "deletecollection without a label selector would delete every pod"
        if bad := _selector_errors(query.get("labelSelector", "")) if "labelSelector" in query else []:
            return f"invalid label selector terms: {bad}"
        return None

    def do_GET(self) -> None:
        parts = self._parts()
        if parts[:3] == ["apis", "apps", "v1"] and len(parts) == 7 and parts[5] == "deployments":
            return self._send(200, self.cluster.deployment(parts[4], parts[6]))
        query = self._query()
        kind = "log" if len(parts) == 7 and parts[6] == "log" else "get" if len(parts) == 6 else "list"
        if kind != "get" and (refused := self._refused(kind)) is not None:
            return self._send(400, _status(400, "BadRequest", refused))
        self.cluster.count("watch" if query.get("watch") else kind)
        if kind == "log":
            with self.cluster.changed:
                known, text = parts[5] in self.cluster.pods, self.cluster.logs.get(parts[5], "")
            return self._send_text(text) if known else self._send(404, _status(404, "NotFound", parts[5]))
        if len(parts) == 6:
            with self.cluster.changed:
                pod = self.cluster.pods.get(parts[5])
            return self._send(200, pod) if pod else self._send(404, _status(404, "NotFound", parts[5]))
        selector = query.get("labelSelector", "")
        if query.get("watch", "").lower() in ("true", "1"):
            return self._watch(int(query.get("resourceVersion") or 0), selector, float(query.get("timeoutSeconds", 30)))
        with self.cluster.changed:
            items = [pod for pod in self.cluster.pods.values() if _selected(pod, selector)]
            metadata = {"resourceVersion": str(self.cluster.version)}
            listing = {"kind": "PodList", "apiVersion": "v1", "metadata": metadata, "items": items}
            body = json.dumps(listing).encode()
        self._send_bytes(200, body, "application/json")

    def _watch(self, version: int, selector: str, timeout: float) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.cluster.watches_open.wait()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.cluster.watches_open.is_set():
                break  # the stream just ends; the client watches again
            with self.cluster.changed:
                events = self.cluster.watch_from(version)
                if events == []:
                    self.cluster.changed.wait(min(1.0, deadline - time.monotonic()))
                    events = self.cluster.watch_from(version)
            if events is None:
                self._line({"type": "ERROR", "object": _status(410, "Expired", "too old resource version")})
                break
            if events:  # all of them in one chunk, as the API server flushes what it has
                version = events[-1].version
                self._lines([{"type": e.kind, "object": e.pod} for e in events if _selected(e.pod, selector)])
        else:
            bookmark = {"kind": "Pod", "apiVersion": "v1", "metadata": {"resourceVersion": str(version)}}
            self._line({"type": "BOOKMARK", "object": bookmark})
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _line(self, event: dict[str, Any]) -> None:
        self._lines([event])

    def _lines(self, events: list[dict[str, Any]]) -> None:
        if not events:
            return
        data = b"".join(json.dumps(event).encode() + b"\n" for event in events)
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _parts(self) -> list[str]:
        return urlparse(self.path).path.strip("/").split("/")

    def _send(self, code: int, body: dict[str, Any]) -> None:
        self._send_bytes(code, json.dumps(body).encode(), "application/json")

    def _send_text(self, text: str) -> None:
        self._send_bytes(200, text.encode(), "text/plain")

    def _send_bytes(self, code: int, body: bytes, content_type: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # as a real API server, take bursts of connections

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client closing its keep-alive connection is not an error of the fake's."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeApiServer:
    """The fake on a loopback port, with a `CoreV1Api` configured for it."""

    def __init__(self, cluster: FakeCluster) -> None:
        self.cluster = cluster
        handler = type("Handler", (_Handler,), {"cluster": cluster})
        self._server = _Server(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeApiServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        for process in list(self.cluster.processes.values()):
            process.kill()

    def api(self) -> client.CoreV1Api:
        configuration = client.Configuration()
        configuration.host = f"http://127.0.0.1:{self._server.server_port}"
        if self.cluster.token is not None:
            configuration.api_key = {"BearerToken": f"Bearer {self.cluster.token}"}  # as `load_kube_config` sets it
        return client.CoreV1Api(client.ApiClient(configuration))
