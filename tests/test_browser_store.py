"""History in a real browser: conversations and pins survive restarts, users stay apart, kill -9 loses little.

Debian's Chromium through Playwright against `streamlit run` in demo mode, each server process
given one SQLite history file that outlives it. Users are told apart the way the Databricks Apps
proxy does it: an X-Forwarded-Email header on every request (Playwright's `extra_http_headers`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, _free_port, ask, start_app, wait_idle

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


class App:
    """One `streamlit run` at a time on a history file; `restart()` keeps the file, `kill()` is kill -9."""

    def __init__(self, base: Path, *, pacing: float = 0.0) -> None:
        self.base, self.pacing = base, pacing
        self.history = base / "history.db"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log: Path | None = None
        self.url = ""

    def start(self) -> App:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "STREAMLIT_"))}
        env.update(
            MAS_DEMO="1",
            MAS_DEMO_PACING=str(self.pacing),
            MAS_DEMO_DATA_DIR=str(self.base / "demo"),
            MAS_HISTORY_DB=f"sqlite:///{self.history}",
        )
        log = self.log = self.base / f"server-{port}.log"
        self.proc, self.url = start_app(env, port=port, log=log, address=None, own_session=True)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)

    def kill(self) -> None:
        """kill -9, as a crash or an OOM kill would: no cleanup runs."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=15)

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: install Debian's chromium (.ci/run does); no `playwright install`."
        )
    with playwright_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@contextmanager
def opened(browser: Any, url: str, *, email: str | None = None) -> Iterator[Any]:
    headers = {"X-Forwarded-Email": email} if email else {}
    context = browser.new_context(viewport={"width": 1360, "height": 1000}, extra_http_headers=headers)
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=TIMEOUT_MS)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def base() -> Iterator[Path]:
    """A directory of our own: pytest prunes old numbered temp dirs, also under a server still using one."""
    path = Path(tempfile.mkdtemp(prefix="mas-history-browser-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def app(base: Path) -> Iterator[App]:
    server = App(base).start()
    try:
        yield server
    finally:
        if server.log is not None and server.proc is not None and server.proc.poll() is not None:
            print(f"server exited {server.proc.returncode}:", server.log.read_text(errors="replace")[-3000:])
        server.stop()


def sidebar(page: Any) -> Any:
    return page.get_by_test_id("stSidebar")


def test_ask_pin_restart_then_reopen_the_conversation_and_the_dashboard(browser: Any, app: App) -> None:
    with opened(browser, app.url) as page:
        ask(page, "What's our total revenue?")
        answer = ask(page, "Show me revenue trends")
        answer.get_by_role("button", name="Pin to dashboard").click()
        expect(answer.get_by_role("button", name="Pinned")).to_be_visible(timeout=TIMEOUT_MS)
        wait_idle(page)
        link = page.url
        assert "?c=" in link  # the open conversation is in the URL
    app.restart()
    with opened(browser, app.url) as page:
        entry = sidebar(page).get_by_role("button", name="What's our total revenue?")
        expect(entry).to_be_visible(timeout=TIMEOUT_MS)
        entry.click()
        messages = page.get_by_test_id("stChatMessage")
        expect(messages).to_have_count(4, timeout=TIMEOUT_MS)
        # A fresh process draws its first charts slowly (imports, first Arrow conversions): wait for them.
        expect(messages.nth(1).get_by_test_id("stMetricValue")).to_have_count(1, timeout=TIMEOUT_MS)
        expect(messages.nth(3).get_by_test_id("stVegaLiteChart")).to_have_count(1, timeout=TIMEOUT_MS)
        expect(messages.nth(3).get_by_role("button", name="Pinned")).to_be_visible()  # the pin is known again
        assert "?c=" in page.url
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Dashboard").click()
        main = page.get_by_test_id("stMain")
        expect(main).to_contain_text("Show me revenue trends", timeout=TIMEOUT_MS)
        expect(main).to_contain_text("Data as of")
        expect(main.get_by_test_id("stVegaLiteChart")).to_have_count(1)
        _table_fits_its_card(main)
    with opened(browser, f"{app.url}/?{link.split('?', 1)[1]}") as page:  # the shared link, on the new server
        expect(page.get_by_test_id("stChatMessage")).to_have_count(
            4, timeout=TIMEOUT_MS
        )  # reload lands on it


def _table_fits_its_card(main: Any) -> None:
    card = main.get_by_test_id("stColumn").first  # the card fills its column
    table = main.get_by_test_id("stDataFrame").first
    card_box, table_box = card.bounding_box(), table.bounding_box()
    assert table_box["x"] >= card_box["x"] - 1
    assert table_box["x"] + table_box["width"] <= card_box["x"] + card_box["width"] + 1


def test_two_users_never_see_each_others_conversations(browser: Any, app: App) -> None:
    with opened(browser, app.url, email="ana@example.com") as ana:
        ask(ana, "Which region brings in the most revenue?")
        ana_link = ana.url
        expect(sidebar(ana)).to_contain_text("ana@example.com", timeout=TIMEOUT_MS)
    with opened(browser, app.url, email="ben@example.com") as ben:
        expect(sidebar(ben)).to_contain_text("ben@example.com", timeout=TIMEOUT_MS)
        expect(
            sidebar(ben).get_by_role("button", name="Which region brings in the most revenue?")
        ).to_have_count(0)
    with opened(browser, ana_link, email="ben@example.com") as ben:  # Ana's link, opened by Ben
        expect(ben.get_by_role("main")).to_contain_text("not in your history", timeout=TIMEOUT_MS)
        expect(ben.get_by_test_id("stChatMessage")).to_have_count(0)
    with opened(browser, ana_link, email="ana@example.com") as ana:
        expect(ana.get_by_test_id("stChatMessage")).to_have_count(2, timeout=TIMEOUT_MS)


def _saved_while_streaming(history: Path, timeout: float = 60.0) -> dict[str, Any]:
    """The open turn once the store holds it still streaming with some answer text (polled read-only)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if history.exists():
            with sqlite3.connect(f"file:{history}?mode=ro", uri=True) as db:
                rows = db.execute("SELECT status, data FROM mas_turns").fetchall()
            for status, data in rows:
                turn = json.loads(data)
                texts = [p["text"] for p in turn["parts"] if p["kind"] == "text" and p["text"].strip()]
                if status == "streaming" and texts:
                    return dict(turn)
        time.sleep(0.1)
    raise AssertionError("no streaming turn with text was saved")


def test_kill_9_mid_answer_keeps_the_question_and_the_saved_part(browser: Any, base: Path) -> None:
    app = App(base, pacing=0.4).start()
    try:
        with opened(browser, app.url) as page:
            box = page.get_by_test_id("stChatInputTextArea")
            box.fill("Which region brings in the most revenue?")
            box.press("Enter")
            saved = _saved_while_streaming(app.history)
            app.kill()
        saved_text = next(p["text"] for p in saved["parts"] if p["kind"] == "text").strip()
        assert saved["question"] == "Which region brings in the most revenue?"
        app.start()
        with opened(browser, app.url) as page:
            entry = sidebar(page).get_by_role("button", name="Which region brings in the most revenue?")
            expect(entry).to_be_visible(timeout=TIMEOUT_MS)
            entry.click()
            answer = page.get_by_test_id("stChatMessage").nth(1)
            expect(answer).to_contain_text("Interrupted", timeout=TIMEOUT_MS)
            expect(answer).to_contain_text(saved_text.split()[0])
            expect(page.get_by_test_id("stChatMessage").nth(0)).to_contain_text("Which region")
    finally:
        app.stop()


def test_a_script_in_a_title_stays_inert(browser: Any, app: App) -> None:
    payload = "<script>alert('title')</script><img src=x onerror=alert('img')> revenue"
    with opened(browser, app.url) as page:
        ask(page, payload)
    with opened(browser, app.url) as page:
        entry = sidebar(page).get_by_role("button", name="<script>alert('title')</script>", exact=False)
        expect(entry).to_be_visible(timeout=TIMEOUT_MS)
        expect(entry).to_contain_text("<img src=x onerror=alert('img')>")
        entry.click()
        expect(page.get_by_test_id("stChatMessage")).to_have_count(2, timeout=TIMEOUT_MS)
        assert page.locator("img[src=x]").count() == 0
        time.sleep(0.5)
        assert page.dialogs == []
