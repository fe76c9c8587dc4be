"""P6: how long `import mas` takes, and `streamlit run streamlit_app.py` to a healthy server.

Both are whole fresh processes (what a user or the Apps runtime waits for), timed wall-clock.
The import is interleaved with `import pandas` as the baseline; start-up has no baseline,
only its target. The app is started in demo mode on a free loopback port.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench.measure import Row, interleaved, median
from bench.server import spawn, wait_healthy

ROOT = Path(__file__).resolve().parent.parent


def _import_seconds(module: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, cwd=ROOT)
    return time.perf_counter() - start


def startup_seconds(*, limit: float = 60.0) -> float:
    """Seconds from spawning `streamlit run streamlit_app.py` to `/_stcore/health` answering 200."""
    start = time.perf_counter()
    proc, url = spawn({"MAS_DEMO": "1"})
    try:
        wait_healthy(url, limit=limit)
        return time.perf_counter() - start
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
