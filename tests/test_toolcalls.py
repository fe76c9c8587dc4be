"""Tests of mas.wire.toolcalls: lenient arguments, outputs as text, names joined by call id."""

from __future__ import annotations

from typing import Any

import pytest

from mas.wire.events import ToolCall, ToolOutput
from mas.wire.toolcalls import ToolCalls, output_text, parse_arguments


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"genie_query": "q"}', {"genie_query": "q"}),
        ("", {}),
        ("   ", {}),
        (None, {}),
        ("not json", {"raw": "not json"}),
        ("[1]", {"raw": [1]}),
        ('"text"', {"raw": "text"}),
        ({"a": 1}, {"a": 1}),
        (7, {"raw": 7}),
    ],
)
def test_parse_arguments(raw: Any, expected: dict[str, Any]) -> None:
    assert parse_arguments(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("text", "text"), (None, ""), ({"a": "é"}, '{"a": "é"}'), ([1, 2], "[1, 2]"), (3, "3")],
)
def test_output_text(raw: Any, expected: str) -> None:
    assert output_text(raw) == expected


def test_an_output_is_named_after_its_call() -> None:
    tools = ToolCalls()
    assert tools.call(name="agent-x", arguments='{"q": 1}', call_id="c1", agent="sup") == ToolCall(
        name="agent-x", args={"q": 1}, call_id="c1", agent="sup"
    )
    assert tools.output(call_id="c1", output="ok", name=None) == ToolOutput(
        name="agent-x", output="ok", call_id="c1"
    )
    assert tools.output(call_id="c2", output="x", name=None) == ToolOutput(
        name="unknown", output="x", call_id="c2"
    )


def test_a_repeated_call_id_is_shown_once_but_calls_without_ids_always() -> None:
    tools = ToolCalls()
    assert tools.call(name="a", arguments="", call_id="c", agent=None) is not None
    assert tools.call(name="a", arguments="", call_id="c", agent=None) is None
    assert tools.call(name="b", arguments="", call_id=None, agent=None) is not None
    assert tools.call(name="b", arguments="", call_id=None, agent=None) is not None


def test_streamed_arguments_are_assembled_by_index() -> None:
    tools = ToolCalls()
    first = [{"index": 0, "id": "c0", "function": {"name": "f", "arguments": '{"a"'}}]
    assert tools.stream(first, agent=None) == []
    assert tools.stream([{"index": 0, "function": {"arguments": ": 1}"}}], agent=None) == []
    second = [{"index": 1, "id": "c1", "function": {"name": "g", "arguments": {"b": 2}}}]
    assert tools.stream(second, agent=None) == []
    assert tools.flush(agent="x") == [
        ToolCall(name="f", args={"a": 1}, call_id="c0", agent="x"),
        ToolCall(name="g", args={"b": 2}, call_id="c1", agent="x"),
    ]
    assert tools.flush(agent=None) == []


def test_parallel_calls_interleaving_their_pieces_are_assembled_by_index() -> None:
    tools = ToolCalls()
    starts = [
        {"index": 0, "id": "a", "function": {"name": "f", "arguments": ""}},
        {"index": 1, "id": "b", "function": {"name": "g", "arguments": ""}},
    ]
    assert tools.stream(starts, agent=None) == []
    assert tools.stream([{"index": 0, "function": {"arguments": '{"x":1}'}}], agent=None) == []
    assert tools.stream([{"index": 1, "function": {"arguments": '{"y":2}'}}], agent=None) == []
    assert tools.flush(agent=None) == [
        ToolCall(name="f", args={"x": 1}, call_id="a"),
        ToolCall(name="g", args={"y": 2}, call_id="b"),
    ]


def test_an_index_reused_by_a_new_call_completes_the_earlier_calls() -> None:
    tools = ToolCalls()
    first = [{"index": 0, "id": "a", "function": {"name": "f", "arguments": "{}"}}]
    again = [{"index": 0, "id": "b", "function": {"name": "g", "arguments": "{}"}}]
    assert tools.stream(first, agent=None) == []
    assert tools.stream(again, agent=None) == [ToolCall(name="f", args={}, call_id="a")]
    assert tools.flush(agent=None) == [ToolCall(name="g", args={}, call_id="b")]


def test_arguments_with_raw_control_characters_parse() -> None:
    assert parse_arguments('{"code": "a = 1\nprint(a)\tx"}') == {"code": "a = 1\nprint(a)\tx"}
    assert parse_arguments('{"code": "a = 1\n') == {"raw": '{"code": "a = 1\n'}
