"""Blocking calls (the kubernetes client is synchronous) run on a few threads, their answers
handed back to the event loop a batch at a time.

A map task of 10,000 items makes 10,000 creates in a burst. Through `run_in_executor` each
costs a thread-pool future chained to an asyncio future and one wake-up of the event loop
per answer; here a call is one queue entry, and the answers that arrive while the loop is
busy wait in one list for one wake-up, so the loop (which the engine shares) spends less
per pod and the calls' threads less time waiting for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from urllib3.response import HTTPResponse

T = TypeVar("T")
_Call = tuple[asyncio.Future[Any], Callable[[], Any]]


class Calls:
    def __init__(self, threads: int, name: str) -> None:
        self._threads = threads
        self._name = name
        self._queue: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._answers: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started: list[threading.Thread] = []

    async def call(self, function: Callable[[], T]) -> T:
        """`function()`'s answer (or exception), run on one of the threads."""
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
            for i in range(self._threads):
                thread = threading.Thread(target=self._work, name=f"{self._name}_{i}", daemon=True)
                thread.start()
                self._started.append(thread)
        answer: asyncio.Future[T] = loop.create_future()
        self._queue.put((answer, function))
        return await answer

    def close(self) -> None:
        """The threads stop once the calls already queued are made."""
        for _ in self._started:
            self._queue.put(None)
        self._started.clear()

    def _work(self) -> None:
        while (call := self._queue.get()) is not None:
            answer, function = call
            try:
                self._answer(answer, function(), None)
            except BaseException as error:  # handed to the caller, as a future would
                self._answer(answer, None, error)

    def _answer(self, answer: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
        with self._lock:
            first = not self._answers
            self._answers.append((answer, value, error))
        if first:  # the loop has not yet been told about the answers before this one
            assert self._loop is not None
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits for these answers
                self._loop.call_soon_threadsafe(self._deliver)

    def _deliver(self) -> None:
        """In the event loop: every answer that arrived since the last delivery."""
        with self._lock:
            answers, self._answers = self._answers, []
        for answer, value, error in answers:
            if answer.done():  # its caller was cancelled
                continue
            if error is None:
                answer.set_result(value)
            else:
                answer.set_exception(error)


def discarded(call: Callable[..., HTTPResponse], *args: Any, **options: Any) -> None:
    """Make a call whose answer is not needed, and read that answer anyway: a response left
    unread keeps its connection out of the pool, so the next call would open another."""
    response = call(*args, **options)
    response.drain_conn()
    response.release_conn()
