"""Tests of mas.endpoint.dialect and the bodies of mas.wire.messages: which body a task takes, which a
400 asks for, and how a history (tool calls and outputs included) is written in each dialect."""

from __future__ import annotations

import json

import pytest

from mas.endpoint.dialect import dialect_for_task, dialect_named_missing, forget, known, remember
from mas.wire.messages import ChatMessage, ToolCallItem, ToolOutputItem, request_body


@pytest.mark.parametrize(
    ("task", "dialect"),
    [
        ("agent/v1/responses", "responses"),
        ("agent/v2/chat", "chat"),
        ("agent/v1/chat", "chat"),
        ("llm/v1/chat", "chat"),
        ("llm/v1/embeddings", None),
        (None, None),
        ("", None),
        (3, None),
    ],
)
def test_the_body_follows_the_task(task: object, dialect: str | None) -> None:
    assert dialect_for_task(task) == dialect


def test_a_400_naming_the_missing_input_asks_for_that_body() -> None:
    mlflow = (
        '{"error_code": "INVALID_PARAMETER_VALUE", "message": "Failed to enforce schema of data with schema '
        "['messages': Array(...)]. Error: Model is missing inputs ['messages']. Note that there were extra "
        "inputs: ['input'].\"}"
    )
    assert dialect_named_missing(mlflow.encode()) == "chat"
    assert dialect_named_missing("Model is missing inputs ['input'].") == "responses"
    assert dialect_named_missing("Model is missing inputs ['x'].") is None
    assert dialect_named_missing("Missing required field 'input' in the request body.") is None
    assert dialect_named_missing(b"\xff\xfe not text") is None


def test_what_was_learnt_is_per_host_endpoint_and_identity() -> None:
    forget()
    remember(("https://h", "ep", "user:a@x"), "chat")
    assert known(("https://h", "ep", "user:a@x")) == "chat"
    assert known(("https://h", "ep", "user:b@x")) is None
    assert known(("https://h", "other", "user:a@x")) is None
    forget()
    assert known(("https://h", "ep", "user:a@x")) is None


HISTORY = [
    ChatMessage(role="user", content="Revenue?"),
    ToolCallItem(call_id="c1", name="agent-revenue-genie", arguments={"genie_query": "revenue"}),
    ToolOutputItem(call_id="c1", output="| a |\n|---|\n| 1 |", name="agent-revenue-genie"),
    ChatMessage(role="assistant", content="It is 1."),
    ChatMessage(role="user", content="And now?"),
]


def test_history_as_responses_input_items() -> None:
    assert request_body("responses", HISTORY) == {
        "input": [
            {"role": "user", "content": "Revenue?"},
            {"type": "function_call", "call_id": "c1", "name": "agent-revenue-genie",
             "arguments": json.dumps({"genie_query": "revenue"})},
            {"type": "function_call_output", "call_id": "c1", "output": "| a |\n|---|\n| 1 |"},
            {"role": "assistant", "content": "It is 1."},
            {"role": "user", "content": "And now?"},
        ],
        "stream": True,
    }  # fmt: skip


def test_history_as_chat_messages() -> None:
    call = {"id": "c1", "type": "function",
            "function": {"name": "agent-revenue-genie", "arguments": json.dumps({"genie_query": "revenue"})}}
    assert request_body("chat", HISTORY) == {
        "messages": [
            {"role": "user", "content": "Revenue?"},
            {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "content": "| a |\n|---|\n| 1 |", "tool_call_id": "c1",
             "name": "agent-revenue-genie"},
            {"role": "assistant", "content": "It is 1."},
            {"role": "user", "content": "And now?"},
        ],
        "stream": True,
    }  # fmt: skip
