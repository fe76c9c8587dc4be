"""P3: one rerun of the chat page holding 40 turns with 20 tables and charts, in AppTest.

The 40 turns are real answers from the demo (through the emulator and the client), folded into
history records as the page does; even turns carry a table and a chart, odd ones a KPI card.
Baseline, interleaved rerun by rerun in the same process: the same page with an empty history.
The page draws the last turns in full and older ones behind "Show earlier"; the row with every
turn drawn is reported beside it.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

from bench.measure import Row

ROOT = Path(__file__).resolve().parent.parent
TABLE_QUESTIONS = [
    "Show me revenue trends",
    "Which region brings in the most revenue?",
    "What are our top 10 products by revenue?",
    "Revenue by quarter",
    "Revenue by channel",
]
KPI_QUESTION = "What's our total revenue?"


def _history(turns: int = 40) -> list[Any]:
    from mas.endpoint.connection import resolve
    from mas.transcript import Turn, apply_event, finish, to_messages

    connection = resolve()
    history: list[Any] = []
    for i in range(turns):
        question = TABLE_QUESTIONS[(i // 2) % len(TABLE_QUESTIONS)] if i % 2 == 0 else KPI_QUESTION
        turn = Turn(question=question)
        for event in connection.stream_events(to_messages(history, question)):
            apply_event(turn, event)
        finish(turn)
        history.append(turn)
    return history


def _page(history: list[Any], *, show_all: bool = False) -> Any:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state["turns"] = history
    if show_all:
        at.session_state["show_all_turns"] = True
    at.run()
    at.run()
    if at.exception:
        raise RuntimeError(f"the chat page failed: {at.exception}")
    return at


def _rerun_ms(at: Any) -> float:
    start = time.perf_counter()
    at.run()
    return (time.perf_counter() - start) * 1000


def run(*, quick: bool) -> list[Row]:
    os.environ.setdefault("MAS_DEMO", "1")
    os.environ["MAS_DEMO_PACING"] = "0"
    history = _history()
    empty, recent, everything = _page([]), _page(history), _page(history, show_all=True)
    times: dict[str, list[float]] = {"empty": [], "recent": [], "all": []}
    for _ in range(8 if quick else 25):
        for name, at in (("empty", empty), ("recent", recent), ("all", everything)):
            times[name].append(_rerun_ms(at))
    med = {name: statistics.median(values) for name, values in times.items()}
    charts = len(everything.get("vega_lite_chart"))
    return [
        Row(
            id="P3",
            measure="rerun, 40 turns / 20 tables+charts (last 5 drawn, older behind 'Show earlier')",
            value=round(med["recent"], 1),
            unit="ms",
            baseline=round(med["empty"], 1),
            baseline_name="same page, empty history",
            target="≤ 200 ms, ≤ 3× the empty rerun",
            met=med["recent"] <= 200 and med["recent"] <= 3 * med["empty"],
        ),
        Row(
            id="P3-all",
            measure="same rerun with all 40 turns drawn",
            value=round(med["all"], 1),
            unit="ms",
            baseline=round(med["empty"], 1),
            baseline_name="same page, empty history",
            target="≤ 200 ms (3× of a ~5 ms page is out of reach)",
            met=med["all"] <= 200,
            extra={
                "charts_drawn": charts,
                "tables_drawn": len(everything.dataframe),
                "kpis": len(everything.metric),
            },
        ),
    ]
