"""The store watcher: one background task of the server that applies bucket notifications
as they arrive and reconciles the whole store every `reconcile_interval_seconds`.

Notifications are queued in memory and answered at once (MinIO's webhook wants a quick
answer and retries, from its own queue directory, while we answer 503). An event lost with
a crash is not lost for good: the next reconcile (the first runs on start) finds the object.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from latchlike.db import Database
from latchlike.files.bucket_events import BucketEvent, Change
from latchlike.files.reconcile import object_created, object_removed, reconcile
from latchlike.store import FileStore

log = logging.getLogger(__name__)
QUEUE_LIMIT = 10_000
"""Events waiting at most; past it the webhook answers 503 and the bucket retries."""


class StoreWatcher:
    def __init__(self, db: Database, store: FileStore, *, interval: float) -> None:
        self._db, self._store, self._interval = db, store, interval
        self._events: asyncio.Queue[BucketEvent] = asyncio.Queue(QUEUE_LIMIT)

    def submit(self, events: list[BucketEvent]) -> bool:
        """Queue all of `events`, or none of them (False) when the queue has no room."""
        if self._events.maxsize - self._events.qsize() < len(events):
            return False
        for event in events:
            self._events.put_nowait(event)
        return True

    async def run_forever(self) -> None:
        loop = asyncio.get_running_loop()
        next_scan = loop.time() + self._interval if self._interval else None
        while True:
            timeout = None if next_scan is None else max(0.0, next_scan - loop.time())
            try:
                event = await asyncio.wait_for(self._events.get(), timeout)
            except TimeoutError:
                await self._guarded(asyncio.to_thread(reconcile, self._db, self._store), "reconciling the store")
                next_scan = loop.time() + self._interval
                continue
            await self._guarded(asyncio.to_thread(self._apply, event), f"applying {event}")
            self._events.task_done()

    async def drain(self) -> None:
        """Wait until every queued event has been applied."""
        await self._events.join()

    def _apply(self, event: BucketEvent) -> None:
        if event.change is Change.CREATED:
            object_created(self._db, self._store, event.key, event.size)
        else:
            object_removed(self._db, self._store, event.key)

    @staticmethod
    async def _guarded(work: Coroutine[Any, Any, object], what: str) -> None:
        """One failed event or scan (the store unreachable for a moment) must not stop the
        watcher: log it; the next scan repairs what was missed."""
        try:
            await work
        except Exception:
            log.exception("store watcher: %s failed", what)
