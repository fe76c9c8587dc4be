"""P8: reopen a stored 40-turn conversation (20 tables and charts): store read plus the first render.

The 40 turns are real demo answers (P3's history), written to a SQLite history file. Ours: a new
session whose URL names the conversation (`?c=`), so its first run reads it from the store, rebuilds
every tool result from its raw output and draws the page. Baseline, interleaved in the same process:
a new session given the same transcript already in memory, drawn on its first run.
"""

from __future__ import annotations

import copy
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.measure import Row
from bench.p3_rerun import ROOT, _history


def _page() -> Any:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    at.run()
    return at


def _render_ms(at: Any, load: Any) -> float:
    """Load the turns (timed), then draw them with this session's result cache empty (a first render)."""
    start = time.perf_counter()
    at.session_state["turns"] = load()
    at.session_state["result_views"] = {}
    at.run()
    elapsed = (time.perf_counter() - start) * 1000
    if at.exception or len(at.chat_message) != 10:
        raise RuntimeError(f"the reopened page is wrong: {at.exception or len(at.chat_message)}")
    return elapsed


def run(*, quick: bool) -> list[Row]:
    from mas.settings import HistoryDb
    from mas.store import ConversationInfo, Store, open_engine
    from mas.store.history import hydrate
    from ui.history import RECENT_PARSED

    os.environ.setdefault("MAS_DEMO", "1")
    os.environ["MAS_DEMO_PACING"] = "0"
    folder = Path(tempfile.mkdtemp(prefix="mas-bench-p8-"))
    os.environ["MAS_HISTORY_DB"] = f"sqlite:///{folder / 'history.db'}"
    history = _history()
    store = Store.open(open_engine(HistoryDb(kind="sqlite", url=os.environ["MAS_HISTORY_DB"])))
    now = time.time()
    info = ConversationInfo(id=uuid.uuid4().hex, title="P8", created_at=now, updated_at=now)
    store.save_turns("local", conversation=info, state={}, turns=list(enumerate(history)))

    def from_store() -> list[Any]:
        # What opening does: read, parse the turns drawn at once, the page hydrates the ones it shows.
        loaded = store.conversation("local", info.id, parse_last=RECENT_PARSED)
        assert loaded is not None
        hydrate(loaded.turns[-RECENT_PARSED:])
        return loaded.turns

    at_ours, at_base = _page(), _page()
    copies = [copy.deepcopy(history) for _ in range(6 if quick else 16)]
    _render_ms(at_ours, from_store)
    _render_ms(at_base, copies.pop)
    ours: list[float] = []
    base: list[float] = []
    reads: list[float] = []
    while copies:
        ours.append(_render_ms(at_ours, from_store))
        base.append(_render_ms(at_base, copies.pop))
        started = time.perf_counter()
        from_store()
        reads.append((time.perf_counter() - started) * 1000)
    store.close()
    value, baseline = statistics.median(ours), statistics.median(base)
    return [
        Row(
            id="P8",
            measure="reopen a stored 40-turn conversation, 20 tables+charts (store read + first render)",
            value=round(value, 1),
            unit="ms",
            baseline=round(baseline, 1),
            baseline_name="first render of the same transcript in memory",
            target="≤ 1.5× and ≤ 300 ms",
            met=value <= 1.5 * baseline and value <= 300,
            extra={"store_read_ms": round(statistics.median(reads), 1), "turns": len(history)},
        )
    ]
