"""P5: 50 concurrent `POST /api/chat/stream` clients against a replay upstream, on loopback.

The app is started as users start it (`streamlit run streamlit_app.py`), so the API shares its
process and port with the UI; its workspace is `bench.replay`, a child process replaying one
recorded answer of ~200 ResponsesAgent events at no cost, so the figures are the app's own.
The clients are raw HTTP/1.1 connections on one asyncio loop (a light load generator, all opened
before the start signal). Baseline, in the same run: one client alone. Reports errors, lost
events (each stream must carry as many events as the lone client's), the p95 first-event delay,
and the app process's CPU time (from /proc) per streamed event and per stream.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.measure import Row, median, percentile
from bench.replay import ENDPOINT, record, replay_upstream
from bench.server import spawn, wait_healthy

QUESTION = "Which region brings in the most revenue?"
PACED = 0.02  # seconds between upstream events: a model streaming ~50 tokens a second


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


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process `pid`, all its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class _Figures:
    singles: list[StreamStat] = field(default_factory=list)
    crowd: list[StreamStat] = field(default_factory=list)
    cpu_single: float = 0.0
    cpu_crowd: float = 0.0


def _round(url: str, pid: int, figures: _Figures, *, singles: int, clients: int) -> None:
    """Some lone streams, then one crowd of `clients`, each with the app's CPU time it took."""
    before = _cpu_seconds(pid)
    figures.singles += [_single(url) for _ in range(singles)]
    middle = _cpu_seconds(pid)
    figures.crowd += _many(url, clients)
    figures.cpu_single += middle - before
    figures.cpu_crowd += _cpu_seconds(pid) - middle


@contextmanager
def _app_on(upstream: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    workspace = {"MAS_DEMO": "0", "DATABRICKS_HOST": upstream, "DATABRICKS_TOKEN": "bench",
                 "MAS_ENDPOINT_NAME": ENDPOINT, **(env or {})}  # fmt: skip
    proc, url = spawn(workspace)
    try:
        wait_healthy(url)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def rows_for(figures: _Figures, *, suffix: str = "", label: str = "", clients: int) -> list[Row]:
    singles, crowd = figures.singles, figures.crowd
    expected = singles[0].events
    errors = sum(1 for s in crowd if s.error) + sum(1 for s in singles if s.error)
    lost = sum(max(0, expected - s.events) for s in crowd + singles)
    p95 = percentile([s.first_event for s in crowd], 95) * 1000
    alone = median([s.first_event for s in singles]) * 1000
    crowd_events = sum(s.events for s in crowd)
    single_events = sum(s.events for s in singles)
    per_event = figures.cpu_crowd / max(1, crowd_events) * 1e6
    per_event_alone = figures.cpu_single / max(1, single_events) * 1e6
    return [
        Row(
            id=f"P5{suffix}",
            measure=f"{clients} concurrent /api/chat/stream, p95 first-event delay{label}",
            value=round(p95, 1),
            unit="ms",
            baseline=round(alone, 1),
            baseline_name="one client alone (median)",
            target="0 errors, 0 lost events, p95 ≤ 100 ms above one client",
            met=errors == 0 and lost == 0 and p95 - alone <= 100,
            extra={
                "errors": errors,
                "lost_events": lost,
                "events_per_stream": expected,
                "streams": len(crowd),
                "upstream": "bench.replay (recorded, no cost)",
                "ms_above_alone": round(p95 - alone, 1),
            },
        ),
        Row(
            id=f"P5-cpu{suffix}",
            measure=f"app process CPU per streamed event, {clients} concurrent{label}",
            value=round(per_event, 1),
            unit="µs/event",
            baseline=round(per_event_alone, 1),
            baseline_name="one client alone",
            target="≤ 50 µs/event",
            met=per_event <= 50,
            extra={
                "cpu_ms_per_stream": round(figures.cpu_crowd / max(1, len(crowd)) * 1000, 2),
                "cpu_ms_per_stream_alone": round(figures.cpu_single / max(1, len(singles)) * 1000, 2),
                "cpu_s": round(figures.cpu_crowd, 2),
            },
        ),
    ]


def _measure_side_by_side(
    upstream: str, configs: list[dict[str, str]], *, rounds: int, singles: int, clients: int
) -> list[_Figures]:
    """Each configuration's app, measured in alternating rounds so that load elsewhere hits all alike."""
    with ExitStack() as stack:
        apps = [stack.enter_context(_app_on(upstream, env)) for env in configs]
        for url, _ in apps:  # warm-up: imports, first connections, the SDK's host probe
            _single(url)
            _many(url, clients)
        figures = [_Figures() for _ in apps]
        for _ in range(rounds):
            for (url, pid), figure in zip(apps, figures, strict=True):
                _round(url, pid, figure, singles=singles, clients=clients)
    return figures


def run(*, quick: bool, clients: int = 50) -> list[Row]:
    configs: list[tuple[str, str, dict[str, str]]] = [("", "", {})]
    fast = os.environ.get("BENCH_UVICORN_STANDARD")  # a folder holding uvloop and httptools
    if fast:
        configs.append(("-uvloop", ", uvloop + httptools", {"PYTHONPATH": fast}))
    envs = [env for _, _, env in configs]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        recording = Path(folder) / "answer.jsonl"
        record(recording)
        for pacing, tag in ((0.0, ""), (PACED, "-paced")):
            with replay_upstream(recording, pacing=pacing) as upstream:
                paced = pacing > 0
                figures = _measure_side_by_side(
                    upstream,
                    envs,
                    rounds=(1 if quick else 2) if paced else (2 if quick else 5),
                    singles=2 if paced else 3,
                    clients=clients,
                )
            for (suffix, label, _), figure in zip(configs, figures, strict=True):
                where = f", upstream paced {pacing * 1000:g} ms" if paced else ", upstream unpaced"
                rows += rows_for(figure, suffix=tag + suffix, label=where + label, clients=clients)
    return rows
