"""A task's resource limits for local processes, applied as far as a plain Linux process
allows without privileges: its CPU limit as the number of cores it may run on (CPU
affinity), its memory limit by a watch over the resident memory of its process group,
which is killed once over the limit (as the kernel's OOM killer ends a pod)."""

from __future__ import annotations

import asyncio
import math
import os
import re
import signal
from collections.abc import Callable, Mapping
from pathlib import Path

WATCH_SECONDS = 0.25
_MEMORY = re.compile(r"^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T|e\d+)?$")
_UNITS = {None: 1, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 10**3, "K": 10**3, "M": 10**6,
          "G": 10**9, "T": 10**12}  # fmt: skip
_PAGE = os.sysconf("SC_PAGE_SIZE")


def memory_bytes(quantity: str) -> int:
    """A Kubernetes memory quantity (`512Mi`, `1G`, `1e9`, `1048576`) in bytes."""
    match = _MEMORY.match(quantity.strip())
    if match is None:
        raise ValueError(f"{quantity!r} is not a memory quantity (e.g. 512Mi, 2Gi)")
    number, unit = float(match.group(1)), match.group(2)
    scale = 10 ** int(unit[1:]) if unit and unit.startswith("e") else _UNITS[unit]
    return int(number * scale)


def cpu_cores(quantity: str) -> float:
    """A Kubernetes CPU quantity (`500m`, `2`, `0.5`) in cores."""
    text = quantity.strip()
    try:
        return float(text[:-1]) / 1000 if text.endswith("m") else float(text)
    except ValueError:
        raise ValueError(f"{quantity!r} is not a CPU quantity (e.g. 500m, 2)") from None


class CoreChooser:
    """Which cores a task with a CPU limit runs on: as many as the limit rounded up,
    taken in turn so that limited tasks spread over the machine."""

    def __init__(self) -> None:
        self._cores = sorted(os.sched_getaffinity(0))
        self._next = 0

    def cores_for(self, limits: Mapping[str, str]) -> list[int] | None:
        if "cpu" not in limits:
            return None
        wanted = max(1, math.ceil(cpu_cores(limits["cpu"])))
        if wanted >= len(self._cores):
            return None
        chosen = [self._cores[(self._next + i) % len(self._cores)] for i in range(wanted)]
        self._next = (self._next + wanted) % len(self._cores)
        return chosen


class MemoryWatch:
    """One loop over /proc for every watched process group; a group over its limit is
    killed and its callback told."""

    def __init__(self) -> None:
        self._groups: dict[int, tuple[int, Callable[[int], None]]] = {}
        self._by_key: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None

    def watch(self, key: str, group: int, limit: int, exceeded: Callable[[int], None]) -> None:
        """Watch the attempt `key`'s process group from now until `forget_key`."""
        self._groups[group] = (limit, exceeded)
        self._by_key[key] = group
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._loop())

    def forget_key(self, key: str) -> None:
        group = self._by_key.pop(key, None)
        if group is not None:
            self._groups.pop(group, None)

    async def _loop(self) -> None:
        while self._groups:
            used = await asyncio.to_thread(_resident_by_group, set(self._groups))
            for group, size in used.items():
                limit, exceeded = self._groups.get(group, (None, None))
                if limit is not None and exceeded is not None and size > limit:
                    self._groups.pop(group, None)
                    try:
                        os.killpg(group, signal.SIGKILL)
                    except ProcessLookupError:
                        continue
                    exceeded(size)
            await asyncio.sleep(WATCH_SECONDS)


def _resident_by_group(groups: set[int]) -> dict[int, int]:
    """Resident bytes of every process in each group."""
    used = dict.fromkeys(groups, 0)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            group = int(stat[stat.rindex(")") + 2 :].split()[2])
            if group in used:
                used[group] += int((entry / "statm").read_text().split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            continue  # the process ended while being read
    return used
