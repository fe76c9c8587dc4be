"""Folding a stream's typed events into a `Turn`, and the history a turn gives the next request.

`apply_event` creates or extends the turn's parts as each event arrives (tool outputs parsed
exactly once, traces attached to their calls, citations to their text); `fail`/`stop`/`finish`
end a turn keeping what arrived; `to_messages` is the conversation for the endpoint. Pure: no I/O.
"""

from __future__ import annotations

import time
from typing import Any

from mas.results.toolresult import parse_tool_output
from mas.transcript.model import Part, TextPart, ToolPart, ToolState, Turn
from mas.wire.events import (
    Citation,
    ErrorEvent,
    Event,
    TextDelta,
    ToolApproval,
    ToolCall,
    ToolOutput,
    TraceEvent,
)
from mas.wire.messages import MAX_CONTENT_CHARS, MAX_MESSAGES, ChatMessage


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


def apply_event(turn: Turn, event: Event) -> Part | None:
    """Fold one event into the turn; return the part it created or changed (None if none).

    Tool outputs are parsed exactly once, here.
    """
    if isinstance(event, TextDelta):
        if not event.delta:
            return None
        last = turn.parts[-1] if turn.parts else None
        if not isinstance(last, TextPart) or (event.agent is not None and last.agent != event.agent):
            last = TextPart(agent=event.agent)
            turn.parts.append(last)
        last.text += event.delta
        return last
    if isinstance(event, ToolCall):
        part = ToolPart(name=event.name, call_id=event.call_id, question=genie_question(event.args),
                        args=dict(event.args), agent=event.agent)  # fmt: skip
        turn.parts.append(part)
        return part
    if isinstance(event, ToolOutput):
        return _close_tool(turn, event)
    if isinstance(event, TraceEvent):
        attach_trace(turn, event)
        return None
    if isinstance(event, Citation):
        return _cite(turn, event)
    if isinstance(event, ToolApproval):
        part = ToolPart(name=event.name, call_id=event.id, question=None, args=dict(event.args),
                        server=event.server, approval="pending", state="complete", elapsed=0.0)  # fmt: skip
        turn.parts.append(part)
        return part
    if isinstance(event, ErrorEvent):
        fail(turn, message=event.message, status=event.status)
        return None
    return None


def citations(turn: Turn) -> list[tuple[str | None, str | None]]:
    """Every citation of the answer, in order."""
    return [c for p in turn.parts if isinstance(p, TextPart) for c in p.citations]


def _cite(turn: Turn, event: Citation) -> TextPart | None:
    """Keep a citation on the text it follows; the same document streamed and then on `.done` counts once."""
    cited = (event.title, event.url)
    if cited in citations(turn):
        return None
    texts = [p for p in turn.parts if isinstance(p, TextPart)]
    part = texts[-1] if texts else None
    if part is None:
        part = TextPart()
        turn.parts.append(part)
    part.citations.append(cited)
    return part


def _same_tool(span_name: str, tool_name: str) -> bool:
    # Some builds spell the space id with underscores (mas-output.md §1, source B).
    return span_name.replace("_", "-").lower() == tool_name.replace("_", "-").lower()


def attach_trace(turn: Turn, event: TraceEvent) -> list[ToolPart]:
    """Keep the trace id and give each Genie call's SQL, description, rows and time to its tool part.

    A span matches the first part of the same tool (same space) that has no span yet, so several
    calls to one space pair up in order; a span already attached is not attached again. SQL the
    output itself carried stays. Returns the parts that changed.
    """
    if event.trace_id:
        turn.trace_id = event.trace_id
    changed: list[ToolPart] = []
    taken = {p.trace_span_id for p in turn.tools if p.trace_span_id is not None}
    for call in event.calls:
        if call.span_id is not None and call.span_id in taken:
            continue
        free = (p for p in turn.tools if p.trace_span_id is None and _same_tool(call.name, p.name))
        part = next(free, None)
        if part is None:
            continue
        part.trace_span_id = call.span_id or f"span-{len(taken)}"
        taken.add(part.trace_span_id)
        if part.sql is None and call.sql:
            part.sql, part.sql_from = call.sql, "trace"
        part.description = part.description or call.description
        part.rows_returned = call.rows if call.rows is not None else part.rows_returned
        part.duration = call.duration
        if part.question is None:
            part.question = call.question
        changed.append(part)
    return changed


def _close_tool(turn: Turn, event: ToolOutput) -> ToolPart:
    part = _open_tool(turn, event.call_id, name=event.name)
    if part is None:
        # An output whose call never streamed (MAS builds that skip function_call items).
        part = ToolPart(name=event.name, call_id=event.call_id, question=None)
        turn.parts.append(part)
    part.elapsed = time.time() - part.started_at
    part.output = event.output
    part.result = parse_tool_output(event.output)
    if part.result.sql is not None:
        part.sql, part.sql_from = part.result.sql, "output"
    part.state = "error" if part.result.is_error else "complete"
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
    now = time.time()
    turn.ended_at = now
    for part in turn.tools:
        if part.state == "running":
            part.state = state
            part.elapsed = now - part.started_at


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
