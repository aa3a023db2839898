"""Where one map task stands, kept by the engine between steps so that a step costs what
changed (items whose attempts ended, items to start), not the number of items.

The engine is the single writer of node rows and keeps them between steps; it keeps this
beside them, and builds it again from the rows after a restart or a rolled-back step.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ArrayState:
    size: int
    limit: int
    """Items running at once: the map task's `parallelism`, else all of them."""
    allowed_failures: int
    next_index: int = 0
    """Items are started in index order: those below have rows (or are being checked)."""
    succeeded: int = 0
    failures: dict[int, str] = field(default_factory=dict)
    """Failed items' errors, by index."""
    running: dict[str, int] = field(default_factory=dict)
    """Items with a running attempt, by the attempt's run key."""
    to_check: set[int] = field(default_factory=set)
    """Items to look at in the next step even if no attempt of theirs ended: running ones the
    executor was not yet seen holding (just handed over, held back by `max_parallelism`, or
    lost in a restart), and every item with a row when the state was rebuilt."""

    @property
    def ended(self) -> int:
        return self.succeeded + len(self.failures)

    @property
    def failing(self) -> bool:
        """Too many items failed for the map task to succeed: start no more."""
        return len(self.failures) > self.allowed_failures

    def may_start(self) -> bool:
        return self.next_index < self.size and len(self.running) < self.limit and not self.failing

    def done(self) -> bool:
        return not self.running and not self.to_check and (self.failing or self.ended == self.size)

    def first_failure(self) -> str:
        index = min(self.failures)
        return f"item {index}: {self.failures[index]}"
