"""When to poll a Genie message, what its status means in words, and who may ask next.

`poll_delays` is the schedule (1 s at first, growing to 5 s: Genie's advice is 1–5 s with
backoff, shared/notes/wave2-platform.md §3.4). `status_words` says a `MessageStatus` the way a
user reads it (plus our own `SENDING`, before Genie has the question). `RateGate` queues the
questions of one workspace inside this app process
(Genie allows about 5 a minute per workspace, only the POSTs count, and it does not retry for
you): first come, first sent, never more than the limit in a sliding window, and after a 429
nobody goes before its Retry-After. A gate holds only tickets and times, never anyone's data.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import deque
from collections.abc import Iterator

from mas.settings import GeniePolicy

STATUS_WORDS = {
    "SENDING": "Sending the question to Genie…",
    "SUBMITTED": "Genie received the question…",
    "FETCHING_METADATA": "Reading the data model…",
    "FILTERING_CONTEXT": "Picking the relevant tables…",
    "ASKING_AI": "Asking AI…",
    "PENDING_WAREHOUSE": "Waiting for the warehouse…",
    "EXECUTING_QUERY": "Running the query…",
    "COMPLETED": "Fetching the result…",
    "QUERY_RESULT_EXPIRED": "The stored result expired; re-running the query…",
}


def status_words(status: str | None) -> str:
    return STATUS_WORDS.get(status or "", "Genie is working on it…")


def rate_wait_words(seconds: float) -> str:
    return f"Waiting for Genie's rate limit — about {max(1, math.ceil(seconds))} s"


def poll_delays(policy: GeniePolicy) -> Iterator[float]:
    """Seconds to wait before each next poll: 1, 1, 1.5, 2, 2.5, … up to `max_poll`."""
    delay = policy.first_poll
    for count in itertools.count():
        yield min(delay, policy.max_poll)
        if count >= 1:
            delay += 0.5


class RateGate:
    """One workspace's questions: `join`, wait while `wait_for` says so, `sending`, then `landed` or
    `refused`; `leave` always."""

    def __init__(self, *, limit: int, window: float, clock: object = time.monotonic) -> None:
        self.limit = max(1, limit)
        self.window = window
        self._clock = clock
        self._sent: deque[float] = deque()
        self._in_flight = 0
        self._queue: list[int] = []
        self._tickets = itertools.count(1)
        self._blocked_until = 0.0
        self._lock = threading.Lock()

    def _now(self) -> float:
        return float(self._clock())  # type: ignore[operator]

    def join(self) -> int:
        with self._lock:
            ticket = next(self._tickets)
            self._queue.append(ticket)
            return ticket

    def leave(self, ticket: int) -> None:
        with self._lock:
            if ticket in self._queue:
                self._queue.remove(ticket)

    def wait_for(self, ticket: int) -> tuple[float, int]:
        """(about how many seconds until `ticket` may send, its place in the queue: 1 = next).

        A ticket further back may see 0 s: a slot is free, but the ones ahead go first.
        """
        with self._lock:
            now = self._now()
            while self._sent and self._sent[0] <= now - self.window:
                self._sent.popleft()
            position = self._queue.index(ticket) if ticket in self._queue else 0
            # Sends in the window and on their way, plus those queued before us.
            ahead = len(self._sent) + self._in_flight + position
            wait = 0.0
            if ahead >= self.limit:
                overflow = ahead - self.limit
                rounds, index = divmod(overflow, self.limit)
                if index < len(self._sent):
                    wait = self._sent[index] + self.window * (rounds + 1) - now
                else:
                    wait = self.window * (rounds + 1)
            return max(wait, self._blocked_until - now, 0.0), position + 1

    def sending(self, ticket: int) -> None:
        """`ticket` is being sent: it no longer waits, and counts as soon as it is on its way."""
        with self._lock:
            self._in_flight += 1
            if ticket in self._queue:
                self._queue.remove(ticket)

    def landed(self) -> None:
        """A send came back (accepted, or failed other than by 429): its window starts now, when
        Genie has surely counted it — timing it from before the request would let the next one
        in a moment too early by Genie's clock."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            self._sent.append(self._now())

    def refused(self, ticket: int, *, seconds: float) -> None:
        """Genie answered `ticket` with 429: it did not count, it goes first again, and nobody
        sends for `seconds` (the Retry-After)."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            if ticket not in self._queue:
                self._queue.insert(0, ticket)
            self._blocked_until = max(self._blocked_until, self._now() + seconds)


_gates: dict[tuple[str, int, float], RateGate] = {}
_gates_lock = threading.Lock()


def gate_for(host: str, policy: GeniePolicy) -> RateGate:
    """The process-wide gate of one workspace (Genie's limit is per workspace, across spaces)."""
    key = (host.rstrip("/").lower(), policy.questions_per_minute, policy.rate_window)
    with _gates_lock:
        gate = _gates.get(key)
        if gate is None:
            gate = RateGate(limit=policy.questions_per_minute, window=policy.rate_window)
            _gates[key] = gate
        return gate
