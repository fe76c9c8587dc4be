"""The emulator's OpenAI Responses stream: a responder's loose events re-emitted as the full protocol.

A `Responder` yields ResponsesAgent events the way a MAS may send them (bare deltas, items
only in `output_item.done`, its own `response.created`/`completed` or none). `StrictResponses`
turns them into what openai-python's typed stream and its `responses.stream()` accumulator
require: one `response.created`, `output_item.added` before each item, `content_part.added`
before text deltas, `logprobs` and indexes on every text event, the `.done` events, and every
item again in `response.completed.response.output`. It knows no HTTP (`mas.demo.handler`).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# Regenerated here, so the responder's own copies are dropped.
_LIFECYCLE = frozenset(
    {
        "response.created",
        "response.in_progress",
        "response.completed",
        "responses.completed",
        "response.output_item.added",
        "response.content_part.added",
        "response.content_part.done",
        "response.output_text.done",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
    }
)
_ERRORS = frozenset({"error", "response.error", "response.failed"})
_ITEM_TYPES = frozenset({"message", "function_call", "function_call_output", "mcp_approval_request"})


def _text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


@dataclass
class _OpenMessage:
    index: int
    item_id: str
    parts: list[str] = field(default_factory=list)


class StrictResponses:
    """One response's events in the full Responses protocol, for the endpoint `model`."""

    def __init__(self, *, model: str) -> None:
        self.model = model
        self.response_id = f"resp_{uuid.uuid4().hex[:24]}"
        self.created_at = int(time.time())
        self._sequence = 0
        self._output: dict[int, dict[str, Any]] = {}
        self._indexes = 0
        self._open: dict[str, _OpenMessage] = {}
        self._message_ids: set[str] = set()
        self._usage: dict[str, Any] | None = None

    def render(self, events: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """The whole stream; an error event (or the responder's failure) ends it without `completed`."""
        yield self._event("response.created", response=self._response("in_progress"))
        for wire in events:
            kind = wire.get("type")
            if kind in _ERRORS or (kind is None and wire.get("error")):
                yield self._error(wire)
                return
            if kind == "response.output_text.delta":
                yield from self._delta(wire)
            elif kind == "response.output_item.done" and isinstance(wire.get("item"), dict):
                yield from self._item(wire["item"])
            elif kind in _ITEM_TYPES:
                yield from self._item(wire)
            elif kind in ("response.completed", "responses.completed"):
                usage = (wire.get("response") or {}).get("usage")
                self._usage = usage if isinstance(usage, dict) else self._usage
            # Other lifecycle events are regenerated; untyped chunks (`trace_id`) are not Responses events.
        for wire_id in list(self._open):
            yield from self._close(wire_id, None)
        yield self._event("response.completed", response=self._response("completed"))

    def _event(self, kind: str, **fields: Any) -> dict[str, Any]:
        event = {"type": kind, "sequence_number": self._sequence, **fields}
        self._sequence += 1
        return event

    def _response(self, status: str) -> dict[str, Any]:
        done = status == "completed"
        output = [self._output[index] for index in sorted(self._output)] if done else []
        return {
            "id": self.response_id, "object": "response", "created_at": self.created_at, "model": self.model,
            "status": status, "output": output, "parallel_tool_calls": False,
            "tool_choice": "auto", "tools": [], "error": None, "incomplete_details": None,
            "instructions": None, "metadata": {}, "temperature": None, "top_p": None,
            "usage": self._usage_fields() if done else None,
        }  # fmt: skip

    def _usage_fields(self) -> dict[str, Any]:
        given = self._usage or {}
        inputs, outputs = int(given.get("input_tokens") or 0), int(given.get("output_tokens") or 0)
        return {"input_tokens": inputs, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
                "output_tokens": outputs, "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": inputs + outputs}  # fmt: skip

    def _error(self, wire: dict[str, Any]) -> dict[str, Any]:
        nested = wire.get("error")
        source = nested if isinstance(nested, dict) else wire
        flat = nested if isinstance(nested, str) else None
        message = source.get("message") or flat or "The agent failed."
        code = source.get("code") or source.get("error_code") or "server_error"
        return self._event("error", code=str(code), message=str(message), param=None)

    def _unique_message_id(self, wire_id: str) -> str:
        # openai-python's accumulator refuses two output items with one identity; a producer that
        # reuses an item id (MLflow chunk ids, real-producers.md) gets a suffix here.
        item_id, count = wire_id or f"msg_{uuid.uuid4().hex[:24]}", 1
        while item_id in self._message_ids:
            count += 1
            item_id = f"{wire_id}_{count}"
        self._message_ids.add(item_id)
        return item_id

    def _open_message(self, wire_id: str) -> Iterator[dict[str, Any]]:
        message = _OpenMessage(index=self._next_index(), item_id=self._unique_message_id(wire_id))
        self._open[wire_id] = message
        added = {"type": "message", "id": message.item_id, "role": "assistant", "status": "in_progress",
                 "content": []}  # fmt: skip
        yield self._event("response.output_item.added", output_index=message.index, item=added)
        yield self._event("response.content_part.added", item_id=message.item_id, output_index=message.index,
                          content_index=0, part=_text_part(""))  # fmt: skip

    def _delta(self, wire: dict[str, Any]) -> Iterator[dict[str, Any]]:
        delta = wire.get("delta")
        if not isinstance(delta, str) or not delta:
            return
        wire_id = str(wire.get("item_id") or "")
        if wire_id not in self._open:
            yield from self._open_message(wire_id)
        message = self._open[wire_id]
        message.parts.append(delta)
        yield self._event("response.output_text.delta", item_id=message.item_id, output_index=message.index,
                          content_index=0, delta=delta, logprobs=[])  # fmt: skip

    def _close(self, wire_id: str, text: str | None) -> Iterator[dict[str, Any]]:
        message = self._open.pop(wire_id)
        final = "".join(message.parts) if text is None else text
        where = {"item_id": message.item_id, "output_index": message.index, "content_index": 0}
        yield self._event("response.output_text.done", **where, text=final, logprobs=[])
        yield self._event("response.content_part.done", **where, part=_text_part(final))
        item = {"type": "message", "id": message.item_id, "role": "assistant", "status": "completed",
                "content": [_text_part(final)]}  # fmt: skip
        yield from self._finish(item, index=message.index)

    def _next_index(self) -> int:
        self._indexes += 1
        return self._indexes - 1

    def _finish(self, item: dict[str, Any], *, index: int) -> Iterator[dict[str, Any]]:
        self._output[index] = item
        yield self._event("response.output_item.done", output_index=index, item=item)

    def _item(self, item: dict[str, Any]) -> Iterator[dict[str, Any]]:
        kind = item.get("type")
        if kind == "message":
            wire_id = str(item.get("id") or "")
            text = "".join(
                part.get("text", "") for part in item.get("content") or [] if isinstance(part, dict)
            ) if not isinstance(item.get("content"), str) else item["content"]  # fmt: skip
            if wire_id not in self._open:
                yield from self._open_message(wire_id)  # a message sent only whole (the MAS quirk)
            yield from self._close(wire_id, text)
            return
        index = self._next_index()
        if kind == "function_call":
            done = {"type": "function_call", "id": item.get("id") or f"fc_{uuid.uuid4().hex[:24]}",
                    "call_id": item.get("call_id") or "", "name": item.get("name") or "",
                    "arguments": _text(item.get("arguments")), "status": "completed"}  # fmt: skip
            yield self._event("response.output_item.added", output_index=index,
                              item={**done, "arguments": "", "status": "in_progress"})  # fmt: skip
            where = {"item_id": done["id"], "output_index": index}
            yield self._event("response.function_call_arguments.delta", **where, delta=done["arguments"])
            yield self._event("response.function_call_arguments.done", **where, arguments=done["arguments"],
                              name=done["name"])  # fmt: skip
        elif kind == "function_call_output":
            done = {"type": "function_call_output", "id": item.get("id") or f"fco_{uuid.uuid4().hex[:24]}",
                    "call_id": item.get("call_id") or "", "output": _text(item.get("output")),
                    "status": "completed"}  # fmt: skip
            yield self._event("response.output_item.added", output_index=index,
                              item={**done, "status": "in_progress"})  # fmt: skip
        else:
            done = dict(item)
            yield self._event("response.output_item.added", output_index=index, item=done)
        yield from self._finish(done, index=index)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return "" if value is None else json.dumps(value)
