"""What the emulator is told to do and what it saw: `Fault`s to play and `RecordedRequest`s.

Plain data shared by the emulator (`mas.demo.server`) and its request handler
(`mas.demo.handler`). Requests are recorded without their Authorization header: only its
sha256 fingerprint is kept, so tests can match tokens without ever holding one.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

MALFORMED_LINES = ("data: {not json\n\n", "this line is not SSE\n\n", "data: \x00garbage\x7f\n\n")


@dataclass(frozen=True)
class Fault:
    """A failure to play on the next `times` requests of `route` (invocations by default)."""

    status: int | None = None  # answer with this status and an error body instead of streaming
    error_code: str | None = None
    message: str | None = None
    html: bool = False  # an HTML error page (as gateways send) instead of Databricks error JSON
    retry_after: str | None = None
    reset: bool = False  # RST the connection after reading the request, before any response
    cut_after: int | None = None  # after K events write half a line and close without the chunk terminator
    stall: float = 0.0  # sleep this long after `stall_after` events
    stall_after: int = 0
    pacing: float | None = None  # seconds between events for this request
    malformed: tuple[str, ...] = ()  # raw lines written after `malformed_after` events
    malformed_after: int = 0
    force_json: bool = False  # answer one application/json body although `stream: true` was asked
    times: int = 1
    route: Literal["invocations", "metadata", "any"] = "invocations"


@dataclass
class RecordedRequest:
    method: str
    path: str
    body: Any
    auth_fingerprint: str | None
    headers: dict[str, str]
    peer: tuple[str, int]  # the client's address: one per TCP connection, so reuse is visible
    events_sent: int = 0
    write_times: list[float] = field(default_factory=list)  # perf_counter() after each event write
    outcome: str = "pending"  # ok | error | reset | cut | disconnected
    finished: threading.Event = field(default_factory=threading.Event)


def fingerprint(value: str | None) -> str | None:
    """sha256 hex of an Authorization header value, so tests can match tokens without storing them."""
    return hashlib.sha256(value.encode()).hexdigest() if value is not None else None
