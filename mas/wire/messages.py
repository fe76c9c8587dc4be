"""Chat messages and the chat request body, in the seed's shape.

`ChatMessage` is one turn of the conversation (`ToolCallItem` / `ToolOutputItem` an earlier
tool call and its output, when a history carries them); `StreamChatRequest` is the body of
`POST /api/chat/stream` with the limits the API enforces. Turning a history into the endpoint's
request body (ResponsesAgent `input` items or chat `messages`) is here too; sending it is not
(see `mas.endpoint.client`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_MESSAGES = 500
MAX_CONTENT_CHARS = 100_000
MAX_BODY_BYTES = 2 * 1024 * 1024

Dialect = Literal["responses", "chat"]
"""The endpoint's request body: ResponsesAgent `{"input": …}` or ChatAgent / chat `{"messages": …}`."""


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["user", "assistant", "system"]
    content: str = Field(max_length=MAX_CONTENT_CHARS)
    timestamp: str | float | None = None

    @field_validator("content", mode="before")
    @classmethod
    def _content_is_text(cls, value: object) -> object:
        if not isinstance(value, str):
            raise ValueError("content must be a string")
        return value


class StreamChatRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    conversation_state: dict[str, str] | None = Field(default=None, max_length=16)
    """Optional backend state to continue, e.g. `{"genie_conversation_id": …}` (MAS_BACKEND=genie:
    the id is in each Genie `tool.output`); without it each request starts a new Genie conversation."""

    @field_validator("messages")
    @classmethod
    def _last_is_user(cls, messages: list[ChatMessage]) -> list[ChatMessage]:
        if messages and messages[-1].role != "user":
            raise ValueError("the last message must come from the user")
        return messages


class ToolCallItem(BaseModel):
    """An earlier tool call of the assistant, replayed in the history."""

    model_config = ConfigDict(frozen=True)

    call_id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolOutputItem(BaseModel):
    """The output of an earlier tool call, replayed in the history."""

    model_config = ConfigDict(frozen=True)

    call_id: str
    output: str
    name: str | None = None


HistoryItem = ChatMessage | ToolCallItem | ToolOutputItem


def to_wire_input(messages: Sequence[HistoryItem]) -> list[dict[str, Any]]:
    """The ResponsesAgent `input` items for the whole history (tool calls as `function_call` items)."""
    items: list[dict[str, Any]] = []
    for m in messages:
        if isinstance(m, ToolCallItem):
            items.append({"type": "function_call", "call_id": m.call_id, "name": m.name,
                          "arguments": json.dumps(m.arguments)})  # fmt: skip
        elif isinstance(m, ToolOutputItem):
            items.append({"type": "function_call_output", "call_id": m.call_id, "output": m.output})
        else:
            items.append({"role": m.role, "content": m.content})
    return items


def to_chat_messages(messages: Sequence[HistoryItem]) -> list[dict[str, Any]]:
    """The ChatAgent / chat-completion `messages` for the whole history (tool calls as `tool_calls`)."""
    out: list[dict[str, Any]] = []
    for m in messages:
        if isinstance(m, ToolCallItem):
            function = {"name": m.name, "arguments": json.dumps(m.arguments)}
            call = {"id": m.call_id, "type": "function", "function": function}
            out.append({"role": "assistant", "content": "", "tool_calls": [call]})
        elif isinstance(m, ToolOutputItem):
            tool = {"role": "tool", "content": m.output, "tool_call_id": m.call_id}
            out.append({**tool, "name": m.name} if m.name else tool)
        else:
            out.append({"role": m.role, "content": m.content})
    return out


def request_body(dialect: Dialect, messages: Sequence[HistoryItem]) -> dict[str, Any]:
    """The streaming request body in the endpoint's dialect."""
    if dialect == "chat":
        return {"messages": to_chat_messages(messages), "stream": True}
    return {"input": to_wire_input(messages), "stream": True}
