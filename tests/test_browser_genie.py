"""The direct-Genie backend in a real browser: `streamlit run` with MAS_BACKEND=genie against the emulator.

Checks what the user sees while Genie works and after: the status line within a second of
sending, the SQL and Genie's thoughts one click away, suggested questions as clickable
follow-ups that continue the conversation, and a rate-limit wait shown and then answered.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.emulator import Emulator
from test_browser import CHROMIUM, TIMEOUT_MS, _free_port, _open, expect, start_app, wait_idle

pytestmark = pytest.mark.browser

SPACE = "01f0browser0genie0space"
# Statuses read from Genie's message (the first poll's), not the app's own "Sending…" before it.
PROGRESS = r"Genie received the question…|Reading the data model…|Picking the relevant tables…|Asking AI…"


@pytest.fixture(scope="module")
def genie_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Emulator, str]]:
    base = tmp_path_factory.mktemp("genie-browser")
    with Emulator() as emulator:
        emulator.genie.step_seconds = 0.6
        port = _free_port()
        log = base / "server.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "MAS_", "GENIE_"))}
        env.update(
            DATABRICKS_HOST=emulator.url,
            DATABRICKS_TOKEN="genie-browser-token",
            MAS_BACKEND="genie",
            GENIE_SPACE_ID=SPACE,
            DATABRICKS_CONFIG_FILE=str(base / "none.cfg"),
        )
        proc, url = start_app(env, port=port, log=log)
        try:
            yield emulator, url
        finally:
            proc.terminate()
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}; never `playwright install`.")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        yield launched
        launched.close()


def send(page: object, question: str) -> float:
    box = page.get_by_test_id("stChatInputTextArea")  # type: ignore[attr-defined]
    box.fill(question)
    sent = time.monotonic()
    box.press("Enter")
    return sent


def first_progress_seconds(page: object, question: str) -> float:
    """Seconds from pressing Enter to the first Genie status line visible in the page."""
    sent = send(page, question)
    expect(page.get_by_text(re.compile(PROGRESS)).first).to_be_visible(timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    return time.monotonic() - sent


def test_progress_shows_within_a_second_then_the_answer(
    browser: object, genie_app: tuple[Emulator, str]
) -> None:
    _, url = genie_app
    with _open(browser, url) as page:
        took = first_progress_seconds(page, "Which region brings in the most revenue?")
        assert took <= 1.0, f"first progress after {took:.2f} s"
        # The line follows Genie as it goes (which later statuses a poll lands on depends on timing).
        later = re.compile(r"Asking AI…|Waiting for the warehouse…|Running the query…|Fetching the result…")
        expect(page.get_by_text(later).first).to_be_visible(timeout=TIMEOUT_MS)
        wait_idle(page)
        answer = page.get_by_test_id("stChatMessage").nth(1)
        expect(answer).to_contain_text("leads net revenue")
        # SQL and Genie's thoughts: one click on the query's expander.
        answer.get_by_test_id("stExpander").first.locator("summary").click()
        expect(answer.get_by_text("GROUP BY region").first).to_be_visible()
        expect(answer.get_by_text("Genie's thoughts")).to_be_visible()
        expect(answer.get_by_text("Interpretation:", exact=False).first).to_be_visible()
        # Genie's suggested questions are the follow-ups; clicking one asks it in the same conversation.
        follow = page.get_by_role("button", name="What about 2024?")
        expect(follow).to_be_visible()
        follow.click()
        expect(page.get_by_test_id("stChatMessage")).to_have_count(4, timeout=TIMEOUT_MS)
        wait_idle(page)
        expect(page.get_by_test_id("stChatMessage").nth(3)).to_contain_text("2024", timeout=TIMEOUT_MS)


def test_a_rate_limit_wait_is_shown_then_answered(browser: object, genie_app: tuple[Emulator, str]) -> None:
    emulator, url = genie_app
    emulator.genie.rate_limit, emulator.genie.rate_window = 1, 4.0
    try:
        with _open(browser, url) as page:
            # Someone else in the workspace used the quota a moment ago.
            taken = httpx.post(
                f"{emulator.url}/api/2.0/genie/spaces/{SPACE}/start-conversation",
                json={"content": "Total revenue?"},
                headers={"Authorization": "Bearer other"},
            )
            assert taken.status_code == 200
            send(page, "What's our total revenue?")
            expect(
                page.get_by_text("Waiting for Genie's rate limit — about", exact=False).first
            ).to_be_visible(timeout=TIMEOUT_MS)
            wait_idle(page)
            expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("total net revenue")
    finally:
        emulator.genie.rate_limit, emulator.genie.rate_window = 5, 60.0


def test_a_truncated_result_offers_every_row_as_a_download(
    browser: object, genie_app: tuple[Emulator, str]
) -> None:
    emulator, url = genie_app
    emulator.genie.rate_limit = 100
    try:
        with _open(browser, url) as page:
            send(page, "quarterly revenue by customer")
            link = page.get_by_role("link", name=re.compile(r"Download all [\d,]+ rows"))
            expect(link).to_be_visible(timeout=TIMEOUT_MS)
            wait_idle(page)
            expect(page.get_by_test_id("stChatMessage").nth(1).get_by_test_id("stFeedback")).to_be_visible()
            rows = int(re.sub(r"\D", "", link.inner_text()))
            href = link.get_attribute("href")
            assert href and href.startswith("/api/genie/download?")
            with httpx.stream("GET", url + href, timeout=60) as response:
                assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
                lines = sum(chunk.count(b"\n") for chunk in response.iter_bytes())
            assert rows > 20_000 and lines == rows + 1
    finally:
        emulator.genie.rate_limit = 5
