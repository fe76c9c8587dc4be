"""P6: how long `import mas` takes, and `streamlit run streamlit_app.py` to a healthy server.

Both are whole fresh processes (what a user or the Apps runtime waits for), timed wall-clock.
The import is interleaved with `import pandas` as the baseline; start-up has no baseline,
only its target. The app is started in demo mode on a free loopback port.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.measure import Row, interleaved, median

ROOT = Path(__file__).resolve().parent.parent


def _import_seconds(module: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, cwd=ROOT)
    return time.perf_counter() - start


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=0.5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def startup_seconds(*, limit: float = 60.0) -> float:
    """Seconds from spawning `streamlit run streamlit_app.py` to `/_stcore/health` answering 200."""
    port = _free_port()
    env = {**os.environ, "MAS_DEMO": "1"}
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
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - start < limit:
            if _healthy(f"http://127.0.0.1:{port}/_stcore/health"):
                return time.perf_counter() - start
            time.sleep(0.02)
        raise TimeoutError(f"streamlit did not become healthy within {limit} s")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def run(*, quick: bool) -> list[Row]:
    repeats = 5 if quick else 11
    ours, base = interleaved(
        lambda: _import_seconds("mas"), lambda: _import_seconds("pandas"), repeats=repeats
    )
    import_ms = median(ours) * 1000
    starts = [startup_seconds() for _ in range(2 if quick else 5)]
    healthy_s = median(starts)
    return [
        Row(
            id="P6",
            measure="python -c 'import mas'",
            value=round(import_ms, 1),
            unit="ms",
            baseline=round(median(base) * 1000, 1),
            baseline_name="python -c 'import pandas'",
            target="≤ 300 ms",
            met=import_ms <= 300,
        ),
        Row(
            id="P6b",
            measure="streamlit run → healthy /_stcore/health",
            value=round(healthy_s, 2),
            unit="s",
            target="≤ 6 s",
            met=healthy_s <= 6,
        ),
    ]
