"""The background task that launches pending QC triggers, beside the engine loop.

It polls the outbox (`ix_qc_triggers_pending`), makes sure the built-in workflows are
registered in each project that has pending files (QC runs in the file's project, where
its permissions will be), then processes each trigger in its own transaction.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from latchlike.builtins import register_builtin_workflows
from latchlike.platform import Platform
from latchlike.triggers.launcher import pending, process, settle_broken

log = logging.getLogger(__name__)
BATCH = 16
"""Triggers read per step; a full batch means step again at once."""


class TriggerLoop:
    def __init__(self, platform: Platform, *, poll_seconds: float = 0.5) -> None:
        self._platform = platform
        self._poll = poll_seconds
        self._ready: set[str] = set()
        """Projects whose built-ins are registered at this release's version."""

    async def run_forever(self) -> None:
        while True:
            busy = False
            try:
                busy = await self.step()
            except Exception:  # the loop must outlive any one bad trigger or a database hiccup
                log.exception("QC trigger step failed")
            await asyncio.sleep(0 if busy else self._poll)

    async def step(self) -> bool:
        """Process one batch; True if more may be waiting."""
        db, store = self._platform.db, self._platform.store
        batch = await db.run(lambda s: pending(s, BATCH))
        for project in sorted({project for _, project in batch} - self._ready):
            await self._register_builtins(project)
        for trigger_id, _ in batch:
            try:
                await db.run(partial(process, store=store, trigger_id=trigger_id))
            except Exception as error:
                log.exception("QC trigger %d failed", trigger_id)
                message = f"QC could not be launched (internal error: {error})"
                await db.run(partial(settle_broken, trigger_id=trigger_id, message=message))
        return len(batch) == BATCH

    async def _register_builtins(self, project: str) -> None:
        if not self._platform.settings.register_builtin_workflows:
            self._ready.add(project)  # nothing to register: rules name what is there
            return
        try:
            await asyncio.to_thread(register_builtin_workflows, self._platform, project)
        except Exception:  # its triggers then say which workflow is missing
            log.exception("registering the built-in workflows in %s failed", project)
            return
        self._ready.add(project)
