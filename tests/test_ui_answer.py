"""The live answer generator over a real client and the emulator: order, coalescing, early close."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import streamlit as st
from support.emulator import Emulator, Fault

from mas.endpoint.client import MASStreamingClient
from mas.transcript import TextPart, ToolPart, Turn
from mas.wire.messages import ChatMessage
from tests.conftest import SCRIPT_TEXT, text_deltas
from ui.answer import tool_label
from ui.live import stream_turn

QUESTION = [ChatMessage(role="user", content="Revenue by region?")]


def test_text_and_tool_parts_come_out_in_stream_order(
    emulator: Emulator, client_for: Callable[..., MASStreamingClient]
) -> None:
    turn = Turn(question="Revenue by region?")
    chunks = list(stream_turn(turn, client_for(emulator).stream_events(QUESTION), waiting=st.empty()))
    shape = ["text" if isinstance(c, str) else "call" for c in chunks]
    assert shape[0] == "text" and shape.count("call") == 2
    first_call = shape.index("call")
    assert shape[first_call + 1] == "call" and "text" in shape[first_call + 2:]
    assert [type(p) for p in turn.parts] == [TextPart, ToolPart, TextPart]
    text = "".join(c for c in chunks if isinstance(c, str))
    assert " ".join(text.split()) == SCRIPT_TEXT.replace("$", "\\$")  # dollars escaped against maths
    tool = turn.tools[0]
    assert tool.state == "complete" and tool.result is not None and tool.result.row_count == 2
    assert tool_label(tool).startswith("Revenue Genie · 2 rows · ")  # agent-<slug> read as words


def test_text_tokens_are_coalesced(
    emulator: Emulator, scripted: Callable[..., Any], client_for: Callable[..., MASStreamingClient]
) -> None:
    emulator.set_responder(emulator.endpoint_name, scripted(text_deltas(400)))
    turn = Turn(question="q")
    chunks = list(stream_turn(turn, client_for(emulator).stream_events(QUESTION), waiting=st.empty()))
    assert "".join(chunks) == "".join(f"word{i} " for i in range(400))  # type: ignore[arg-type]
    assert len(chunks) < 100  # 400 deltas, far fewer re-renders of the growing text


def test_closing_the_stream_early_closes_the_upstream_request(
    emulator: Emulator, scripted: Callable[..., Any], client_for: Callable[..., MASStreamingClient]
) -> None:
    emulator.set_responder(emulator.endpoint_name, scripted(text_deltas(300)))
    emulator.inject(Fault(pacing=0.02))
    turn = Turn(question="q")
    chunks = stream_turn(turn, client_for(emulator).stream_events(QUESTION), waiting=st.empty())
    assert isinstance(next(chunks), str)
    assert isinstance(next(chunks), str)  # asking for a second chunk: the first one was sent and shows
    chunks.close()  # what a Stop or a rerun does to the generator inside st.write_stream
    [request] = emulator.invocations()
    deadline = time.monotonic() + 5
    while request.outcome == "pending" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert request.outcome == "disconnected"
    assert request.events_sent < 300
    assert turn.answer_text.startswith("word0")


@pytest.mark.parametrize("taken", [1, 3, 6])
def test_a_stopped_stream_keeps_exactly_the_text_that_was_sent(
    emulator: Emulator,
    scripted: Callable[..., Any],
    client_for: Callable[..., MASStreamingClient],
    taken: int,
) -> None:
    emulator.set_responder(emulator.endpoint_name, scripted(text_deltas(300)))
    emulator.inject(Fault(pacing=0.01))
    turn = Turn(question="q")
    chunks = stream_turn(turn, client_for(emulator).stream_events(QUESTION), waiting=st.empty())
    got = [next(chunks) for _ in range(taken)]
    # st.write_stream checks for Stop *before* sending a chunk: the last one handed out never showed.
    time.sleep(0.2)  # more deltas arrive and wait in the buffer meanwhile
    chunks.close()
    shown = "".join(c for c in got[:-1] if isinstance(c, str))
    assert turn.answer_text == shown.strip()
    assert all(isinstance(p, TextPart) for p in turn.parts) and (taken > 1) == bool(turn.parts)
