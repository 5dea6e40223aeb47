"""A circuit breaker per LLM provider: after repeated failures, stop calling it for a while.

Closed: calls go through. After `threshold` consecutive failures it opens: calls
are refused (the offline assistant answers) until `cooldown` seconds have passed,
then one trial call is let through (half-open); success closes it, failure reopens it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class CircuitBreaker:
    threshold: int = 3
    cooldown: float = 30.0
    clock: object = field(default=time.monotonic, repr=False)
    failures: int = 0
    opened_at: float | None = None
    trial_running: bool = False

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half_open" if self.clock() - self.opened_at >= self.cooldown else "open"

    def allow(self) -> bool:
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self.trial_running:
            self.trial_running = True
            return True
        return False

    def success(self) -> None:
        self.failures = 0
        self.opened_at = None
        self.trial_running = False

    def failure(self) -> None:
        self.failures += 1
        self.trial_running = False
        if self.opened_at is not None or self.failures >= self.threshold:
            self.opened_at = self.clock()
