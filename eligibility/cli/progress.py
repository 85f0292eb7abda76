"""Progress on stderr for long runs, only when stderr is a terminal."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, label: str, enabled: bool) -> None:
        self.label = label
        self.enabled = enabled
        self.count = 0
        self._last = 0.0
        self._start = time.monotonic()

    def step(self, n: int = 1) -> None:
        self.count += n
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last >= 0.2:
            self._last = now
            rate = self.count / max(now - self._start, 1e-9)
            sys.stderr.write(f"\r{self.label}: {self.count} ({rate:,.0f}/s)")
            sys.stderr.flush()

    def done(self) -> None:
        if self.enabled and self.count:
            sys.stderr.write(f"\r{self.label}: {self.count} done{' ' * 20}\n")
            sys.stderr.flush()
