"""The embedded demo's Multi-Agent Supervisor: answers revenue questions as MAS wire events.

`DemoSupervisor.respond(input_items)` yields ResponsesAgent event dicts the way a Databricks
MAS does (shared/notes/mas-output.md): narration streamed as deltas, a `function_call` to the
`agent-revenue-genie` sub-agent, its `function_call_output` with the SQL and the table, and
the answer, sometimes streamed and sometimes only as `output_item.done`, with an occasional
`<name>…</name>` marker. The variations are chosen per question, deterministically. It does no
HTTP (see `mas.demo.server`) and no SSE framing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mas.demo.answer import answer_text, capabilities_text
from mas.demo.engine import DemoEngine
from mas.demo.genie_format import Shape, genie_output
from mas.demo.intents import Intent, Refusal, interpret_conversation
from mas.demo.plans import Plan, build_plan
from mas.demo.readings import readings_note
from mas.demo.window import data_window
from mas.errors import DemoDataError

log = logging.getLogger(__name__)

SUPERVISOR_NAME = "supervisor-agent-revenue"
GENIE_TOOL = "agent-revenue-genie"
Marker = Literal["none", "start", "before_answer"]


@dataclass(frozen=True)
class Style:
    """How one answer is shaped on the wire."""

    genie_shape: Shape = "markdown"
    stream_answer: bool = True
    """False: the answer arrives only as `output_item.done`, with no deltas (the MAS quirk)."""
    marker: Marker = "none"


def style_for(question: str) -> Style:
    """The wire shape for a question: varied, but the same every time for the same question."""
    digest = hashlib.sha256(question.strip().lower().encode()).digest()
    markers: tuple[Marker, ...] = ("none", "start", "before_answer")
    return Style(
        genie_shape="json" if digest[0] & 1 else "markdown",
        stream_answer=bool(digest[1] & 1),
        marker=markers[digest[2] % 3],
    )


def user_questions(input_items: Sequence[dict[str, Any]]) -> list[str]:
    """The text of every user turn, in order; content may be a string or a list of parts."""
    questions = []
    for item in input_items:
        if not isinstance(item, dict) or item.get("role") != "user":
            continue
        content = item.get("content")
        if isinstance(content, list):
            content = "".join(
                str(part.get("text", "")) for part in content if isinstance(part, dict)
            )
        if isinstance(content, str) and content.strip():
            questions.append(content.strip())
    return questions


def word_deltas(text: str) -> list[str]:
    """Word-sized pieces that join back to exactly `text`."""
    return re.findall(r"\s*\S+\s*|\s+", text) or [text]


_LEAD_INS = (
    "I'll ask the revenue Genie space: {question}",
    "Let me check the revenue data. Asking Genie: {question}",
    "Looking this up in the revenue Genie space: {question}",
)


def lead_in(plan: Plan) -> str:
    digest = hashlib.sha256(plan.genie_query.encode()).digest()
    return _LEAD_INS[digest[0] % len(_LEAD_INS)].format(question=plan.genie_query)


class DemoSupervisor:
    """The demo's brain; safe to share between threads (the engine opens on first use)."""

    def __init__(self, *, data_dir: Path | None = None, style: Style | None = None) -> None:
        self._data_dir = data_dir
        self._style = style
        self._engine: DemoEngine | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> DemoEngine:
        """The read-only engine, generating the dataset on first use (and again when the month turns)."""
        with self._lock:
            if self._engine is None or self._engine.window != data_window():
                self._engine = DemoEngine(data_dir=self._data_dir)
            return self._engine

    def prepare(self) -> None:
        """Generate the dataset and open the engine now, so the first answer is not the slow one."""
        _ = self.engine

    def plan(self, question: str, *, history: Sequence[str] = ()) -> Plan | None:
        """The plan for `question` after the earlier user turns `history`; None if unmapped."""
        interpretation = interpret_conversation([*history, question])
        return build_plan(interpretation) if isinstance(interpretation, Intent) else None

    def respond(self, input_items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        questions = user_questions(input_items)
        interpretation = interpret_conversation(questions) if questions else None
        style = self._style or style_for(questions[-1] if questions else "")
        wire = _Wire()
        yield wire.created()
        if style.marker == "start":
            yield wire.marker()
        if isinstance(interpretation, Intent):
            note = readings_note(questions[-1])
            yield from self._answer(build_plan(interpretation), style=style, wire=wire, note=note)
        else:
            reason = interpretation.reason if isinstance(interpretation, Refusal) else None
            if style.marker == "before_answer":
                yield wire.marker()
            yield from wire.message(capabilities_text(reason), stream=style.stream_answer)
        yield wire.completed()

    def _answer(self, plan: Plan, *, style: Style, wire: _Wire, note: str = "") -> Iterator[dict[str, Any]]:
        yield from wire.message(lead_in(plan), stream=True)
        call_id = f"call_{uuid.uuid4().hex[:24]}"
        yield from wire.function_call(call_id, json.dumps({"genie_query": plan.genie_query}))
        try:
            result = self.engine.query(plan.sql)
        except DemoDataError as exc:
            log.exception("[DEMO] Genie query failed")
            yield wire.function_call_output(call_id, f"Genie could not run the query: {exc}")
            answer = f"The revenue Genie space could not run the query ({exc}), so I have no figures."
        else:
            yield wire.function_call_output(call_id, genie_output(plan, result, shape=style.genie_shape))
            answer = answer_text(plan, result)
            if note:
                answer += f"\n\n_{note}_"  # how relative periods and the chart asked for were read
        if style.marker == "before_answer":
            yield wire.marker()
        yield from wire.message(answer, stream=style.stream_answer)


class _Wire:
    """Builds one response's events: sequence numbers, output indexes and unique item ids."""

    def __init__(self) -> None:
        self.response_id = f"resp_{uuid.uuid4().hex[:24]}"
        self._sequence = 0
        self._index = 0
        self._words = 0

    def _event(self, kind: str, **fields: Any) -> dict[str, Any]:
        event = {"type": kind, "sequence_number": self._sequence, **fields}
        self._sequence += 1
        return event

    def _next_index(self) -> int:
        self._index += 1
        return self._index - 1

    def created(self) -> dict[str, Any]:
        return self._event("response.created", response={
            "id": self.response_id, "object": "response", "status": "in_progress",
            "model": SUPERVISOR_NAME, "output": []})

    def completed(self) -> dict[str, Any]:
        return self._event("response.completed", response={
            "id": self.response_id, "object": "response", "status": "completed", "model": SUPERVISOR_NAME,
            "output": [],
            "usage": {"input_tokens": 0, "output_tokens": self._words, "total_tokens": self._words}})

    def marker(self) -> dict[str, Any]:
        return self._done(_message_item(f"msg_{uuid.uuid4().hex[:24]}", f"<name>{SUPERVISOR_NAME}</name>"))

    def _done(self, item: dict[str, Any]) -> dict[str, Any]:
        return self._event("response.output_item.done", output_index=self._next_index(), item=item)

    def message(self, text: str, *, stream: bool) -> Iterator[dict[str, Any]]:
        item_id = f"msg_{uuid.uuid4().hex[:24]}"
        pieces = word_deltas(text)
        self._words += len(pieces)
        if stream:
            index = self._index
            yield self._event("response.output_item.added", output_index=index, item={
                "type": "message", "id": item_id, "role": "assistant", "status": "in_progress",
                "content": []})
            for piece in pieces:
                yield self._event("response.output_text.delta", item_id=item_id, output_index=index,
                                  content_index=0, delta=piece)
        yield self._done(_message_item(item_id, text))

    def function_call(self, call_id: str, arguments: str) -> Iterator[dict[str, Any]]:
        item = {"type": "function_call", "id": f"fc_{uuid.uuid4().hex[:24]}", "call_id": call_id,
                "name": GENIE_TOOL, "arguments": arguments, "status": "completed"}
        yield self._event("response.output_item.added", output_index=self._index,
                          item={**item, "arguments": "", "status": "in_progress"})
        yield self._done(item)

    def function_call_output(self, call_id: str, output: str) -> dict[str, Any]:
        return self._done({"type": "function_call_output", "id": f"fco_{uuid.uuid4().hex[:24]}",
                           "call_id": call_id, "output": output})


def _message_item(item_id: str, text: str) -> dict[str, Any]:
    return {"type": "message", "id": item_id, "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": text, "annotations": []}]}


def demo_endpoint_metadata(name: str) -> dict[str, Any]:
    """`GET /api/2.0/serving-endpoints/{name}` for the demo, shaped like a real MAS endpoint (notes §4)."""
    match = re.fullmatch(r"mas-([0-9a-f]{8})-endpoint", name)
    digest = hashlib.sha256(name.encode()).hexdigest()
    prefix = match.group(1) if match else digest[:8]
    tile_id = str(uuid.UUID(prefix + digest[8:32]))
    return {
        "name": name,
        "id": digest[:32],
        "creator": "demo@localhost",
        "creation_timestamp": 1_735_689_600_000,
        "last_updated_timestamp": 1_735_689_600_000,
        "state": {"ready": "READY", "config_update": "NOT_UPDATING"},
        "config": {},
        "task": "agent/v1/responses",
        "description": "Embedded demo: a revenue supervisor with one Genie sub-agent (agent-revenue-genie).",
        "tile_endpoint_metadata": {
            "tile_id": tile_id,
            "tile_model_name": f"mas-base-model-{digest[32:40]}",
            "problem_type": "MULTI_AGENT_SUPERVISOR",
        },
        "route_optimized": False,
        "permission_level": "CAN_QUERY",
    }
