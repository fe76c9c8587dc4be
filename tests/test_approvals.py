"""Tool approvals on the wire: the event other clients get from the SSE API, and the items that answer it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import ScriptedResponder
from support.emulator import Emulator
from test_api import ENDPOINT, body, data_of, sse_lines
from test_api import api as api  # the module's API server fixture

from mas.endpoint.client import MASStreamingClient
from mas.transcript import Turn, apply_event, finish
from mas.wire.approvals import continuation_items
from mas.wire.messages import ChatMessage

REQUEST = {"type": "mcp_approval_request", "id": "mcpr_7", "name": "mcp-jira__create_issue",
           "arguments": '{"summary": "EMEA dip"}', "server_label": "jira"}  # fmt: skip
SCRIPT = [
    {"type": "response.output_text.delta", "item_id": "m", "delta": "Filing it."},
    {"type": "response.output_text.annotation.added", "annotation": {
        "type": "url_citation", "title": "Runbook", "url": "https://example.com/runbook"}},
    {"type": "response.output_item.done", "item": REQUEST},
    {"trace_id": "tr-approval"},
]  # fmt: skip


@pytest.fixture
def workspace(as_workspace: Callable[[Emulator], Emulator]) -> Iterator[Emulator]:
    with Emulator(responder=ScriptedResponder(SCRIPT), endpoint_name=ENDPOINT) as emulator:
        yield as_workspace(emulator)


def test_the_sse_api_sends_the_approval_the_citation_and_the_trace(api: str, workspace: Emulator) -> None:
    events = data_of(sse_lines(api, body("file a ticket")))
    kinds = [e["type"] if isinstance(e, dict) else e for e in events]
    assert kinds == ["text.delta", "text.citation", "tool.approval", "trace", "[DONE]"]
    assert events[2] == {"type": "tool.approval", "id": "mcpr_7", "name": "mcp-jira__create_issue",
                         "args": {"summary": "EMEA dip"}, "server": "jira"}  # fmt: skip
    assert events[1] == {"type": "text.citation", "title": "Runbook", "url": "https://example.com/runbook"}
    assert events[3] == {"type": "trace", "trace_id": "tr-approval", "calls": []}


def test_the_approval_is_a_pending_tool_part_that_round_trips() -> None:
    from mas.wire.events import ToolApproval

    turn = Turn(question="q")
    part = apply_event(turn, ToolApproval(id="mcpr_7", name="mcp-x", args={"a": 1}, server="s"))
    finish(turn)
    assert part is not None and turn.tools[0].approval == "pending" and turn.tools[0].state == "complete"
    again = Turn.from_dict(turn.to_dict())
    tool = again.tools[0]
    assert (tool.approval, tool.server, tool.call_id) == ("pending", "s", "mcpr_7")


def test_answering_re_posts_the_history_the_request_and_the_approval(
    emulator: Emulator, client_for: Callable[..., MASStreamingClient]
) -> None:
    items = continuation_items(request_id="mcpr_7", name="mcp-jira__create_issue",
                               args={"summary": "EMEA dip"}, server="jira", approve=True)  # fmt: skip
    history = [ChatMessage(role="user", content="file a ticket")]
    events = list(client_for(emulator).stream_events(history, extra_input=items))
    assert events[-1].type == "done"
    sent: list[dict[str, Any]] = emulator.invocations()[-1].body["input"]
    assert sent[0] == {"role": "user", "content": "file a ticket"}
    assert sent[1] == REQUEST
    assert sent[2]["type"] == "mcp_approval_response" and sent[2]["approval_request_id"] == "mcpr_7"
    assert sent[2]["approve"] is True and sent[2]["id"].startswith("mcpa_")
