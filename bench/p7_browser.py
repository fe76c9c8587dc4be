"""P7: in headless Chromium, question sent → first answer text visible (demo, no pacing).

`streamlit run streamlit_app.py` in demo mode, driven by Playwright through Debian's chromium
(never `playwright install`). Timing is taken inside the page: from the Enter keydown to the
first non-empty markdown of the new answer bubble (a MutationObserver), so neither Playwright's
round trips nor polling add to it. There is no baseline; the target is absolute.
"""

from __future__ import annotations

import os
import shutil
import statistics
from pathlib import Path

from bench.measure import Row, percentile
from bench.server import serve_app

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
QUESTIONS = [
    "What's our total revenue?",
    "Show me revenue trends",
    "Which region brings in the most revenue?",
]
ARM = """(n) => {
  window.__p7 = {sent: null, first: null};
  const box = document.querySelector('[data-testid=stChatInputTextArea]');
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && window.__p7.sent === null) window.__p7.sent = performance.now();
  }, {capture: true});
  const check = () => {
    const msgs = document.querySelectorAll('[data-testid=stChatMessage]');
    if (msgs.length < n) return;
    for (const md of msgs[n - 1].querySelectorAll('[data-testid=stMarkdownContainer]')) {
      if (md.closest('[data-testid=stCaptionContainer]') || md.closest('[data-testid=stExpander]')) continue;
      if (md.innerText.trim().length > 0) { window.__p7.first = performance.now(); obs.disconnect(); return; }
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def _session(browser: object, url: str) -> list[float]:
    page = browser.new_page(viewport={"width": 1360, "height": 1000})  # type: ignore[attr-defined]
    delays: list[float] = []
    try:
        page.goto(url)
        page.get_by_test_id("stChatInputTextArea").wait_for(timeout=30_000)
        for i, question in enumerate(QUESTIONS):
            page.evaluate(ARM, 2 * (i + 1))
            box = page.get_by_test_id("stChatInputTextArea")
            box.fill(question)
            box.press("Enter")
            page.wait_for_function("() => window.__p7.first !== null", timeout=30_000, polling=50)
            delays.append(page.evaluate("() => window.__p7.first - window.__p7.sent"))
            page.get_by_test_id("stChatInputStopButton").wait_for(state="detached", timeout=30_000)
    finally:
        page.close()
    return delays


def run(*, quick: bool) -> list[Row]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    delays: list[float] = []
    with serve_app() as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        _session(browser, url)  # warm-up: first page load, first DuckDB query
        for _ in range(2 if quick else 5):
            delays += _session(browser, url)
        browser.close()
    med = statistics.median(delays)
    return [
        Row(
            id="P7",
            measure="browser: question sent → first answer text visible",
            value=round(med, 1),
            unit="ms",
            target="≤ 600 ms",
            met=med <= 600,
            extra={
                "p90_ms": round(percentile(delays, 90), 1),
                "max_ms": round(max(delays), 1),
                "n": len(delays),
            },
        ),
    ]
