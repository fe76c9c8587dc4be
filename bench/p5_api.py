"""P5: 50 concurrent `POST /api/chat/stream` clients against the demo, on loopback, no pacing.

The app is started as users start it (`streamlit run streamlit_app.py`, demo mode, pacing 0),
so the API shares its process and port with the UI. The clients are raw HTTP/1.1
connections on one asyncio loop (a light load generator, all opened before the start
signal). Baseline, in the same run: one client alone.
Reports errors, lost events (each stream must carry as many events as the lone client's
answer to the same question) and the p95 first-event delay.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass

from bench.measure import Row, median, percentile
from bench.server import serve_app

QUESTION = "Which region brings in the most revenue?"


@dataclass
class StreamStat:
    first_event: float
    events: int
    error: str | None


async def _one(url: str, gate: asyncio.Event | None = None) -> StreamStat:
    """One raw HTTP/1.1 client: a light load generator, so the figure is the server's, not ours."""
    host, port = url.removeprefix("http://").split(":")
    body = json.dumps({"messages": [{"role": "user", "content": QUESTION}]}).encode()
    head = (
        f"POST /api/chat/stream HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        if gate is not None:
            await gate.wait()
        start = time.perf_counter()
        writer.write(head + body)
        status = await reader.readline()
        if b" 200 " not in status:
            return StreamStat(0.0, 0, status.decode(errors="replace").strip())
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        return await _read_events(reader, start)
    finally:
        writer.close()


async def _read_events(reader: asyncio.StreamReader, start: float) -> StreamStat:
    first: float | None = None
    events = 0
    error = None
    pending = b""
    while size_line := await reader.readline():
        size = int(size_line.strip() or b"0", 16)
        if size == 0:
            break
        chunk = await reader.readexactly(size + 2)
        pending += chunk[:-2]
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if not line.startswith(b"data: "):
                continue
            if first is None:
                first = time.perf_counter() - start
            events += 1
            if b'"type":"error"' in line:
                error = line.decode(errors="replace")
    return StreamStat(first or 0.0, events, error)


async def _crowd(url: str, clients: int) -> list[StreamStat]:
    gate = asyncio.Event()
    tasks = [asyncio.create_task(_one(url, gate)) for _ in range(clients)]
    await asyncio.sleep(0.2)  # every connection is open before the gate lifts
    gate.set()
    return list(await asyncio.gather(*tasks))


def _single(url: str) -> StreamStat:
    return asyncio.run(_one(url))


def _many(url: str, clients: int) -> list[StreamStat]:
    return asyncio.run(_crowd(url, clients))


def run(*, quick: bool, clients: int = 50) -> list[Row]:
    with serve_app() as url:
        _single(url)  # warm-up: the demo dataset and the first DuckDB query
        singles = [_single(url) for _ in range(5 if quick else 15)]
        rounds = [_many(url, clients) for _ in range(1 if quick else 3)]
    expected = singles[0].events
    crowd = [s for r in rounds for s in r]
    errors = sum(1 for s in crowd if s.error) + sum(1 for s in singles if s.error)
    lost = sum(max(0, expected - s.events) for s in crowd)
    p95 = percentile([s.first_event for s in crowd], 95) * 1000
    alone = median([s.first_event for s in singles]) * 1000
    return [
        Row(
            id="P5",
            measure=f"{clients} concurrent /api/chat/stream, p95 first-event delay",
            value=round(p95, 1),
            unit="ms",
            baseline=round(alone, 1),
            baseline_name="one client alone (median)",
            target="0 errors, 0 lost events, p95 ≤ 50 ms above one client",
            met=errors == 0 and lost == 0 and p95 - alone <= 50,
            extra={
                "errors": errors,
                "lost_events": lost,
                "events_per_stream": expected,
                "streams": len(crowd),
            },
        ),
    ]
