"""Timing helpers shared by the benchmark scripts (run as `python bench/<name>.py`)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def measure(iterations: int, once: Callable[[int], object], *, warmups: int = 3) -> list[float]:
    """Milliseconds per call of `once(i)`, after a few warm-up calls (negative i)."""
    for warmup in range(warmups):
        once(-1 - warmup)
    samples = []
    for i in range(iterations):
        start = time.perf_counter()
        once(i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(label: str, samples: list[float]) -> float:
    """Print median, p95 and min; return the median."""
    samples = sorted(samples)
    median = statistics.median(samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(f"{label:<34} median {median:8.3f} ms   p95 {p95:8.3f} ms   min {samples[0]:8.3f} ms")
    return median
