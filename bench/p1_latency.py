"""P1: delay from the emulator writing an event to `stream_events` yielding it, on loopback.

A responder paces text deltas ~20 ms apart and stamps each with `perf_counter_ns()` just
before the emulator serialises and writes it; the reader notes when the stamp reaches it.
Baseline, interleaved run by run: a bare socket reader on the same stream (raw `recv`, stamps
found by a regex), so the figure shows what our layers add on top of the kernel and the GIL.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from typing import Any

from bench.measure import Row, interleaved, median, percentile

_STAMP = re.compile(rb"@(\d+)@")


class StampingResponder:
    def __init__(self, *, events: int, pacing: float) -> None:
        self.events = events
        self.pacing = pacing

    def respond(self, input_items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for _ in range(self.events):
            time.sleep(self.pacing)
            yield {
                "type": "response.output_text.delta",
                "item_id": "m1",
                "delta": f"@{time.perf_counter_ns()}@ ",
            }
        yield {"type": "response.completed", "response": {"id": "r1"}}


def _ours(url: str) -> list[float]:
    from databricks.sdk import WorkspaceClient

    from mas import ChatMessage
    from mas.endpoint.client import MASStreamingClient
    from mas.wire.events import TextDelta

    delays: list[float] = []
    ws = WorkspaceClient(host=url, token="bench", auth_type="pat")
    with MASStreamingClient(workspace_client=ws) as client:
        for event in client.stream_events([ChatMessage(role="user", content="go")]):
            now = time.perf_counter_ns()
            if isinstance(event, TextDelta) and (m := _STAMP.search(event.delta.encode())):
                delays.append((now - int(m.group(1))) / 1e6)
    return delays


def _bare(url: str, endpoint: str) -> list[float]:
    host, port = url.removeprefix("http://").split(":")
    body = json.dumps({"input": [{"role": "user", "content": "go"}], "stream": True}).encode()
    head = (
        f"POST /serving-endpoints/{endpoint}/invocations HTTP/1.1\r\nHost: {host}\r\n"
        f"Content-Type: application/json\r\nAuthorization: Bearer bench\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    delays: list[float] = []
    with socket.create_connection((host, int(port))) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(head + body)
        while chunk := sock.recv(65536):
            now = time.perf_counter_ns()
            delays.extend((now - int(m.group(1))) / 1e6 for m in _STAMP.finditer(chunk))
    return delays


def run(*, quick: bool) -> list[Row]:
    from mas.demo.server import Emulator

    events = 50 if quick else 150
    rounds = 4 if quick else 8
    with Emulator(responder=StampingResponder(events=events, pacing=0.02)) as emulator:
        ours_runs, bare_runs = interleaved(
            lambda: _ours(emulator.url),  # type: ignore[arg-type,return-value]
            lambda: _bare(emulator.url, emulator.endpoint_name),  # type: ignore[arg-type,return-value]
            repeats=rounds,
        )
    ours = [d for run in ours_runs for d in run]  # type: ignore[attr-defined]
    bare = [d for run in bare_runs for d in run]  # type: ignore[attr-defined]
    med, p99 = median(ours), percentile(ours, 99)
    return [
        Row(
            id="P1",
            measure="emulator write → stream_events yield (paced 20 ms)",
            value=round(med, 3),
            unit="ms",
            baseline=round(median(bare), 3),
            baseline_name="bare socket reader",
            target="median ≤ 2 ms, p99 ≤ 10 ms",
            met=med <= 2 and p99 <= 10,
            extra={
                "p99_ms": round(p99, 3),
                "baseline_p99_ms": round(percentile(bare, 99), 3),
                "events": len(ours),
            },
        ),
    ]
