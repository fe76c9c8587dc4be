"""Typed events of a streamed MAS answer: one pydantic discriminated union on `type`.

These are what `MASStreamingClient.stream_events` yields and what the SSE API writes, using
the seed's dotted tags. They are emitted strictly (frozen, extra fields forbidden) and dump
without `None` fields, so `model_dump()` is exactly the seed's JSON. Reading the wire is not
done here: see `mas.wire.normalize`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    model_serializer,
)


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_serializer(mode="wrap")
    def _drop_none(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {key: value for key, value in data.items() if value is not None}


class TextDelta(_Event):
    type: Literal["text.delta"] = "text.delta"
    delta: str
    """The new piece of answer text."""
    agent: str | None = None
    """The agent speaking, when a `<name>…</name>` marker said so."""


class ToolCall(_Event):
    type: Literal["tool.call"] = "tool.call"
    name: str
    """The tool (sub-agent) called, e.g. `agent-revenue-genie` or `genie-<space id>`."""
    args: dict[str, Any]
    """The call's arguments, parsed from the wire's JSON string."""
    call_id: str | None = None
    agent: str | None = None


class ToolOutput(_Event):
    type: Literal["tool.output"] = "tool.output"
    name: str
    """The name of the call this output answers (joined by `call_id`)."""
    output: str
    """The tool's output as text (JSON outputs are re-serialised)."""
    call_id: str | None = None


class TraceCall(_Event):
    """One Genie call as the answer's MLflow trace recorded it (a `genie-*` span)."""

    name: str
    """The span's name, e.g. `genie-<space id>`: the tool it belongs to."""
    span_id: str | None = None
    sql: str | None = None
    description: str | None = None
    question: str | None = None
    rows: int | None = None
    """Rows the query returned, when the trace says."""
    duration: float | None = None
    """Seconds the call took, from the span's start and end."""


class TraceEvent(_Event):
    type: Literal["trace"] = "trace"
    trace_id: str | None = None
    """The MLflow trace id (`tr-…`): where feedback on this answer goes."""
    calls: list[TraceCall] = Field(default_factory=list)
    """The Genie calls the trace recorded, in the order they started."""


class Citation(_Event):
    type: Literal["text.citation"] = "text.citation"
    title: str | None = None
    """The cited document's title (a Knowledge Assistant `url_citation`)."""
    url: str | None = None
    """The link as the wire gave it: show it only through `mas.citations.safe_url`."""


class ToolApproval(_Event):
    type: Literal["tool.approval"] = "tool.approval"
    id: str
    """The `mcp_approval_request` item's id (the `approval_request_id` of the answer to it)."""
    name: str
    args: dict[str, Any]
    server: str | None = None
    """The MCP server (UC connection) the tool lives on."""


class ErrorEvent(_Event):
    type: Literal["error"] = "error"
    message: str
    """A readable message a data analyst can act on."""
    code: str | None = None
    """The upstream `error_code`, or the client's own category (`network`, `http_403`, …)."""
    status: int | None = None
    """The HTTP status, when the error came from one."""


class Done(_Event):
    type: Literal["done"] = "done"


class Status(_Event):
    """Progress while the answer is not yet there (a Genie message being worked on, a queue wait)."""

    type: Literal["status"] = "status"
    message: str
    """What is happening, in words, e.g. "Running the query…"."""
    elapsed: float | None = None
    """Seconds since the question was sent."""
    stage: str | None = None
    """The backend's own state, e.g. Genie's `EXECUTING_QUERY`, or `RATE_LIMITED` while queued."""
    queue_position: int | None = None
    """1 = next, while the question waits for a rate limit."""
    wait_seconds: float | None = None
    """About how long until the question goes out, while it waits."""


Event = Annotated[
    TextDelta | ToolCall | ToolOutput | TraceEvent | Citation | ToolApproval | ErrorEvent | Done | Status,
    Field(discriminator="type"),
]
TERMINAL_TYPES = frozenset({"error", "done"})

_EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def parse_event(data: dict[str, Any] | str | bytes) -> Event:
    """Validate one event from its JSON form (a dict or a JSON string)."""
    if isinstance(data, dict):
        return _EVENT_ADAPTER.validate_python(data)
    return _EVENT_ADAPTER.validate_json(data)
