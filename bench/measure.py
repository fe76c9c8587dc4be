"""What one benchmark row is, and how rows are timed: interleaved against their baseline.

Every measure in `bench/` returns `Row`s. Timings alternate ours/baseline run by run in the
same process, so a noisy machine moves both alike; the figure is the median. This module
does no measuring of its own.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Row:
    id: str
    measure: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str | None = None
    target: str = ""
    met: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline  # type: ignore[operator]

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = None if self.ratio is None else round(self.ratio, 4)
        return data


def interleaved(
    ours: Callable[[], float], baseline: Callable[[], float], *, repeats: int
) -> tuple[list[float], list[float]]:
    """Run both `repeats` times, alternating which goes first; each call returns its own figure."""
    a: list[float] = []
    b: list[float] = []
    for i in range(repeats):
        if i % 2 == 0:
            a.append(ours())
            b.append(baseline())
        else:
            b.append(baseline())
            a.append(ours())
    return a, b


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of `fn` took."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]
