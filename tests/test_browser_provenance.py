"""Provenance and feedback in a real browser, against an emulated workspace answering like a live Supervisor.

The app runs as on a workspace whose host is an in-process emulator serving the live-style demo
(`genie-<id>` tool, table-only Genie output, SQL only in the MLflow trace), so the tests can read
what the workspace received: the Genie space lookup and the assessments a vote wrote.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from support.emulator import Emulator, fingerprint
from test_browser import TIMEOUT_MS, _open, _serve, ask, expect, shot, wait_idle
from test_browser import browser as browser

from mas.demo.supervisor import DemoSupervisor, demo_endpoint_metadata
from mas.demo.tracing import DEMO_SPACE_TITLE

pytestmark = pytest.mark.browser

BROWSER_TOKEN = "browser-test-token"  # what test_browser._serve gives the app as its own token


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Emulator, str]]:
    supervisor = DemoSupervisor(wire_style="live")
    emulated = Emulator(responder=supervisor, metadata=demo_endpoint_metadata, dialect="responses")
    with emulated as emulator, _serve(tmp_path_factory.getbasetemp(), workspace=emulator.url) as url:
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


def _message(item_id: str, text: str) -> list[dict[str, Any]]:
    return [
        {"type": "response.output_text.delta", "item_id": item_id, "delta": text},
        {"type": "response.output_item.done", "item": {"type": "message", "id": item_id, "role": "assistant",
                                                         "content": [{"type": "output_text", "text": text}]}},
    ]  # fmt: skip


class _NeedsApproval:
    """Asks to run an MCP tool; once the request comes back approved, answers with its result."""

    def __init__(self) -> None:
        self.calls: list[list[dict[str, Any]]] = []

    def respond(self, input_items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        self.calls.append(input_items)
        if any(item.get("type") == "mcp_approval_response" for item in input_items):
            yield from _message("m2", "Created ticket JIRA-42 for the EMEA revenue dip.")
            return
        yield from _message("m1", "I'll file a ticket for that.")
        yield {"type": "response.output_item.done", "item": {
            "type": "mcp_approval_request", "id": "mcpr_42", "name": "mcp-jira__create_issue",
            "arguments": '{"summary": "Revenue dip in EMEA"}', "server_label": "jira"}}  # fmt: skip


class _Replay:
    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = events

    def respond(self, input_items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        yield from self.events


@pytest.fixture
def scripted(live: tuple[Emulator, str]) -> Iterator[Emulator]:
    emulator = live[0]
    try:
        yield emulator
    finally:
        emulator.set_responder(emulator.endpoint_name, DemoSupervisor(wire_style="live"), dialect="responses")


def test_approving_a_tool_re_posts_the_request_and_the_answer_continues_in_the_same_turn(
    page: Any, scripted: Emulator
) -> None:
    flow = _NeedsApproval()
    scripted.set_responder(scripted.endpoint_name, flow, dialect="verbatim")
    answer = ask(page, "File a ticket about the EMEA revenue dip")
    expect(answer).to_contain_text("Approval needed", timeout=TIMEOUT_MS)
    expect(answer).to_contain_text("Jira: Create Issue")
    expect(answer).to_contain_text("on jira")
    expect(answer.get_by_test_id("stCode")).to_contain_text("Revenue dip in EMEA")
    answer.get_by_role("button", name="Approve").click()
    expect(answer).to_contain_text("Created ticket JIRA-42", timeout=TIMEOUT_MS)
    wait_idle(page)
    expect(answer).to_contain_text("Approved")
    expect(page.get_by_test_id("stChatMessage")).to_have_count(2)  # the same turn went on
    again = flow.calls[-1]
    request, response = again[-2], again[-1]
    assert request == {"type": "mcp_approval_request", "id": "mcpr_42", "name": "mcp-jira__create_issue",
                       "arguments": '{"summary": "Revenue dip in EMEA"}', "server_label": "jira"}  # fmt: skip
    assert response["type"] == "mcp_approval_response" and response["approval_request_id"] == "mcpr_42"
    assert response["approve"] is True
    assert again[0] == {"role": "user", "content": "File a ticket about the EMEA revenue dip"}
    shot(page, "approval")


def test_citations_become_numbered_footnotes_and_a_javascript_link_stays_inert(
    page: Any, scripted: Emulator
) -> None:
    from streams import load

    body = load("ka_url_citations_footnotes.sse").decode()
    events = [json.loads(block[6:]) for block in body.split("\n\n") if block.startswith("data: {")]
    scripted.set_responder(scripted.endpoint_name, _Replay(events), dialect="verbatim")
    answer = ask(page, "What is the returns policy?")
    expect(answer).to_contain_text("within 30 days[1].", timeout=TIMEOUT_MS)
    expect(answer).to_contain_text("five days[2].")
    link = answer.get_by_role("link", name="Returns policy.pdf")
    expect(link).to_have_attribute("href", re.compile(r"^https://example\.com/Volumes/docs/returns\.pdf"))
    expect(answer).to_contain_text("[2] Refunds <b>FAQ</b>")  # the title, shown as typed, not a link
    assert answer.locator("a[href^='javascript']").count() == 0
    assert answer.get_by_role("link", name=re.compile("Refunds")).count() == 0
    answer.get_by_text("Refunds <b>FAQ</b>").click()
    time.sleep(0.3)
    assert page.dialogs == []
    shot(page, "citations")
