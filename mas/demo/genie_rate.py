"""The demo Genie's rate gate: at most `limit` accepted questions per `window` seconds per workspace.

`RateGate.admit()` counts a question it lets through and answers 429 with Retry-After past the
limit; only accepted questions count (shared/notes/wave2-platform.md §3.4). It is not the
client's pacing (see `mas.genie.pacing`) and knows nothing of messages or conversations.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from mas.demo.routes import ApiResponse, error


class RateGate:
    """A sliding window of accepted questions' times; thread-safe."""

    def __init__(self) -> None:
        self._posts: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self, *, limit: int, window: float) -> ApiResponse | None:
        """None when the question may go ahead (and counts it), else the 429 to answer."""
        now = time.monotonic()
        with self._lock:
            while self._posts and self._posts[0] <= now - window:
                self._posts.popleft()
            if len(self._posts) >= limit:
                retry = max(1, math.ceil(self._posts[0] + window - now))
                response = error(
                    429,
                    "RESOURCE_EXHAUSTED",
                    f"Too many questions: at most {limit} per {window:g} s in this workspace.",
                )
                return ApiResponse(429, response.body, {"Retry-After": str(retry)})
            self._posts.append(now)
        return None
