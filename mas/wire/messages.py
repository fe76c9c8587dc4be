"""Chat messages and the chat request body, in the seed's shape.

`ChatMessage` is one turn of the conversation; `StreamChatRequest` is the body of
`POST /api/chat/stream` with the limits the API enforces. Turning messages into the
endpoint's wire `input` is here too; sending them is not (see `mas.endpoint.client`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_MESSAGES = 500
MAX_CONTENT_CHARS = 100_000
MAX_BODY_BYTES = 2 * 1024 * 1024


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


def to_wire_input(messages: list[ChatMessage]) -> list[dict[str, Any]]:
    """The ResponsesAgent `input` list for the whole history (assistant turns as assistant messages)."""
    return [{"role": m.role, "content": m.content} for m in messages]
