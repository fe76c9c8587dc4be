"""The record of a conversation: one `Turn` per question, its answer as ordered text and tool parts.

What arrived is kept and nothing derived: each tool part holds its call id, agent, the question
the supervisor asked, the raw tool output and the `ToolResult` parsed from it once, its timings,
state and the chart the user picked. `to_dict`/`from_dict` give its versioned JSON form. Folding
events into it is `mas.transcript.fold`; no Streamlit, no render caches.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from mas.errors import TranscriptError
from mas.results.toolresult import ToolResult, parse_tool_output

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
