"""One watch over every pod latchlike manages, read in a thread of its own, its events handed
to the event loop a batch at a time (`KubernetesExecutor` settles attempts from them).

It lists, then watches from the list's resourceVersion, listing again when the server says
that version is too old. The watch is read as raw JSON lines: the client's `Watch` helper
fails on the 410 error event when asked not to build model objects, and building them costs
more than following 10,000 pods should.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException
from urllib3.response import HTTPResponse

from latchlike.engine.executors.pods import MANAGED_BY, MANAGER

log = logging.getLogger(__name__)
Event = tuple[str, dict[str, Any]]
"""A watch event's type (ADDED, MODIFIED, DELETED) and its pod."""
SELECTOR = f"{MANAGED_BY}={MANAGER}"
WATCH_SECONDS = 60
"""How long one watch request lasts before it is renewed from the last resourceVersion."""
RETRY_SECONDS = 1.0
MAY_MATTER = re.compile(rb'"(?:DELETED|ERROR|BOOKMARK|Succeeded|Failed|Unschedulable)"')
"""A watch event the engine may act on names one of these (as the event's type, the pod's
phase or its scheduling condition's reason). Any other (a pod pending, then running) is not
parsed, unless a pod was seen unschedulable (its next event cancels giving up on it); the
watch goes on from the version of the last event parsed (or bookmark): what it reads again
after renewing is again mostly not parsed."""


class PodWatch:
    def __init__(self, api: client.CoreV1Api, namespace: str, on_events: Callable[[list[Event]], None]) -> None:
        """`on_events` is called in the event loop with the events read since its last call."""
        self._api = api
        self._namespace = namespace
        self._on_events = on_events
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._events: list[Event] = []
        """Events read and not yet taken by the event loop (`_tell`)."""
        self._events_lock = threading.Lock()
        self._response: HTTPResponse | None = None
        """The watch request being read, shut down by `stop`."""
        self._parse_every_event = False
        """Set by the watch thread once a pod was unschedulable (`MAY_MATTER`)."""

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._thread is None:
            self._loop = loop
            self._thread = threading.Thread(target=self._watch_forever, name="pod-watch", daemon=True)
            self._thread.start()

    async def stop(self) -> None:
        self._stopping.set()
        response = self._response
        if response is not None:
            response.shutdown()  # unblocks the watch thread's read
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, WATCH_SECONDS)

    def listing(self) -> dict[str, Any]:
        """Every pod latchlike manages, as the API server's PodList; bounded in time, since the
        engine's first step waits for it (`sweep`)."""
        response = self._api.list_namespaced_pod(
            self._namespace, label_selector=SELECTOR, _preload_content=False, _request_timeout=WATCH_SECONDS
        )
        return dict(json.loads(response.data))

    def _watch_forever(self) -> None:
        version: str | None = None
        while not self._stopping.is_set():
            try:
                if version is None:
                    version = self._list()
                version = self._follow(version)
            except ApiException as error:
                if error.status == 410:  # our resourceVersion is too old: list again
                    version = None
                else:
                    log.warning("pod watch failed (%s); retrying", error.reason)
                    self._stopping.wait(RETRY_SECONDS)
            except Exception:  # the connection dropped, or the API server restarted
                if self._stopping.is_set():
                    break
                log.exception("pod watch failed; retrying")
                self._stopping.wait(RETRY_SECONDS)

    def _list(self) -> str:
        listing = self.listing()
        self._tell([("ADDED", pod) for pod in listing.get("items") or []])
        return str(listing["metadata"]["resourceVersion"])

    def _follow(self, version: str) -> str | None:
        """Events from `version` on; the version to go on from (None: list again). The events
        of one chunk go to the event loop together: one wake-up, not one per event."""
        response = self._api.list_namespaced_pod(
            self._namespace,
            label_selector=SELECTOR,
            resource_version=version,
            allow_watch_bookmarks=True,
            timeout_seconds=WATCH_SECONDS,
            watch=True,
            _preload_content=False,
        )
        self._response = response
        try:
            if self._stopping.is_set():  # `stop` came before the response was there to shut down
                return version
            for lines in _chunks(response):
                events: list[Event] = []
                for line in lines:
                    if not self._parse_every_event and MAY_MATTER.search(line) is None:
                        continue
                    self._parse_every_event = self._parse_every_event or b'"Unschedulable"' in line
                    event = json.loads(line)
                    pod = event["object"]
                    if event["type"] == "ERROR":
                        self._tell(events)
                        return None if pod.get("code") == 410 else version
                    version = pod["metadata"]["resourceVersion"]
                    if event["type"] != "BOOKMARK":
                        events.append((event["type"], pod))
                self._tell(events)
        finally:
            self._response = None
            response.release_conn()
        return version

    def _tell(self, events: list[Event]) -> None:
        """Hand events to the event loop; those that arrive while it has not yet taken the
        ones before wait with them, for one wake-up (a burst of creates is a chunk per pod)."""
        assert self._loop is not None
        if not events:
            return
        with self._events_lock:
            first = not self._events
            self._events += events
        if first:
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits for these
                self._loop.call_soon_threadsafe(self._take)

    def _take(self) -> None:
        with self._events_lock:
            events, self._events = self._events, []
        self._on_events(events)


def _chunks(response: HTTPResponse) -> Iterator[list[bytes]]:
    """A chunked watch response as the chunks arrive, each as its complete lines."""
    pending = b""
    for chunk in response.stream(amt=None, decode_content=False):
        pending += chunk
        *complete, pending = pending.split(b"\n")
        yield [line for line in complete if line.strip()]
    if pending.strip():
        yield [pending]
