"""Provenance and feedback in a real browser, against an emulated workspace answering like a live Supervisor.

The app runs as on a workspace whose host is an in-process emulator serving the live-style demo
(`genie-<id>` tool, table-only Genie output, SQL only in the MLflow trace), so the tests can read
what the workspace received: the Genie space lookup and the assessments a vote wrote.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_browser import TIMEOUT_MS, _open, _serve, ask, expect, shot, wait_idle
from test_browser import browser as browser

from mas.demo.faults import fingerprint
from mas.demo.server import Emulator
from mas.demo.supervisor import DemoSupervisor, demo_endpoint_metadata
from mas.demo.tracing import DEMO_SPACE_TITLE

pytestmark = pytest.mark.browser

BROWSER_TOKEN = "browser-test-token"  # what test_browser._serve gives the app as its own token


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Emulator, str]]:
    supervisor = DemoSupervisor(wire_style="live")
    with Emulator(responder=supervisor, metadata=demo_endpoint_metadata) as emulator, _serve(
        tmp_path_factory.getbasetemp(), workspace=emulator.url
    ) as url:
        yield emulator, url


@pytest.fixture
def page(browser: Any, live: tuple[Emulator, str]) -> Iterator[Any]:
    with _open(browser, live[1]) as opened:
        yield opened


def test_a_live_style_answer_shows_the_space_title_the_sql_from_the_trace_and_the_table(page: Any) -> None:
    answer = ask(page, "Which region brings in the most revenue?")
    expect(answer.get_by_test_id("stDataFrame")).to_have_count(1, timeout=TIMEOUT_MS)
    tool = answer.get_by_test_id("stExpander").first
    expect(tool.locator("summary")).to_contain_text(f"{DEMO_SPACE_TITLE} · 4 rows")
    expect(tool.locator("summary")).to_contain_text("SQL")
    expect(answer).to_contain_text(DEMO_SPACE_TITLE)  # the heading where the Genie agent speaks
    tool.locator("summary").click()
    expect(tool.get_by_test_id("stCode")).to_contain_text("GROUP BY region", ignore_case=True)
    expect(tool).to_contain_text("from the agent's MLflow trace")
    expect(tool).to_contain_text("Showing 4 of 4 rows returned")
    expect(tool).to_contain_text("trace tr-")
    shot(page, "provenance-live")


def test_a_thumbs_down_sends_the_assessment_the_workspace_receives(
    page: Any, live: tuple[Emulator, str]
) -> None:
    emulator = live[0]
    assert emulator.workspace is not None
    before = set(emulator.workspace.assessments)
    answer = ask(page, "What's our total revenue?")
    answer.get_by_label("Thumbs down").click()
    expect(answer).to_contain_text("Sent to the agent's owners", timeout=TIMEOUT_MS)
    wait_idle(page)
    shot(page, "feedback-before-reason")
    [key] = set(emulator.workspace.assessments) - before
    stored = emulator.workspace.assessments[key]
    assert stored.body["assessment_name"] == "user_feedback" and stored.body["feedback"] == {"value": False}
    assert stored.body["source"]["source_type"] == "HUMAN"
    assert stored.posted_by == fingerprint(f"Bearer {BROWSER_TOKEN}")
    answer.get_by_text("Wrong number", exact=True).click()
    wait_idle(page)
    expect(answer).to_contain_text("Sent to the agent's owners", timeout=TIMEOUT_MS)
    assert emulator.workspace.assessments[key].body["metadata"] == {"reason": "Wrong number"}
    expect(answer.get_by_label("Thumbs down")).to_have_attribute("aria-checked", "true")
    shot(page, "feedback-sent")
