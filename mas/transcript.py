"""The record of a conversation: one `Turn` per question, its answer as ordered text and tool parts.

What arrived is kept and nothing derived: each tool part holds its call id, agent, the question
the supervisor asked, the raw tool output and the `ToolResult` parsed from it once, its timings,
state and the chart the user picked. The UI, the API, the CLI and the store all fold events into
this one model; `to_dict`/`from_dict` give its versioned JSON form. No Streamlit, no render caches.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from mas.errors import TranscriptError
from mas.results.toolresult import ToolResult, parse_tool_output
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

TurnStatus = Literal["streaming", "complete", "stopped", "error", "interrupted"]
ToolState = Literal["running", "complete", "error", "stopped"]
SCHEMA_VERSION = 1
"""The version of `Turn.to_dict`'s JSON form; `from_dict` refuses a newer one."""


def _new_id() -> str:
    return uuid.uuid4().hex[:12]


@dataclass
class TextPart:
    """A run of answer text between tool calls."""

    text: str = ""
    agent: str | None = None
    """The agent speaking, when the stream named it (`<name>…</name>` markers)."""
    citations: list[tuple[str | None, str | None]] = field(default_factory=list)
    """The documents this text cites, as (title, url) in the order they came (see `mas.citations`)."""


@dataclass
class ToolPart:
    """One sub-agent call: what was asked, how it went, what came back."""

    name: str
    call_id: str | None
    question: str | None
    id: str = field(default_factory=_new_id)
    args: dict[str, Any] = field(default_factory=dict)
    agent: str | None = None
    started_at: float = field(default_factory=time.time)
    state: ToolState = "running"
    elapsed: float | None = None
    output: str | None = None
    """The tool output exactly as it arrived (what `result` was parsed from)."""
    result: ToolResult | None = None
    chart_kind: str | None = None
    """The chart shown: the rules' first choice once drawn, then the user's pick."""
    sql: str | None = None
    """The SQL behind the result: from the output itself, else from provenance (a trace)."""
    sql_from: Literal["output", "trace"] | None = None
    description: str | None = None
    """What the sub-agent said its query does (output or trace)."""
    rows_returned: int | None = None
    """Rows the query returned, as the trace recorded them."""
    duration: float | None = None
    """Seconds the call took as the trace recorded it (`elapsed` is what this client saw)."""
    trace_span_id: str | None = None
    """The trace span the provenance came from (its raw tool name is `name`)."""
    approval: Literal["pending", "approved", "denied"] | None = None
    """Set for a tool the agent asked leave to run (`mcp_approval_request`; `call_id` is its id)."""
    server: str | None = None
    """The MCP server (UC connection) of an approval request."""

    def __post_init__(self) -> None:
        if self.result is None and self.output is not None:
            self.result = parse_tool_output(self.output)
        if self.sql is None and self.result is not None and self.result.sql is not None:
            self.sql, self.sql_from = self.result.sql, "output"


Part = TextPart | ToolPart
Rating = Literal["up", "down"]
FeedbackState = Literal["sending", "sent", "local", "failed"]


@dataclass
class Feedback:
    """A thumbs up or down on an answer, its optional reason and comment, and where it was recorded."""

    rating: Rating
    reason: str | None = None
    comment: str | None = None
    state: FeedbackState = "local"
    """"sent" once the MLflow trace holds it; "local" when the answer has no trace to send it to."""
    assessment_id: str | None = None
    """The MLflow assessment that holds the vote (a changed vote updates it)."""
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"rating": self.rating, "reason": self.reason, "comment": self.comment, "state": self.state,
                "assessment_id": self.assessment_id, "error": self.error}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Feedback:
        rating = data.get("rating")
        if rating not in ("up", "down"):
            raise TranscriptError(f"A saved vote has an unknown rating {rating!r}.")
        saved = data.get("state")
        state: FeedbackState = saved if saved in ("sending", "sent", "local", "failed") else "local"
        return cls(rating=rating, reason=data.get("reason"), comment=data.get("comment"), state=state,
                   assessment_id=data.get("assessment_id"), error=data.get("error"))  # fmt: skip


@dataclass
class Turn:
    """A question and its answer, in the order the answer arrived."""

    question: str
    id: str = field(default_factory=_new_id)
    parts: list[Part] = field(default_factory=list)
    status: TurnStatus = "streaming"
    error: str | None = None
    error_status: int | None = None
    suggestions: list[str] = field(default_factory=list)
    started_at: float = field(default_factory=time.time)
    ended_at: float | None = None
    trace_id: str | None = None
    feedback: Feedback | None = None
    """The user's vote on this answer, and where it went."""

    @property
    def answer_text(self) -> str:
        """The answer's prose, as the endpoint gets it back in the next turn's history."""
        return "".join(p.text for p in self.parts if isinstance(p, TextPart)).strip()

    @property
    def tools(self) -> list[ToolPart]:
        return [p for p in self.parts if isinstance(p, ToolPart)]

    def to_dict(self) -> dict[str, Any]:
        """The turn as plain JSON-able data, versioned; `ToolResult`s are rebuilt from raw outputs."""
        return {
            "version": SCHEMA_VERSION,
            "id": self.id,
            "question": self.question,
            "status": self.status,
            "error": self.error,
            "error_status": self.error_status,
            "suggestions": list(self.suggestions),
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "trace_id": self.trace_id,
            "feedback": None if self.feedback is None else self.feedback.to_dict(),
            "parts": [_part_dict(p) for p in self.parts],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Turn:
        """Read `to_dict`'s form back; raises `TranscriptError` for a newer version or a broken record."""
        version = data.get("version")
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise TranscriptError(
                f"This conversation was saved by a newer version of the app (format {version!r}); "
                f"this one reads up to {SCHEMA_VERSION}."
            )
        try:
            return cls(
                question=str(data["question"]),
                id=str(data["id"]),
                parts=[_part_from(p) for p in data.get("parts", [])],
                status=data.get("status", "complete"),
                error=data.get("error"),
                error_status=data.get("error_status"),
                suggestions=list(data.get("suggestions", [])),
                started_at=float(data.get("started_at") or 0.0),
                ended_at=data.get("ended_at"),
                trace_id=data.get("trace_id"),
                feedback=Feedback.from_dict(data["feedback"]) if data.get("feedback") else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise TranscriptError(f"A saved turn could not be read: {exc}.") from exc


_TOOL_FIELDS = ("name", "call_id", "question", "id", "args", "agent", "started_at", "state", "elapsed",
                "output", "chart_kind", "sql", "sql_from", "description", "rows_returned", "duration",
                "trace_span_id", "approval", "server")  # fmt: skip


def _part_dict(part: Part) -> dict[str, Any]:
    if isinstance(part, TextPart):
        cited = [list(c) for c in part.citations]
        extra = {"citations": cited} if cited else {}
        return {"kind": "text", "text": part.text, "agent": part.agent, **extra}
    return {"kind": "tool", **{name: getattr(part, name) for name in _TOOL_FIELDS}}


def _part_from(data: dict[str, Any]) -> Part:
    if data.get("kind") == "text":
        saved = data.get("citations", [])
        cited = [(c[0], c[1]) for c in saved if isinstance(c, list | tuple) and len(c) == 2]
        return TextPart(text=str(data.get("text", "")), agent=data.get("agent"), citations=cited)
    if data.get("kind") != "tool":
        raise TranscriptError(f"A saved part has an unknown kind {data.get('kind')!r}.")
    return ToolPart(**{name: data[name] for name in _TOOL_FIELDS if name in data})


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
