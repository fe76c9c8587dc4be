"""P10: the direct-Genie backend — first visible progress in the browser, and what waiting costs.

P10a: `streamlit run` with MAS_BACKEND=genie on the embedded demo, driven by Debian's chromium;
timed inside the page from the Enter keydown to the first Genie status line of the new answer
(a MutationObserver). P10b: one question whose Genie message takes 60 s (the emulator's status
sequence, one step every 10 s), counting the polls our backend makes over the wait, side by side
with databricks-sdk's own waiter (`w.genie.wait_get_message_genie_completed`) on the same server.
"""

from __future__ import annotations

import datetime
import statistics
import threading
import time
from pathlib import Path

from bench.measure import Row, percentile
from bench.p7_browser import ARGS, CHROMIUM
from bench.server import serve_app

QUESTIONS = [
    "What's our total revenue?",
    "Which region brings in the most revenue?",
    "Show me revenue trends",
]
# Statuses read from Genie's message (the first poll's), not the app's own "Sending…" before it.
PROGRESS = "Genie received the question|Reading the data model|Picking the relevant tables|Asking AI"
ARM = """([n, pattern]) => {
  window.__p10 = {sent: null, first: null};
  const re = new RegExp(pattern);
  const box = document.querySelector('[data-testid=stChatInputTextArea]');
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && window.__p10.sent === null) window.__p10.sent = performance.now();
  }, {capture: true});
  const check = () => {
    if (window.__p10.sent === null) return;
    const msgs = document.querySelectorAll('[data-testid=stChatMessage]');
    if (msgs.length < n - 1) return;
    const scope = msgs.length >= n ? msgs[n - 1] : document.body;
    if (re.test(scope.innerText) || re.test(document.body.innerText)) {
      window.__p10.first = performance.now(); obs.disconnect();
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""
WAIT_SECONDS = 60.0


def _session(browser: object, url: str) -> list[float]:
    page = browser.new_page(viewport={"width": 1360, "height": 1000})  # type: ignore[attr-defined]
    delays: list[float] = []
    try:
        page.goto(url)
        page.get_by_test_id("stChatInputTextArea").wait_for(timeout=30_000)
        for i, question in enumerate(QUESTIONS):
            page.evaluate(ARM, [2 * (i + 1), PROGRESS])
            box = page.get_by_test_id("stChatInputTextArea")
            box.fill(question)
            box.press("Enter")
            page.wait_for_function("() => window.__p10.first !== null", timeout=30_000, polling=50)
            delays.append(page.evaluate("() => window.__p10.first - window.__p10.sent"))
            page.get_by_test_id("stChatInputStopButton").wait_for(state="detached", timeout=60_000)
    finally:
        page.close()
    return delays


def _browser_delays(quick: bool) -> list[float]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    # No rate limit here: this times progress, not the queue (P10b and the tests cover that).
    env = {
        "MAS_BACKEND": "genie",
        "MAS_DEMO_GENIE_STEP": "0.5",
        "GENIE_QUESTIONS_PER_MINUTE": "1000",
        "MAS_DEMO_GENIE_RATE_LIMIT": "1000",
    }
    delays: list[float] = []
    with serve_app(env) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        _session(browser, url)  # warm-up: page load, the demo process, first DuckDB query
        for _ in range(1 if quick else 3):
            delays += _session(browser, url)
        browser.close()
    return delays


def _polling_cost() -> tuple[float, float, float]:
    """(our polls per second, the SDK waiter's polls per second, seconds waited) over one 60 s message."""
    from databricks.sdk import WorkspaceClient

    from mas.demo.exchange import PLAIN, Exchange, RequestInfo, fingerprint
    from mas.demo.server import Emulator
    from mas.genie.conversation import GenieBackend
    from mas.genie.pacing import RateGate
    from mas.settings import GeniePolicy
    from mas.wire.messages import ChatMessage

    seen: list[RequestInfo] = []

    class Counter:
        """Observes every request the emulator reads (the polls are what is counted)."""

        def exchange(self, request: RequestInfo) -> Exchange:
            seen.append(request)
            return PLAIN

    with Emulator(observer=Counter()) as emulator:
        emulator.genie.step_seconds = WAIT_SECONDS / 6  # 7 statuses: COMPLETED after 60 s
        emulator.genie.rate_limit = 100
        w = WorkspaceClient(host=emulator.url, token="bench-sdk", auth_type="pat")
        mine = WorkspaceClient(host=emulator.url, token="bench-ours", auth_type="pat")
        sdk_polls: list[float] = []

        def sdk_side() -> None:
            started = w.genie.start_conversation("bench-space", "What's our total revenue?")
            begun = time.monotonic()
            started.result(timeout=datetime.timedelta(seconds=WAIT_SECONDS * 2))
            sdk_polls.append(time.monotonic() - begun)

        thread = threading.Thread(target=sdk_side, daemon=True)
        thread.start()
        policy = GeniePolicy(questions_per_minute=100)
        backend = GenieBackend(
            workspace_client=mine, space_id="bench-space", policy=policy, gate=RateGate(limit=100, window=60)
        )
        begun = time.monotonic()
        try:
            list(
                backend.stream_events(
                    [ChatMessage(role="user", content="Which region brings in the most revenue?")]
                )
            )
        finally:
            backend.close()
        waited = time.monotonic() - begun
        thread.join(timeout=WAIT_SECONDS * 2)
        requests = list(seen)
    polls = [
        r for r in requests if r.method == "GET" and "/messages/" in r.path and "/attachments/" not in r.path
    ]
    our_count = sum(1 for r in polls if r.identity == fingerprint("Bearer bench-ours"))
    sdk_count = sum(1 for r in polls if r.identity == fingerprint("Bearer bench-sdk"))
    sdk_waited = sdk_polls[0] if sdk_polls else waited
    return our_count / waited, sdk_count / sdk_waited, waited


def run(*, quick: bool) -> list[Row]:
    cost: dict[str, tuple[float, float, float]] = {}
    worker = threading.Thread(target=lambda: cost.setdefault("v", _polling_cost()), daemon=True)
    worker.start()
    delays = _browser_delays(quick)
    worker.join(timeout=WAIT_SECONDS * 3)
    med = statistics.median(delays)
    ours, sdk, waited = cost.get("v", (float("nan"), float("nan"), 0.0))
    return [
        Row(
            id="P10a",
            measure="browser, Genie backend: question sent → first progress visible",
            value=round(med, 1),
            unit="ms",
            target="≤ 1000 ms",
            met=med <= 1000,
            extra={
                "p90_ms": round(percentile(delays, 90), 1),
                "max_ms": round(max(delays), 1),
                "n": len(delays),
            },
        ),
        Row(
            id="P10b",
            measure=f"Genie polls per second over a {waited:.0f} s wait",
            value=round(ours, 3),
            unit="req/s",
            baseline=round(sdk, 3),
            baseline_name="databricks-sdk waiter",
            target="≤ 1 req/s",
            met=ours <= 1.0,
        ),
    ]
