"""Counters for benchmarks: requests, faults, tokens served and the time the "model" took."""

from __future__ import annotations

import threading
from collections import Counter, deque
from typing import Any

from huntaze_ai.emulator.config import FaultKind
from huntaze_ai.emulator.tokens import Usage

# Enough recent service times for stable percentiles in a benchmark step, bounded in memory.
TIME_SAMPLES = 100_000


def _percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


class EmulatorStats:
    # Read from test and benchmark threads while the server's event loop writes.
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._requests = 0
            self._by_endpoint: Counter[str] = Counter()
            self._faults: Counter[str] = Counter()
            self._auth_failures = 0
            self._tokens: Counter[str] = Counter()
            self._outcomes: Counter[str] = Counter()
            self._time_ms = 0.0
            self._times: deque[float] = deque(maxlen=TIME_SAMPLES)
            self._in_flight = 0

    def started(self, endpoint: str) -> None:
        with self._lock:
            self._requests += 1
            self._by_endpoint[endpoint] += 1
            self._in_flight += 1

    def finished(self, elapsed_ms: float) -> None:
        with self._lock:
            self._in_flight -= 1
            self._time_ms += elapsed_ms
            self._times.append(elapsed_ms)

    def fault(self, kind: FaultKind) -> None:
        with self._lock:
            self._faults[kind.value] += 1

    def auth_failure(self) -> None:
        with self._lock:
            self._auth_failures += 1

    def served(self, usage: Usage, outcome: str = "STOP") -> None:
        """An answer sent in full: its billed usage and its finishReason (or PROMPT_BLOCKED)."""
        with self._lock:
            self._tokens["prompt"] += usage.prompt
            self._tokens["candidates"] += usage.candidates
            self._tokens["thoughts"] += usage.thoughts
            self._tokens["cached"] += usage.cached
            self._tokens["total"] += usage.total
            self._tokens["responses"] += 1
            self._outcomes[outcome] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            times = sorted(self._times)
            return {
                "requests": self._requests,
                "requests_by_endpoint": dict(self._by_endpoint),
                "in_flight": self._in_flight,
                "faults": {kind.value: self._faults[kind.value] for kind in FaultKind},
                "faults_total": sum(self._faults.values()),
                "auth_failures": self._auth_failures,
                "responses_served": self._tokens["responses"],
                "outcomes": dict(self._outcomes),
                "tokens": {
                    name: self._tokens[name]
                    for name in ("prompt", "candidates", "thoughts", "cached", "total")
                },
                "model_time_ms_total": round(self._time_ms, 3),
                # Service time per response (the benchmark subtracts it from end-to-end latency).
                "model_time_ms": {
                    "samples": len(times),
                    "mean": round(sum(times) / len(times), 3) if times else None,
                    **{
                        f"p{p}": round(_percentile(times, p), 3) if times else None
                        for p in (50, 95, 99)
                    },
                },
            }
