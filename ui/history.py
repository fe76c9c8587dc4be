"""The chat history as structured records: one `Turn` per question, its answer as ordered parts.

A turn's parts are text segments and tool parts (a sub-agent call with its question, SQL, parsed
result, timing and the chart the user picked). Records are built while the answer streams, by
folding `mas` events into the turn, and replayed on every rerun without re-parsing anything.
This module never imports Streamlit; rendering is `ui.answer`, state keeping is `ui.state`.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from mas.wire.events import ErrorEvent, Event, TextDelta, ToolCall, ToolOutput
from mas.wire.messages import MAX_CONTENT_CHARS, MAX_MESSAGES, ChatMessage

if TYPE_CHECKING:
    from mas.results.toolresult import ToolResult

TurnStatus = Literal["streaming", "complete", "stopped", "error"]
ToolState = Literal["running", "complete", "error", "stopped"]


@dataclass
class TextPart:
    """A run of answer text between tool calls."""

    text: str = ""


@dataclass
class ToolPart:
    """One sub-agent call: what was asked, how it went, what came back, how it is shown."""

    name: str
    call_id: str | None
    question: str | None
    started: float = field(default_factory=time.monotonic)
    state: ToolState = "running"
    elapsed: float | None = None
    result: ToolResult | None = None
    chart_kind: str | None = None
    """The chart shown: the rules' choice at first, then the user's pick."""
    view: Any = None
    """Render-ready data built once by the UI layer (capped frame, chart specs); never re-derived."""

    @property
    def sql(self) -> str | None:
        return self.result.sql if self.result is not None else None


Part = TextPart | ToolPart


@dataclass
class Turn:
    """A question and its answer, in the order the answer arrived."""

    question: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    parts: list[Part] = field(default_factory=list)
    status: TurnStatus = "streaming"
    error: str | None = None
    error_status: int | None = None
    suggestions: list[str] = field(default_factory=list)

    @property
    def answer_text(self) -> str:
        """The answer's prose, as the endpoint gets it back in the next turn's history."""
        return "".join(p.text for p in self.parts if isinstance(p, TextPart)).strip()

    @property
    def tools(self) -> list[ToolPart]:
        return [p for p in self.parts if isinstance(p, ToolPart)]


def genie_question(args: dict[str, Any]) -> str | None:
    """The natural-language question a supervisor passed to a sub-agent (`genie_query`, else `query`)."""
    for key in ("genie_query", "query", "question"):
        value = args.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _open_tool(turn: Turn, call_id: str | None, *, name: str) -> ToolPart | None:
    running = [p for p in turn.tools if p.state == "running"]
    for part in running:
        if call_id is not None and part.call_id == call_id:
            return part
    # Outputs without a call id (or with one we never saw) answer the oldest running call of that name.
    return next((p for p in running if p.name == name), None)


def apply_event(turn: Turn, event: Event, *, parse: Any) -> Part | None:
    """Fold one event into the turn; return the part it created or changed (None if none).

    `parse` turns a tool output into a `ToolResult` (injected so this module stays pure and cheap
    to import). Tool outputs are parsed exactly once, here.
    """
    if isinstance(event, TextDelta):
        if not event.delta:
            return None
        last = turn.parts[-1] if turn.parts else None
        if not isinstance(last, TextPart):
            last = TextPart()
            turn.parts.append(last)
        last.text += event.delta
        return last
    if isinstance(event, ToolCall):
        part = ToolPart(name=event.name, call_id=event.call_id, question=genie_question(event.args))
        turn.parts.append(part)
        return part
    if isinstance(event, ToolOutput):
        return _close_tool(turn, event, parse=parse)
    if isinstance(event, ErrorEvent):
        fail(turn, message=event.message, status=event.status)
        return None
    return None


def _close_tool(turn: Turn, event: ToolOutput, *, parse: Any) -> ToolPart:
    part = _open_tool(turn, event.call_id, name=event.name)
    if part is None:
        # An output whose call never streamed (MAS builds that skip function_call items).
        part = ToolPart(name=event.name, call_id=event.call_id, question=None)
        turn.parts.append(part)
    part.elapsed = time.monotonic() - part.started
    part.result = parse(event.output)
    part.state = "error" if part.result is not None and part.result.is_error else "complete"
    return part


def fail(turn: Turn, *, message: str, status: int | None = None) -> None:
    """Mark the turn failed; running tool calls end in error, what arrived is kept."""
    turn.status = "error"
    turn.error = message
    turn.error_status = status
    _end_running(turn, state="error")


def stop(turn: Turn) -> None:
    """Mark an interrupted turn stopped, keeping its text and results."""
    if turn.status == "streaming":
        turn.status = "stopped"
    _end_running(turn, state="stopped")


def finish(turn: Turn) -> None:
    """Mark a turn whose stream ended cleanly complete (unless an error event already failed it)."""
    if turn.status == "streaming":
        turn.status = "complete"
    # A call whose output never came before the stream ended cleanly: nothing to show, nothing failed.
    _end_running(turn, state="complete")


def _end_running(turn: Turn, *, state: ToolState) -> None:
    now = time.monotonic()
    for part in turn.tools:
        if part.state == "running":
            part.state = state
            part.elapsed = now - part.started


def to_messages(turns: list[Turn], question: str) -> list[ChatMessage]:
    """The whole conversation for the endpoint: earlier questions and answers, then the new question.

    Texts longer than the API's limit are cut, and the oldest turns are dropped when the history
    has more messages than a request may carry (the MAS keeps no state, so this is all it sees).
    """
    messages: list[ChatMessage] = []
    for turn in turns:
        messages.append(ChatMessage(role="user", content=turn.question[:MAX_CONTENT_CHARS]))
        if turn.answer_text:
            messages.append(ChatMessage(role="assistant", content=turn.answer_text[:MAX_CONTENT_CHARS]))
    messages.append(ChatMessage(role="user", content=question[:MAX_CONTENT_CHARS]))
    messages = messages[-MAX_MESSAGES:]
    while messages[0].role != "user":
        messages.pop(0)
    return messages
