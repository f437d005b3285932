"""Counting requests and aggregating latencies exactly across processes.

Every worker thread owns one ``OpStats`` per operation and appends raw
latency samples to it; processes send them to the parent (they pickle as
compact float arrays), which merges them and computes percentiles on the
full sample set, so p99 is the true p99 of the run, not an average of
per-process p99s.
"""

from __future__ import annotations

import array
import math
from collections.abc import Iterable, Sequence

PERCENTILES = (50, 90, 99)
MAX_ERROR_KINDS = 10


def percentile(sorted_values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile of already sorted values (None if empty).

    The smallest value such that at least ``pct`` percent of the samples
    are less than or equal to it; always one of the samples.
    """
    if not 0 < pct <= 100:
        raise ValueError(f"percentile must be in (0, 100], not {pct!r}")
    if not sorted_values:
        return None
    rank = math.ceil(pct / 100 * len(sorted_values))
    return sorted_values[max(rank, 1) - 1]


class OpStats:
    """Counters and latency samples (seconds) of one operation."""

    __slots__ = ("requests", "errors", "messages", "latencies", "error_kinds")

    def __init__(self) -> None:
        self.requests = 0
        self.errors = 0
        self.messages = 0
        self.latencies = array.array("d")
        self.error_kinds: dict[str, int] = {}

    def success(self, latency: float, messages: int = 0) -> None:
        """One request answered as expected after ``latency`` seconds."""
        self.requests += 1
        self.messages += messages
        self.latencies.append(latency)

    def failure(self, reason: str) -> None:
        """One request that failed; ``reason`` is kept (a few kinds only)."""
        self.requests += 1
        self.errors += 1
        kinds = self.error_kinds
        if reason in kinds or len(kinds) < MAX_ERROR_KINDS:
            kinds[reason] = kinds.get(reason, 0) + 1

    def merge(self, other: "OpStats") -> None:
        """Add ``other``'s counts and samples to this one."""
        self.requests += other.requests
        self.errors += other.errors
        self.messages += other.messages
        self.latencies.extend(other.latencies)
        for reason, count in other.error_kinds.items():
            if (reason in self.error_kinds
                    or len(self.error_kinds) < MAX_ERROR_KINDS):
                self.error_kinds[reason] = (
                    self.error_kinds.get(reason, 0) + count)

    def summary(self, duration: float) -> dict:
        """Rates over ``duration`` seconds and latency percentiles (ms)
        of the successful requests."""
        if duration <= 0:
            raise ValueError(f"duration must be positive, not {duration!r}")
        ordered = sorted(self.latencies)
        latency = {f"p{p}": _ms(percentile(ordered, p)) for p in PERCENTILES}
        latency["max"] = _ms(ordered[-1] if ordered else None)
        return {
            "requests": self.requests,
            "errors": self.errors,
            "messages": self.messages,
            "requests_per_second": round(self.requests / duration, 1),
            "messages_per_second": round(self.messages / duration, 1),
            "latency_ms": latency,
            "error_kinds": dict(self.error_kinds),
        }


def merge_all(parts: Iterable[dict[str, OpStats]]) -> dict[str, OpStats]:
    """Merge per-thread or per-process ``{operation: OpStats}`` maps."""
    merged: dict[str, OpStats] = {}
    for part in parts:
        for name, stats in part.items():
            merged.setdefault(name, OpStats()).merge(stats)
    return merged


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 3)
