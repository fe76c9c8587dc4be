"""The emulator with request recording and fault injection, for tests and benchmarks.

`Emulator` here is `mas.demo.server.Emulator` with a `Recorder` as its observer: every request
is kept as a `RecordedRequest` (its Authorization header only as a sha256 fingerprint, so tests
match tokens without holding one), and queued `Fault`s are played through the emulator's hooks
(`mas.demo.exchange`) over real HTTP. Nothing here ships with the app.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, Literal

from mas.demo import server
from mas.demo.exchange import Exchange, Outcome, RequestInfo, RouteName, StreamEnded, Wire, fingerprint

__all__ = ["MALFORMED_LINES", "Emulator", "Fault", "RecordedRequest", "Recorder", "fingerprint"]

MALFORMED_LINES = ("data: {not json\n\n", "this line is not SSE\n\n", "data: \x00garbage\x7f\n\n")
_CUT_LINE = b'data: {"type":"response.output_text.delta","delta":"cut here"}\n\n'


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


class _Played(Exchange):
    """One request's hooks: record what happens, and play the fault taken for its route, if any."""

    def __init__(self, recorder: Recorder, record: RecordedRequest) -> None:
        self.recorder = recorder
        self.record = record
        self.fault = Fault()

    def intercept(self, route: RouteName, wire: Wire) -> bool:
        fault = self.recorder.take(route)
        if fault is None:
            return False
        self.fault = fault
        if fault.reset:
            # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            wire.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            wire.connection.close()
            wire.drop()
            self.record.outcome = "reset"
            return True
        if fault.status or route == "metadata":
            self._play_status(fault, wire)
            return True
        return False

    def _play_status(self, fault: Fault, wire: Wire) -> None:
        status = fault.status or 500
        extra = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        self.record.outcome = "error"
        if fault.html:
            title = f"{status} {BaseHTTPRequestHandler.responses.get(status, ('Error',))[0]}"
            page = (
                f"<!DOCTYPE html><html><head><title>{title}</title></head>"
                f"<body><h1>{fault.message or 'Bad Gateway'}</h1></body></html>"
            ).encode()
            wire.send_body(status, page, content_type="text/html; charset=utf-8", extra=extra)
            return
        payload = {"error_code": fault.error_code or "INTERNAL_ERROR", "message": fault.message or "Failed"}
        wire.send_json(status, payload, extra=extra)

    def as_json(self) -> bool:
        return self.fault.force_json

    def pacing(self, default: float) -> float:
        return default if self.fault.pacing is None else self.fault.pacing

    def before_event(self, sent: int, line: bytes | None, wire: Wire) -> None:
        fault = self.fault
        if fault.stall and sent == fault.stall_after:
            wire.wait(fault.stall)
        if fault.malformed and sent == fault.malformed_after:
            for raw in fault.malformed:
                wire.write_chunk(raw.encode("utf-8"))
        if fault.cut_after is not None and (line is None or sent >= fault.cut_after):
            self._cut(line or _CUT_LINE, wire)

    def _cut(self, line: bytes, wire: Wire) -> None:
        """Half a line, then the connection closes without the chunked terminator."""
        wire.write_chunk(line[: max(1, len(line) // 2)])
        self.record.write_times.append(time.perf_counter())
        self.record.outcome = "cut"
        wire.drop()
        wire.connection.shutdown(socket.SHUT_RDWR)
        raise StreamEnded

    def wrote(self, *, event: bool) -> None:
        self.record.write_times.append(time.perf_counter())
        if event:
            self.record.events_sent += 1

    def outcome(self, outcome: Outcome) -> None:
        self.record.outcome = outcome

    def finished(self) -> None:
        self.record.finished.set()


class Recorder:
    """The emulator's observer: keeps every request and hands out queued faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._requests: list[RecordedRequest] = []

    def exchange(self, request: RequestInfo) -> Exchange:
        record = RecordedRequest(request.method, request.path, request.body, request.identity,
                                 request.headers, request.peer)  # fmt: skip
        with self._lock:
            self._requests.append(record)
        return _Played(self, record)

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self._faults.extend([fault] * fault.times)

    def take(self, route: RouteName) -> Fault | None:
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.route in (route, "any"):
                    return self._faults.pop(index)
        return None

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)


class Emulator(server.Emulator):
    """`mas.demo.server.Emulator` that records its requests and plays injected faults."""

    def __init__(self, **kwargs: Any) -> None:
        self.recorder = Recorder()
        super().__init__(observer=self.recorder, **kwargs)

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.recorder.requests

    def invocations(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/invocations")]

    def settle(self, timeout: float = 10.0) -> list[RecordedRequest]:
        """The recorded requests once their handlers are done (a client may finish reading first)."""
        deadline = time.monotonic() + timeout
        for record in self.requests:
            if not record.finished.wait(max(0.0, deadline - time.monotonic())):
                raise TimeoutError(f"{record.method} {record.path} still being handled after {timeout} s")
        return self.requests

    def inject(self, fault: Fault) -> None:
        self.recorder.inject(fault)
