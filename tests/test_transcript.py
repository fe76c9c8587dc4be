"""Turn records: folding events into parts, ending turns, and the history sent to the endpoint."""

from __future__ import annotations

from typing import Any

import pytest

import mas.transcript.fold as folding
from mas.results.toolresult import ToolResult
from mas.transcript import TextPart, ToolPart, Turn, apply_event, finish, genie_question, stop, to_messages
from mas.wire.events import Done, ErrorEvent, TextDelta, ToolCall, ToolOutput
from mas.wire.messages import MAX_CONTENT_CHARS, MAX_MESSAGES

TABLE = "| region | net_revenue |\n|---|---|\n| EMEA | 1200.50 |\n| APAC | 950.25 |"


def fold(turn: Turn, *events: Any) -> Turn:
    for event in events:
        apply_event(turn, event)
    return turn


def test_text_around_a_tool_call_becomes_ordered_parts() -> None:
    turn = fold(
        Turn(question="q"),
        TextDelta(delta="Let me "), TextDelta(delta="check."),
        ToolCall(name="agent-revenue-genie", args={"genie_query": "Revenue by region"}, call_id="c1"),
        ToolOutput(name="agent-revenue-genie", output=TABLE, call_id="c1"),
        TextDelta(delta="EMEA leads."), Done(),
    )
    finish(turn)
    assert [type(p) for p in turn.parts] == [TextPart, ToolPart, TextPart]
    tool = turn.tools[0]
    assert (tool.question, tool.state, tool.call_id) == ("Revenue by region", "complete", "c1")
    assert tool.result is not None and tool.result.table is not None and tool.result.row_count == 2
    assert tool.elapsed is not None and tool.elapsed >= 0
    assert turn.status == "complete" and turn.answer_text == "Let me check.EMEA leads."


def test_outputs_join_their_calls_by_id_even_out_of_order() -> None:
    turn = fold(
        Turn(question="q"),
        ToolCall(name="genie-a", args={}, call_id="a"), ToolCall(name="genie-b", args={}, call_id="b"),
        ToolOutput(name="genie-b", output="B", call_id="b"),
    )
    assert [p.state for p in turn.tools] == ["running", "complete"]
    assert turn.tools[1].result is not None and turn.tools[1].result.text == "B"


def test_an_output_whose_call_never_streamed_gets_its_own_part() -> None:
    turn = fold(Turn(question="q"), ToolOutput(name="genie-x", output=TABLE, call_id="lost"))
    [part] = turn.tools
    assert part.state == "complete" and part.question is None


def test_a_tool_is_parsed_once_when_its_output_arrives(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []

    def parse(output: object) -> ToolResult:
        calls.append(output)
        return ToolResult(text=str(output))

    monkeypatch.setattr(folding, "parse_tool_output", parse)
    turn = Turn(question="q")
    apply_event(turn, ToolCall(name="t", args={}, call_id="1"))
    apply_event(turn, ToolOutput(name="t", output="out", call_id="1"))
    assert calls == ["out"]


def test_an_error_event_fails_the_turn_and_keeps_what_arrived() -> None:
    turn = fold(
        Turn(question="q"), TextDelta(delta="Partial"), ToolCall(name="t", args={}, call_id="1"),
        ErrorEvent(message="The endpoint broke off.", status=502),
    )
    finish(turn)
    assert (turn.status, turn.error, turn.error_status) == ("error", "The endpoint broke off.", 502)
    assert turn.tools[0].state == "error" and turn.answer_text == "Partial"


def test_a_stopped_turn_keeps_its_parts_and_stops_running_calls() -> None:
    turn = fold(Turn(question="q"), TextDelta(delta="Half"), ToolCall(name="t", args={}, call_id="1"))
    stop(turn)
    assert turn.status == "stopped" and turn.tools[0].state == "stopped" and turn.answer_text == "Half"
    finish(turn)
    assert turn.status == "stopped"


def test_genie_question_reads_the_known_argument_names() -> None:
    assert genie_question({"genie_query": " Revenue? "}) == "Revenue?"
    assert genie_question({"query": "By month"}) == "By month"
    assert genie_question({"other": 1}) is None


def test_the_history_sent_holds_every_question_and_answer_then_the_new_question() -> None:
    first = fold(Turn(question="Total?"), TextDelta(delta="$249M."))
    empty = Turn(question="Nothing came back")
    messages = to_messages([first, empty], "By region?")
    assert [(m.role, m.content) for m in messages] == [
        ("user", "Total?"), ("assistant", "$249M."), ("user", "Nothing came back"), ("user", "By region?"),
    ]


def test_a_long_history_is_cut_to_what_a_request_may_carry() -> None:
    turns = [fold(Turn(question=f"q{i}"), TextDelta(delta="x" * (MAX_CONTENT_CHARS + 5))) for i in range(400)]
    messages = to_messages(turns, "last")
    assert len(messages) <= MAX_MESSAGES and messages[0].role == "user"
    assert messages[-1].content == "last"
    assert all(len(m.content) <= MAX_CONTENT_CHARS for m in messages)
