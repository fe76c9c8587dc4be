"""Tests of mas.wire.decode: every `.sse` fixture replayed whole, byte by byte and at random chunk
sizes against its expected events, JSON bodies, and properties (never raises, one terminal,
independent of chunking)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streams import FIXTURES, byte_by_byte, fixture_names, load, random_chunks, split_at, sse_body

from mas.wire.decode import events_from_json_body, iter_events
from mas.wire.events import Done, ErrorEvent, Event, TextDelta, ToolCall, ToolOutput

EXAMPLES = settings(max_examples=int(os.environ.get("MAS_HYPOTHESIS_EXAMPLES", "200")), deadline=None)
DONE = Done()
TABLE = "| region | revenue |\n|---|---|\n| EMEA | 1200.50 |\n| AMER | 950.00 |"
GENIE_ARGS = {"genie_query": "total revenue by region"}

EXPECTED: dict[str, list[Event]] = {
    "bare_error_object.sse": [
        TextDelta(delta="Partial "),
        ErrorEvent(message="some message", code="upstream_error"),
    ],
    "bare_error_object_nested.sse": [
        ErrorEvent(message="Input is malformed.", code="BAD_REQUEST"),
    ],
    "bare_function_call_output.sse": [
        ToolCall(name="system__ai__python_exec", args={"code": "print(12)"}, call_id="call_1"),
        ToolOutput(
            name="system__ai__python_exec",
            output='{"type":"text","text":"{\\"is_truncated\\":false,\\"columns\\":[\\"output\\"],\\"rows\\":[[\\"12\\\\n\\"]]}","annotations":null,"meta":null}',
            call_id="call_1",
        ),
        DONE,
    ],
    "chat_agent_chunks.sse": [
        TextDelta(delta="Let me "),
        TextDelta(delta="check."),
        ToolCall(name="agent-sales", args=GENIE_ARGS, call_id="call_1"),
        ToolOutput(name="agent-sales", output=TABLE, call_id="call_1"),
        TextDelta(delta="\n\nEMEA leads."),
        DONE,
    ],
    "chat_completion_chunks.sse": [
        TextDelta(delta="Hello"),
        TextDelta(delta=" there."),
        ToolCall(name="lookup", args={"region": "EMEA"}, call_id="call_1"),
        DONE,
    ],
    "chat_completion_parallel_tool_calls.sse": [
        ToolCall(name="first", args={"n": 1}, call_id="call_a"),
        ToolCall(name="second", args={}, call_id="call_b"),
        DONE,
    ],
    "chat_completion_interleaved_tool_calls.sse": [
        ToolCall(name="revenue", args={"region": "EMEA"}, call_id="call_a"),
        ToolCall(name="headcount", args={"team": "sales"}, call_id="call_b"),
        DONE,
    ],
    "comments_and_event_id_retry.sse": [
        TextDelta(delta="Hello"),
        TextDelta(delta=" world"),
        DONE,
    ],
    "comments_only.sse": [
        ErrorEvent(message="The endpoint's answer was empty: it sent no events.", code="empty_stream"),
    ],
    "cr_only_line_ends.sse": [
        TextDelta(delta="one "),
        TextDelta(delta="two"),
        DONE,
    ],
    "crlf_line_ends.sse": [
        TextDelta(delta="one "),
        TextDelta(delta="two"),
        DONE,
    ],
    "cut_after_complete_line.sse": [
        TextDelta(delta="Revenue was "),
        TextDelta(delta="2.1M"),
        DONE,
    ],
    "cut_mid_line.sse": [
        TextDelta(delta="Revenue was "),
        ErrorEvent(
            message="The answer was cut off: the connection closed in the middle of a message.",
            code="stream_cut",
        ),
    ],
    "databricks_error_body_first.sse": [
        ErrorEvent(
            message="INVALID_PARAMETER_VALUE: Error getting permissions for table(s): main.sales.orders.",
            code="INVALID_PARAMETER_VALUE",
        ),
    ],
    "deltas_without_item_id.sse": [
        TextDelta(delta="No item "),
        TextDelta(delta="id."),
        DONE,
    ],
    "done_marker_only.sse": [
        DONE,
    ],
    "done_text_differs_from_deltas.sse": [
        TextDelta(delta="See the report."),
        DONE,
    ],
    "done_text_extends_deltas.sse": [
        TextDelta(delta="Revenue grew "),
        TextDelta(delta="12% year over year."),
        DONE,
    ],
    "duplicate_item_done.sse": [
        TextDelta(delta="Checking the data."),
        ToolCall(name="agent-revenue-genie", args=GENIE_ARGS, call_id="call_1"),
        DONE,
    ],
    "empty_body.sse": [
        ErrorEvent(message="The endpoint's answer was empty: it sent no events.", code="empty_stream"),
    ],
    "empty_data_fields.sse": [
        TextDelta(delta="x"),
        DONE,
    ],
    "empty_noise_item.sse": [
        TextDelta(delta="EMPTY rows "),
        TextDelta(delta="are skipped."),
        DONE,
    ],
    "ends_on_tool_call.sse": [
        TextDelta(delta="Let me look that up."),
        ToolCall(name="agent-revenue-genie", args=GENIE_ARGS, call_id="call_1"),
        DONE,
    ],
    "error_event_midstream.sse": [
        TextDelta(delta="Revenue was "),
        ErrorEvent(message="The model timed out.", code="server_error"),
    ],
    "event_name_error.sse": [
        ErrorEvent(message="Upstream overloaded.", code="upstream_error"),
    ],
    "events_after_terminal_ignored.sse": [
        TextDelta(delta="Done."),
        DONE,
    ],
    "function_call_output_after_completed.sse": [
        ToolCall(name="system__ai__python_exec", args={"code": "print(12)"}, call_id="call_1"),
        TextDelta(delta="Running it."),
        ToolOutput(
            name="system__ai__python_exec",
            output='{"type":"text","text":"{\\"is_truncated\\":false,\\"columns\\":[\\"output\\"],\\"rows\\":[[\\"12\\\\n\\"]]}"}',
            call_id="call_1",
        ),
        DONE,
    ],
    "final_cr_line_end.sse": [
        TextDelta(delta="x"),
        DONE,
    ],
    "function_call_lenient_arguments.sse": [
        ToolCall(name="agent-a", args={}, call_id="call_1"),
        ToolCall(name="agent-b", args={}, call_id="call_2"),
        ToolCall(name="agent-c", args={"raw": "not json {"}, call_id="call_3"),
        ToolCall(name="agent-d", args={"raw": [1, 2]}, call_id="call_4"),
        ToolCall(name="agent-e", args={"already": "an object"}, call_id="call_5"),
        DONE,
    ],
    "function_call_then_output.sse": [
        ToolCall(name="agent-revenue-genie", args=GENIE_ARGS, call_id="call_1"),
        ToolOutput(name="agent-revenue-genie", output=TABLE, call_id="call_1"),
        DONE,
    ],
    "invalid_utf8_replaced.sse": [
        TextDelta(delta="bad � byte"),
        DONE,
    ],
    "last_event_without_blank_line.sse": [
        TextDelta(delta="x"),
        DONE,
    ],
    "mas_text_only_in_output_item_done.sse": [
        TextDelta(delta="I'll check the revenue data."),
        ToolCall(name="agent-revenue-genie", args=GENIE_ARGS, call_id="call_1"),
        ToolOutput(name="agent-revenue-genie", output=TABLE, call_id="call_1"),
        TextDelta(delta="\n\nEMEA leads with 1200.50."),
        DONE,
    ],
    "mcp_approval_request.sse": [
        TextDelta(
            delta="The agent asked for approval to use mcp-jira__create_issue; this app cannot approve tools."
        ),
        DONE,
    ],
    "message_items_separated.sse": [
        TextDelta(delta="First message."),
        TextDelta(delta="\n\nSecond message."),
        DONE,
    ],
    "mixed_line_ends.sse": [
        TextDelta(delta="a"),
        TextDelta(delta="b"),
        TextDelta(delta="c"),
        DONE,
    ],
    "multiline_data.sse": [
        TextDelta(delta="spread over three data lines"),
        DONE,
    ],
    "name_marker_embedded_in_text.sse": [
        TextDelta(delta="Checking. "),
        TextDelta(delta="Genie says EMEA.", agent="genie-01ef"),
        DONE,
    ],
    "name_marker_streamed_as_deltas.sse": [
        TextDelta(delta="EMEA ", agent="supervisor"),
        TextDelta(delta="leads.", agent="supervisor"),
        DONE,
    ],
    "name_marker_then_text_in_one_item.sse": [
        TextDelta(delta="EMEA leads with 1200.50.", agent="supervisor"),
        TextDelta(delta="\n\nHere is the table.", agent="genie"),
        DONE,
    ],
    "name_markers.sse": [
        TextDelta(delta="Asking Genie.", agent="supervisor-agent-sales"),
        ToolCall(
            name="agent-revenue-genie", args=GENIE_ARGS, call_id="call_1", agent="supervisor-agent-sales"
        ),
        ToolOutput(name="agent-revenue-genie", output=TABLE, call_id="call_1"),
        TextDelta(delta="\n\nEMEA leads.", agent="supervisor-agent-sales"),
        DONE,
    ],
    "no_terminal_clean_eof.sse": [
        TextDelta(delta="Revenue was 2.1M."),
        DONE,
    ],
    "non_json_data_skipped.sse": [
        TextDelta(delta="a"),
        TextDelta(delta="b"),
        DONE,
    ],
    "non_json_only.sse": [
        ErrorEvent(
            message="The endpoint sent data that is not JSON: 'upstream request timeout'", code="not_json"
        ),
    ],
    "response_error_event.sse": [
        ErrorEvent(message="Slow down.", code="rate_limit"),
    ],
    "response_failed.sse": [
        ErrorEvent(message="The supervisor could not reach its sub-agent.", code="server_error"),
    ],
    "responses_completed_spelling.sse": [
        TextDelta(delta="ok"),
        DONE,
    ],
    "responses_deltas_then_done_dedup.sse": [
        TextDelta(delta="Total revenue "),
        TextDelta(delta="is 2.1M."),
        DONE,
    ],
    "sub_agent_deltas_with_tool_fields.sse": [
        TextDelta(delta="Genie found 2 regions."),
        DONE,
    ],
    "tool_output_json_value.sse": [
        ToolCall(name="agent-revenue-genie", args=GENIE_ARGS, call_id="call_1"),
        ToolOutput(
            name="agent-revenue-genie",
            output='{"columns": ["region", "revenue"], "rows": [["EMEA", 1200.5]]}',
            call_id="call_1",
        ),
        ToolOutput(name="unknown", output='["not", "joined"]', call_id="call_2"),
        DONE,
    ],
    "trace_id_chunk.sse": [
        TextDelta(delta="Answer."),
        DONE,
    ],
    "unknown_event_types.sse": [
        TextDelta(delta="Kept."),
        DONE,
    ],
    "utf8_bom.sse": [
        TextDelta(delta="after a BOM"),
        DONE,
    ],
    "utf8_multibyte.sse": [
        TextDelta(delta="Umsatz in München: 1.200 €; 日本: ¥9; "),
        TextDelta(delta="🙂 done"),
        DONE,
    ],
    "reused_item_id_streamed.sse": [
        TextDelta(delta="Asking "),
        TextDelta(delta="Genie."),
        ToolCall(name="agent-revenue-genie", args=GENIE_ARGS, call_id="call_1"),
        ToolOutput(name="agent-revenue-genie", output=TABLE, call_id="call_1"),
        TextDelta(delta="\n\nEMEA "),
        TextDelta(delta="leads."),
        DONE,
    ],
    "reused_item_id_resumed_after_tool_call.sse": [
        TextDelta(delta="Asking Genie."),
        ToolCall(name="agent-revenue-genie", args=GENIE_ARGS, call_id="call_1"),
        ToolOutput(name="agent-revenue-genie", output=TABLE, call_id="call_1"),
        TextDelta(delta="\n\nEMEA "),
        TextDelta(delta="leads."),
        DONE,
    ],
    "reused_item_id_done_only.sse": [
        TextDelta(delta="Asking Genie."),
        ToolCall(name="agent-revenue-genie", args=GENIE_ARGS, call_id="call_1"),
        ToolOutput(name="agent-revenue-genie", output=TABLE, call_id="call_1"),
        TextDelta(delta="\n\nEMEA leads."),
        TextDelta(delta="\n\nAnything else?"),
        DONE,
    ],
    "two_responses_in_one_body.sse": [
        TextDelta(delta="Let me run it."),
        ToolCall(name="system__ai__python_exec", args={"code": "print(12)"}, call_id="call_1"),
        ToolOutput(name="system__ai__python_exec", output="12\n", call_id="call_1"),
        TextDelta(delta="\n\nThe result "),
        TextDelta(delta="is 12."),
        DONE,
    ],
    "function_call_arguments_raw_newline.sse": [
        ToolCall(
            name="system__ai__python_exec",
            args={"code": "# 4*3\nresult = 4 * 3\n\tprint(result)"},
            call_id="call_1",
        ),
        ToolCall(name="agent-b", args={"raw": '{"code": "unterminated\n'}, call_id="call_2"),
        DONE,
    ],
    "json_error_body_not_sse.sse": [
        ErrorEvent(message="Tool agent-revenue-genie is not accessible.", code="RESOURCE_DOES_NOT_EXIST"),
    ],
    "json_responses_body_not_sse.sse": [TextDelta(delta="Not streamed."), DONE],
    "ndjson_lines.sse": [TextDelta(delta="one "), TextDelta(delta="two"), DONE],
    "html_page_not_sse.sse": [
        ErrorEvent(
            message="The endpoint answered with a web page, not an event stream: "
            "'<!DOCTYPE html><html><body><h1>504 Gateway Time-out</h1></body></html>'",
            code="not_sse",
        ),
    ],
}


def test_every_fixture_has_expected_events() -> None:
    assert sorted(EXPECTED) == fixture_names()


def test_every_fixture_is_described_in_the_readme() -> None:
    readme = (FIXTURES / "README.md").read_text()
    assert [name for name in fixture_names() if f"| {name} |" not in readme] == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_replayed_whole(name: str) -> None:
    assert list(iter_events([load(name)])) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_replayed_byte_by_byte(name: str) -> None:
    assert list(iter_events(byte_by_byte(load(name)))) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_replayed_at_random_chunk_sizes(name: str) -> None:
    data = load(name)
    for seed in range(8):
        assert list(iter_events(random_chunks(data, seed=seed, max_size=17))) == EXPECTED[name], seed


def _huge_output_stream(size: int) -> tuple[bytes, str]:
    output = "| n | value |\n|---|---|\n" + "".join(f"| {i} | é{i * 7} |\n" for i in range(size // 16))
    body = sse_body(
        {"type": "response.output_item.done", "item": {"type": "function_call", "call_id": "c", "name": "g"}},
        {
            "type": "response.output_item.done",
            "item": {"type": "function_call_output", "call_id": "c", "output": output},
        },
        "[DONE]",
    )
    return body, output


def test_a_single_line_of_megabytes_in_small_chunks() -> None:
    body, output = _huge_output_stream(3_000_000)
    assert len(body) > 3_000_000
    events = list(iter_events(random_chunks(body, seed=3, max_size=8192)))
    assert events == [
        ToolCall(name="g", args={}, call_id="c"),
        ToolOutput(name="g", output=output, call_id="c"),
        DONE,
    ]


def test_a_single_line_of_megabytes_in_one_chunk_with_crlf() -> None:
    body, output = _huge_output_stream(2_000_000)
    events = list(iter_events([body.replace(b"\n\n", b"\r\n\r\n")]))
    assert events[1] == ToolOutput(name="g", output=output, call_id="c")


def test_events_are_yielded_before_the_next_chunk_is_read() -> None:
    pulled: list[int] = []

    def chunks() -> Iterator[bytes]:
        for index, text in enumerate(["first", "second"]):
            pulled.append(index)
            yield sse_body({"type": "response.output_text.delta", "item_id": "m", "delta": text})

    events = iter_events(chunks())
    assert next(events) == TextDelta(delta="first")
    assert pulled == [0]


def test_no_chunk_is_read_after_the_terminal_event() -> None:
    def chunks() -> Iterator[bytes]:
        yield sse_body({"type": "response.output_text.delta", "item_id": "m", "delta": "a"}, "[DONE]")
        raise AssertionError("read past [DONE]")

    assert list(iter_events(chunks())) == [TextDelta(delta="a"), DONE]


def test_errors_from_the_chunk_iterable_are_not_caught() -> None:
    def chunks() -> Iterator[bytes]:
        yield b"data: {}\n\n"
        raise ConnectionResetError("peer reset")

    with pytest.raises(ConnectionResetError):
        list(iter_events(chunks()))


def test_deeply_nested_json_is_skipped_not_raised() -> None:
    body = b"data: " + b"[" * 100_000 + b"\n\n" + sse_body({"type": "response.completed"})
    assert list(iter_events([body])) == [DONE]


def test_non_streamed_responses_agent_body() -> None:
    body = {
        "object": "response",
        "output": [
            {"type": "message", "id": "m0", "content": [{"type": "output_text", "text": "<name>sup</name>"}]},
            {"type": "message", "id": "m1", "content": [{"type": "output_text", "text": "Checking."}]},
            {
                "type": "function_call",
                "call_id": "c1",
                "name": "agent-revenue-genie",
                "arguments": json.dumps(GENIE_ARGS),
            },
            {"type": "function_call_output", "call_id": "c1", "output": TABLE},
            {"type": "message", "id": "m2", "content": [{"type": "output_text", "text": "EMEA leads."}]},
        ],
    }
    assert events_from_json_body(body) == [
        TextDelta(delta="Checking.", agent="sup"),
        ToolCall(name="agent-revenue-genie", args=GENIE_ARGS, call_id="c1", agent="sup"),
        ToolOutput(name="agent-revenue-genie", output=TABLE, call_id="c1"),
        TextDelta(delta="\n\nEMEA leads.", agent="sup"),
        DONE,
    ]


def test_non_streamed_chat_agent_body() -> None:
    body = {
        "messages": [
            {
                "role": "assistant",
                "content": "",
                "id": "a",
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "t", "arguments": "{}"}}
                ],
            },
            {"role": "tool", "content": "42", "tool_call_id": "c1"},
            {"role": "assistant", "content": "It is 42."},
            {"role": "assistant", "content": "Anything else?"},
        ]
    }
    assert events_from_json_body(body) == [
        ToolCall(name="t", args={}, call_id="c1"),
        ToolOutput(name="t", output="42", call_id="c1"),
        TextDelta(delta="It is 42."),
        TextDelta(delta="\n\nAnything else?"),
        DONE,
    ]


def test_non_streamed_chat_completion_body() -> None:
    body = {
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": "Hi.",
                    "tool_calls": [
                        {"id": "c1", "type": "function", "function": {"name": "t", "arguments": '{"a": 1}'}}
                    ],
                },
            }
        ],
    }
    assert events_from_json_body(body) == [
        TextDelta(delta="Hi."),
        ToolCall(name="t", args={"a": 1}, call_id="c1"),
        DONE,
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"error_code": "NOT_FOUND", "message": "No endpoint."},
            ErrorEvent(message="No endpoint.", code="NOT_FOUND"),
        ),
        ({"error": "legacy message"}, ErrorEvent(message="legacy message", code="upstream_error")),
        (
            {
                "object": "response",
                "status": "failed",
                "error": {"code": "server_error", "message": "Boom."},
                "output": [],
            },
            ErrorEvent(message="Boom.", code="server_error"),
        ),
    ],
)
def test_non_streamed_error_bodies(body: dict[str, Any], expected: Event) -> None:
    assert events_from_json_body(body) == [expected]


@pytest.mark.parametrize("body", [None, [1, 2], "text", 3, {"unexpected": True}])
def test_non_streamed_unrecognised_bodies_are_one_error(body: Any) -> None:
    events = events_from_json_body(body)
    assert len(events) == 1
    assert isinstance(events[0], ErrorEvent)
    assert events[0].code == "unrecognised_body"


def test_non_streamed_body_with_empty_output_is_an_error() -> None:
    assert events_from_json_body({"output": []}) == [
        ErrorEvent(message="The endpoint's answer was empty: it sent no events.", code="empty_stream")
    ]


def _assert_one_terminal_at_end(events: list[Event]) -> None:
    assert events, "no events at all"
    assert isinstance(events[-1], Done | ErrorEvent)
    assert not any(isinstance(event, Done | ErrorEvent) for event in events[:-1])


@EXAMPLES
@given(st.lists(st.binary(max_size=64), max_size=12))
def test_arbitrary_bytes_never_raise_and_end_with_one_terminal(chunks: list[bytes]) -> None:
    _assert_one_terminal_at_end(list(iter_events(chunks)))


_WIRE_PIECES = st.sampled_from(
    [
        b"data: ",
        b"data:",
        b"\n",
        b"\r",
        b"\r\n",
        b": c\n",
        b"event: error\n",
        b"id: 1\n",
        b"retry: 5\n",
        b"[DONE]",
        b"{",
        b"}",
        b'"type":',
        b'"response.output_text.delta"',
        b'"delta":"x\xc3\xa9"',
        b",",
        b'"item_id":"m"',
        b'"response.completed"',
        b'"error":"e"',
        b"<name>a</name>",
        b"EMPTY",
        b"\xf0\x9f",
        b"\x99\x82",
        b'{"type":"response.output_text.delta","item_id":"m","delta":"hi"}',
        b'{"type":"response.output_item.done","item":{"type":"message","id":"m","content":[{"text":"hi!"}]}}',
        b'{"delta":{"id":"a","role":"assistant","content":"yo"}}',
        b'{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"name":"f","arguments":"{}"}}]}}]}',
    ]
)


@EXAMPLES
@given(st.lists(_WIRE_PIECES, max_size=40), st.lists(st.integers(min_value=0, max_value=4000), max_size=8))
def test_output_does_not_depend_on_where_chunks_split(pieces: list[bytes], cuts: list[int]) -> None:
    data = b"".join(pieces)
    whole = list(iter_events([data]))
    _assert_one_terminal_at_end(whole)
    assert list(iter_events(split_at(data, cuts))) == whole
    assert list(iter_events(byte_by_byte(data))) == whole


@EXAMPLES
@given(st.sampled_from(sorted(EXPECTED)), st.lists(st.integers(min_value=0, max_value=3000), max_size=6))
def test_fixtures_split_anywhere_give_their_expected_events(name: str, cuts: list[int]) -> None:
    assert list(iter_events(split_at(load(name), cuts))) == EXPECTED[name]
