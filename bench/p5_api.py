"""P5: 50 concurrent `POST /api/chat/stream` clients against the demo, on loopback, no pacing.

The app is started as users start it (`streamlit run streamlit_app.py`, demo mode, pacing 0),
so the API shares its process and port with the UI. Each client is a thread with its own
httpx connection reading the whole stream. Baseline, in the same run: one client alone.
Reports errors, lost events (each stream must carry as many events as the lone client's
answer to the same question) and the p95 first-event delay.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.measure import Row, median, percentile
from bench.p6_startup import _free_port, _healthy

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Which region brings in the most revenue?"


@dataclass
class StreamStat:
    first_event: float
    events: int
    error: str | None


def _one(url: str, barrier: threading.Barrier | None) -> StreamStat:
    body = {"messages": [{"role": "user", "content": QUESTION}]}
    with httpx.Client(timeout=60) as http:
        if barrier is not None:
            barrier.wait()
        start = time.perf_counter()
        first: float | None = None
        events = 0
        error = None
        with http.stream("POST", f"{url}/api/chat/stream", json=body) as response:
            if response.status_code != 200:
                return StreamStat(0.0, 0, f"HTTP {response.status_code}")
            for line in response.iter_lines():
                if not line.startswith("data: "):
                    continue
                if first is None:
                    first = time.perf_counter() - start
                events += 1
                if '"type":"error"' in line.replace(" ", ""):
                    error = line
        return StreamStat(first or 0.0, events, error)


def _many(url: str, clients: int) -> list[StreamStat]:
    barrier = threading.Barrier(clients)
    stats: list[StreamStat | None] = [None] * clients

    def work(i: int) -> None:
        stats[i] = _one(url, barrier)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [s if s is not None else StreamStat(0.0, 0, "thread died") for s in stats]


def _serve() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "MAS_DEMO": "1", "MAS_DEMO_PACING": "0"}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "streamlit_app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.perf_counter() + 60
    while not _healthy(f"{url}/_stcore/health"):
        if time.perf_counter() > deadline:
            proc.terminate()
            raise TimeoutError("streamlit did not become healthy")
        time.sleep(0.05)
    return proc, url


def run(*, quick: bool, clients: int = 50) -> list[Row]:
    proc, url = _serve()
    try:
        _one(url, None)  # warm-up: the demo dataset and the first DuckDB query
        singles = [_one(url, None) for _ in range(5 if quick else 15)]
        rounds = [_many(url, clients) for _ in range(1 if quick else 3)]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
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
