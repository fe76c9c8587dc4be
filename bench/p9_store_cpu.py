"""P9: app CPU per streamed turn with the history store on (SQLite) against off (MAS_HISTORY_DB=none).

Each sample is a new session (a new user) asking one demo question in AppTest (no pacing); the figure is the
process CPU time (`time.process_time`, all threads: the script, the event pump, the store writes)
of that run. The demo endpoint runs in its own process, so its CPU is not counted. On and off
alternate sample by sample in the same process.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from bench.measure import Row
from bench.p3_rerun import KPI_QUESTION, ROOT, TABLE_QUESTIONS

QUESTIONS = [*TABLE_QUESTIONS, KPI_QUESTION]


def _turn_cpu_ms(question: str) -> float:
    from streamlit.testing.v1 import AppTest

    from ui import session

    # A user of their own per sample: every sample starts with an empty conversation list.
    headers = {"X-Forwarded-Email": f"p9-{uuid.uuid4().hex[:8]}@example.com"}
    session.request_headers = lambda: headers  # type: ignore[assignment]
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    at.chat_input[0].set_value(question)
    start = time.process_time()
    at.run()
    elapsed = (time.process_time() - start) * 1000
    if at.exception or len(at.chat_message) != 2:
        raise RuntimeError(f"the turn failed: {at.exception}")
    return elapsed


def run(*, quick: bool) -> list[Row]:
    os.environ.setdefault("MAS_DEMO", "1")
    os.environ["MAS_DEMO_PACING"] = "0"
    folder = Path(tempfile.mkdtemp(prefix="mas-bench-p9-"))
    on = f"sqlite:///{folder / 'history.db'}"
    samples: dict[str, list[float]] = {"on": [], "off": []}
    for warm in (on, "none"):
        os.environ["MAS_HISTORY_DB"] = warm
        _turn_cpu_ms(QUESTIONS[0])
    for index in range(12 if quick else 36):
        question = QUESTIONS[index % len(QUESTIONS)]
        for name, target in (("on", on), ("off", "none")):
            os.environ["MAS_HISTORY_DB"] = target
            samples[name].append(_turn_cpu_ms(question))
    value, baseline = statistics.median(samples["on"]), statistics.median(samples["off"])
    return [
        Row(
            id="P9",
            measure="app CPU per streamed turn, history store on (SQLite)",
            value=round(value, 1),
            unit="ms CPU",
            baseline=round(baseline, 1),
            baseline_name="same turn, MAS_HISTORY_DB=none",
            target="≤ +10 %",
            met=value <= 1.10 * baseline,
        )
    ]
