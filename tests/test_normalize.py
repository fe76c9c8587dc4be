"""Tests of mas.wire.normalize: wire dicts of all three formats to typed events, one terminal."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mas.wire.events import Done, ErrorEvent, Event, TextDelta, ToolCall, ToolOutput
from mas.wire.normalize import Normalizer

EXAMPLES = settings(max_examples=int(os.environ.get("MAS_HYPOTHESIS_EXAMPLES", "200")), deadline=None)


def run(*wires: dict[str, Any], truncated: bool = False) -> list[Event]:
    normalizer = Normalizer()
    events: list[Event] = []
    for wire in wires:
        events.extend(normalizer.feed(wire))
    events.extend(normalizer.finish(truncated=truncated))
    return events


def delta(text: str, item: str = "m") -> dict[str, Any]:
    return {"type": "response.output_text.delta", "item_id": item, "delta": text}


def test_nothing_is_emitted_after_the_terminal_event() -> None:
    normalizer = Normalizer()
    assert normalizer.feed({"type": "response.error", "message": "boom"}) == [
        ErrorEvent(message="boom", code="upstream_error")
    ]
    assert normalizer.terminated
    assert normalizer.feed(delta("late")) == []
    assert normalizer.feed_done() == []
    assert normalizer.finish(truncated=True) == []


def test_completed_waits_for_the_end_and_keeps_only_late_tool_outputs() -> None:
    normalizer = Normalizer()
    assert normalizer.feed({"type": "response.completed"}) == []
    assert not normalizer.terminated
    assert normalizer.feed(delta("late")) == []
    late = {"type": "function_call_output", "call_id": "c1", "output": "12"}
    assert normalizer.feed(late) == [ToolOutput(name="unknown", output="12", call_id="c1")]
    assert normalizer.finish(truncated=True) == [Done()]
    assert normalizer.terminated


def test_done_marker_ends_the_stream() -> None:
    normalizer = Normalizer()
    normalizer.feed(delta("x"))
    assert normalizer.feed_done() == [Done()]
    assert normalizer.finish(truncated=False) == []


def test_truncated_end_keeps_what_arrived_then_reports_the_cut() -> None:
    events = run(delta("Revenue "), truncated=True)
    assert events[0] == TextDelta(delta="Revenue ")
    assert isinstance(events[1], ErrorEvent)
    assert events[1].code == "stream_cut"


def test_held_back_text_is_released_before_the_terminal() -> None:
    assert run(delta("EM")) == [TextDelta(delta="EM"), Done()]


def test_empty_and_unparsed_ends() -> None:
    assert run() == [
        ErrorEvent(message="The endpoint's answer was empty: it sent no events.", code="empty_stream")
    ]
    normalizer = Normalizer()
    normalizer.note_unparsed("<html>Gateway Timeout</html>")
    [event] = normalizer.finish(truncated=False)
    assert isinstance(event, ErrorEvent)
    assert event.code == "not_json"
    assert "Gateway Timeout" in event.message


def test_tool_output_takes_the_name_of_its_call() -> None:
    events = run(
        {
            "type": "response.output_item.done",
            "item": {"type": "function_call", "call_id": "c1", "name": "agent-x"},
        },
        {"type": "function_call_output", "call_id": "c1", "output": "ok"},
        {"type": "function_call_output", "call_id": "c9", "output": "orphan", "name": "named-on-wire"},
    )
    assert events == [
        ToolCall(name="agent-x", args={}, call_id="c1"),
        ToolOutput(name="agent-x", output="ok", call_id="c1"),
        ToolOutput(name="named-on-wire", output="orphan", call_id="c9"),
        Done(),
    ]


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ({"type": "error", "message": "m", "code": "c"}, ErrorEvent(message="m", code="c")),
        (
            {"type": "error", "error": {"message": "nested", "code": "n"}},
            ErrorEvent(message="nested", code="n"),
        ),
        ({"type": "response.error", "message": "m"}, ErrorEvent(message="m", code="upstream_error")),
        (
            {"type": "response.failed", "response": {"status": "failed"}},
            ErrorEvent(
                message="The endpoint reported an error (upstream_error) without a message.",
                code="upstream_error",
            ),
        ),
        ({"error": "plain"}, ErrorEvent(message="plain", code="upstream_error")),
        (
            {"error": {"message": "m", "type": "invalid_request_error"}},
            ErrorEvent(message="m", code="invalid_request_error"),
        ),
        (
            {"error_code": "RESOURCE_EXHAUSTED", "message": "m"},
            ErrorEvent(message="m", code="RESOURCE_EXHAUSTED"),
        ),
    ],
)
def test_error_shapes(wire: dict[str, Any], expected: ErrorEvent) -> None:
    assert run(delta("before"), wire, delta("after")) == [TextDelta(delta="before"), expected]


def test_chat_completion_call_without_finish_reason_is_emitted_at_the_end() -> None:
    chunk = {
        "choices": [
            {"delta": {"tool_calls": [{"index": 0, "id": "c", "function": {"name": "f", "arguments": "{"}}]}}
        ]
    }
    rest = {"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": "}"}}]}}]}
    assert run(chunk, rest) == [ToolCall(name="f", args={}, call_id="c"), Done()]


def test_chat_agent_tool_result_joins_its_call_by_id() -> None:
    events = run(
        {
            "delta": {
                "role": "assistant",
                "tool_calls": [{"id": "c", "function": {"name": "g", "arguments": "{}"}}],
            }
        },
        {"delta": {"role": "tool", "tool_call_id": "c", "content": {"rows": 1}}},
        {"delta": {"role": "user", "content": "echoed question"}},
    )
    assert events == [
        ToolCall(name="g", args={}, call_id="c"),
        ToolOutput(name="g", output='{"rows": 1}', call_id="c"),
        Done(),
    ]


def test_markers_set_the_agent_of_text_and_tool_calls() -> None:
    marker = {
        "type": "response.output_item.done",
        "item": {"type": "message", "id": "k", "content": "<name>genie</name>"},
    }
    call = {
        "type": "response.output_item.done",
        "item": {"type": "function_call", "call_id": "c", "name": "t"},
    }
    assert run(marker, delta("Rows."), call) == [
        TextDelta(delta="Rows.", agent="genie"),
        ToolCall(name="t", args={}, call_id="c", agent="genie"),
        Done(),
    ]


_TEXT = st.sampled_from(
    ["", "Hi", " ", "<name>a</name>", "<na", "me>b</name>", "EMPTY", "EM", "é🙂", '{"a":1}']
)
_ANY = st.recursive(
    st.none() | st.booleans() | st.integers(-1, 2) | _TEXT,
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(_TEXT, inner, max_size=2),
    max_leaves=6,
)
_IDS = st.sampled_from(["m", "n", "c1", "c2", ""]) | _ANY
_LOOSE = _TEXT | _ANY


def _optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


_ITEM = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["message", "function_call", "function_call_output", "mcp_approval_request", "x"]
        )
    },
    optional={
        "id": _IDS,
        "call_id": _IDS,
        "name": _LOOSE,
        "arguments": _LOOSE,
        "output": _LOOSE,
        "content": _LOOSE | st.lists(_optional(type=st.just("output_text"), text=_LOOSE), max_size=2),
    },
)
_CALL = _optional(index=st.integers(0, 2) | _ANY, id=_IDS, function=_optional(name=_LOOSE, arguments=_LOOSE))
_WIRE = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("response.output_text.delta")}, optional={"item_id": _IDS, "delta": _LOOSE}
    ),
    st.fixed_dictionaries({"type": st.just("response.output_item.done")}, optional={"item": _ITEM | _ANY}),
    _ITEM,
    st.fixed_dictionaries(
        {
            "delta": _optional(
                id=_IDS,
                role=st.sampled_from(["assistant", "tool", "user"]) | _ANY,
                content=_LOOSE,
                tool_calls=st.lists(_CALL, max_size=2) | _ANY,
                tool_call_id=_IDS,
                name=_LOOSE,
            )
        }
    ),
    st.fixed_dictionaries(
        {
            "choices": st.lists(
                _optional(
                    delta=_optional(content=_LOOSE, tool_calls=st.lists(_CALL, max_size=2)),
                    message=_ANY,
                    finish_reason=_LOOSE,
                ),
                max_size=2,
            )
        }
    ),
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(
                [
                    "response.completed",
                    "responses.completed",
                    "error",
                    "response.error",
                    "response.failed",
                    "response.created",
                    "reasoning",
                    "other",
                ]
            )
        },
        optional={"message": _LOOSE, "code": _LOOSE, "error": _LOOSE, "response": _ANY},
    ),
    st.dictionaries(st.sampled_from(["error", "error_code", "message", "trace_id", "x"]), _LOOSE, max_size=3),
)


@EXAMPLES
@given(st.lists(_WIRE, max_size=8), st.booleans(), st.booleans())
def test_any_wire_dicts_never_raise_and_end_with_one_terminal(
    wires: list[dict[str, Any]], done_marker: bool, truncated: bool
) -> None:
    normalizer = Normalizer()
    events: list[Event] = []
    for wire in wires:
        events.extend(normalizer.feed(wire))
    if done_marker:
        events.extend(normalizer.feed_done())
    events.extend(normalizer.finish(truncated=truncated))
    assert isinstance(events[-1], Done | ErrorEvent)
    assert not any(isinstance(event, Done | ErrorEvent) for event in events[:-1])
    assert all(event.model_dump()["type"] for event in events)


def test_a_second_response_after_completed_continues_the_answer() -> None:
    normalizer = Normalizer()
    normalizer.feed(delta("First."))
    assert normalizer.feed({"type": "response.completed"}) == []
    assert normalizer.feed(delta("ignored")) == []
    assert normalizer.feed({"type": "response.created", "response": {"id": "r2"}}) == []
    second = {"type": "response.output_text.delta", "item_id": "m2", "delta": "Second."}
    assert normalizer.feed(second) == [TextDelta(delta="\n\nSecond.")]
    assert normalizer.feed({"type": "response.completed"}) == []
    assert normalizer.feed_done() == [Done()]
