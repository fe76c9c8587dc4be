"""Traces: read from recorded streams (MLflow 3 and 2 spans), attached to tool parts, and end to end
through the emulator's live-style demo; agent names and Genie space titles per identity."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from databricks.sdk import WorkspaceClient
from streams import load
from support.emulator import Emulator

from mas.agents import readable_name, space_id
from mas.demo.supervisor import DemoSupervisor, demo_endpoint_metadata
from mas.demo.tracing import DEMO_SPACE_ID, DEMO_SPACE_TITLE, LIVE_GENIE_TOOL
from mas.endpoint.client import MASStreamingClient
from mas.endpoint.genie_spaces import SpaceTitles
from mas.transcript import Turn, apply_event, finish
from mas.wire.decode import events_from_json_body, iter_events
from mas.wire.events import TraceEvent
from mas.wire.messages import ChatMessage
from mas.wire.trace import TraceReader, summarize

REGION_SQL = "SELECT region, SUM(net_revenue) AS net_revenue FROM sales.revenue GROUP BY region"
CHANNEL_SQL = "SELECT channel, SUM(net_revenue) AS net_revenue FROM sales.revenue GROUP BY channel"


def folded(name: str) -> Turn:
    turn = Turn(question=name)
    for event in iter_events([load(name)]):
        apply_event(turn, event)
    finish(turn)
    return turn


def test_mlflow3_span_json_gives_the_sql_rows_time_and_trace_id_to_the_tool_part() -> None:
    turn = folded("trace_mlflow3_genie_span.sse")
    [tool] = turn.tools
    assert turn.trace_id == "tr-3f2a9c0d41b84e6f9a7e5b1c2d3e4f50"
    assert (tool.sql, tool.sql_from) == (REGION_SQL, "trace")
    assert tool.description == "Net revenue summed per region."
    assert tool.rows_returned == 2 and tool.duration == pytest.approx(3.0)
    assert tool.result is not None and tool.result.sql is None  # the output held only the table
    assert tool.trace_span_id == "b2"


def test_mlflow2_span_dicts_give_the_sql_of_the_poll_child() -> None:
    turn = folded("trace_mlflow2_span_dicts.sse")
    [tool] = turn.tools
    assert turn.trace_id == "tr-2b7d"
    assert (tool.sql, tool.sql_from, tool.rows_returned) == (REGION_SQL, "trace", 2)
    assert tool.duration == pytest.approx(1.49)


def test_several_calls_to_one_space_pair_with_their_spans_in_order() -> None:
    first, second = folded("trace_one_space_called_twice.sse").tools
    assert (first.sql, first.description) == (REGION_SQL, "Net revenue per region.")
    assert (second.sql, second.description) == (CHANNEL_SQL, "Net revenue per channel.")


def test_a_trace_without_a_genie_span_keeps_its_id_and_invents_no_sql() -> None:
    turn = folded("trace_without_genie_span.sse")
    assert turn.trace_id == "tr-nogenie" and turn.tools == []


def test_the_bare_trace_id_chunk_is_kept_on_the_turn() -> None:
    assert folded("trace_id_chunk.sse").trace_id == "tr-0123"


def test_sql_the_output_carried_is_not_replaced_by_the_trace() -> None:
    turn = Turn(question="q")
    output = "Net revenue.\n\n```sql\nSELECT 1\n```\n\n| a |\n|---|\n| 1 |"
    for event in iter_events([_sse(
        {"type": "response.output_item.done", "item": {"type": "function_call", "call_id": "c",
                                                         "name": "genie-x", "arguments": "{}"}},
        {"type": "response.output_item.done", "item": {"type": "function_call_output", "call_id": "c",
                                                         "output": output}},
        {"trace_id": "tr-1"},
    )]):  # fmt: skip
        apply_event(turn, event)
    assert turn.tools[0].sql == "SELECT 1" and turn.tools[0].sql_from == "output"


def test_the_same_trace_on_every_item_is_reported_once_and_attached_once() -> None:
    trace = json.loads(load("trace_one_space_called_twice.sse").split(b"\n\n")[-3][6:])["databricks_output"]
    reader = TraceReader()
    assert reader.read({"databricks_output": trace}) is not None
    assert reader.read({"type": "response.output_item.done", "databricks_output": trace}) is None
    turn = folded("trace_one_space_called_twice.sse")
    again = summarize(trace["trace"])
    apply_event(turn, again)
    assert [p.sql for p in turn.tools] == [REGION_SQL, CHANNEL_SQL]


def test_attribute_values_are_json_encoded_strings_and_plain_text_stays_text() -> None:
    trace = {"info": {"trace_id": "tr-a"}, "data": {"spans": [
        {"name": "genie-1", "span_id": "s", "attributes": {"sql_query": "SELECT 2", "row_count": "7",
                                                           "mlflow.spanInputs": '"what is it"'}},
    ]}}  # fmt: skip
    [call] = summarize(trace).calls
    assert (call.sql, call.rows, call.question) == ("SELECT 2", 7, "what is it")


def test_a_trace_string_and_a_json_body_trace_are_read() -> None:
    trace = {"info": {"trace_id": "tr-s"}, "data": {"spans": []}}
    event = TraceReader().read({"databricks_output": {"trace": json.dumps(trace)}})
    assert event == TraceEvent(trace_id="tr-s")
    body = {"object": "response", "output": [], "databricks_output": {"trace": trace}}
    assert TraceEvent(trace_id="tr-s") in events_from_json_body(body)


def test_new_tool_part_fields_and_the_trace_id_survive_the_round_trip() -> None:
    turn = folded("trace_mlflow3_genie_span.sse")
    again = Turn.from_dict(json.loads(json.dumps(turn.to_dict())))
    assert again.to_dict() == turn.to_dict()
    assert again.tools[0].sql_from == "trace" and again.trace_id == turn.trace_id
    old = turn.to_dict()
    for part in old["parts"]:
        for key in ("sql_from", "description", "rows_returned", "duration", "trace_span_id"):
            part.pop(key, None)
    old.pop("feedback")
    assert Turn.from_dict(old).tools[0].sql == REGION_SQL  # a record from before these fields reads


def _sse(*events: dict[str, Any]) -> bytes:
    return b"".join(f"data: {json.dumps(e)}\n\n".encode() for e in events) + b"data: [DONE]\n\n"


@pytest.fixture
def live_emulator() -> Iterator[Emulator]:
    supervisor = DemoSupervisor(wire_style="live")
    with Emulator(responder=supervisor, metadata=demo_endpoint_metadata, dialect="responses") as server:
        yield server


def test_end_to_end_the_live_demo_returns_its_sql_only_in_the_trace(
    live_emulator: Emulator, client_for: Callable[..., MASStreamingClient]
) -> None:
    question = [ChatMessage(role="user", content="Revenue by region")]
    events = list(client_for(live_emulator).stream_events(question))
    turn = Turn(question="Revenue by region")
    for event in events:
        apply_event(turn, event)
    finish(turn)
    [tool] = turn.tools
    assert tool.name == LIVE_GENIE_TOOL and tool.output is not None and "SELECT" not in tool.output
    assert tool.sql_from == "trace" and tool.sql is not None and "GROUP BY region" in tool.sql
    assert tool.rows_returned == 4 and tool.duration is not None and tool.description
    assert turn.trace_id is not None and turn.trace_id.startswith("tr-")
    agents = [p.agent for p in turn.parts if hasattr(p, "text")]
    assert f"genie-{DEMO_SPACE_ID}" in agents and "supervisor-agent-revenue" in agents


def test_without_return_trace_the_demo_sends_no_trace(live_emulator: Emulator) -> None:
    import httpx

    body = {"input": [{"role": "user", "content": "Revenue by region"}], "stream": True}
    text = httpx.post(f"{live_emulator.url}/serving-endpoints/{live_emulator.endpoint_name}/invocations",
                      json=body, timeout=30).text  # fmt: skip
    assert "databricks_output" not in text and "GROUP BY" not in text


def test_names_read_as_words_and_genie_ids_are_found() -> None:
    assert space_id(LIVE_GENIE_TOOL) == DEMO_SPACE_ID
    assert space_id("genie_" + DEMO_SPACE_ID.upper()) == DEMO_SPACE_ID
    assert space_id("agent-revenue-genie") is None
    assert readable_name(LIVE_GENIE_TOOL) == "Genie space 01f0d3a5"
    assert readable_name(LIVE_GENIE_TOOL, titles={DEMO_SPACE_ID: "Revenue"}) == "Revenue"
    assert readable_name("agent-finance-accounting-analytics") == "Finance Accounting Analytics"
    assert readable_name("mcp-jira__create_issue") == "Jira: Create Issue"
    assert readable_name("system__ai__python_exec") == "Python Exec"
    assert readable_name("supervisor-agent-revenue") == "Supervisor"


def test_space_titles_come_from_the_workspace_per_identity(
    live_emulator: Emulator, workspace_client_for: Callable[..., WorkspaceClient]
) -> None:
    live_emulator.genie.hidden_spaces.add("0" * 32)
    alice = SpaceTitles(workspace_client_for(live_emulator.url, "alice-token"), wait=10)
    bob = SpaceTitles(workspace_client_for(live_emulator.url, "bob-token"), wait=10)
    assert alice.title(DEMO_SPACE_ID) == DEMO_SPACE_TITLE
    assert alice.title("0" * 32) is None  # a space this identity cannot see: no title, no error
    assert alice.known() == {DEMO_SPACE_ID: DEMO_SPACE_TITLE}
    assert bob.known() == {}  # nothing alice looked up reaches bob
    lookups = [r for r in live_emulator.requests if r.path.startswith("/api/2.0/genie/spaces/")]
    assert len(lookups) == 2
    assert alice.title(DEMO_SPACE_ID) == DEMO_SPACE_TITLE
    assert len([r for r in live_emulator.requests if r.path.startswith("/api/2.0/genie/spaces/")]) == 2


def test_the_demo_style_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from mas.errors import ConfigError
    from mas.settings import demo_style_from_env

    assert demo_style_from_env() == "live"
    monkeypatch.setenv("MAS_DEMO_STYLE", "Classic")
    assert demo_style_from_env() == "classic"
    monkeypatch.setenv("MAS_DEMO_STYLE", "fancy")
    with pytest.raises(ConfigError, match="MAS_DEMO_STYLE"):
        demo_style_from_env()
