"""The wire normaliser: one push-style state machine from wire dicts to typed `mas` events.

It reads ResponsesAgent events (what a MAS speaks), ChatAgent chunks and OpenAI chat-completion
chunks, telling them apart from each payload's shape, tolerantly: unknown types and fields are
logged at debug and passed over. It does no I/O and no SSE or JSON parsing (see `mas.sse` and
`mas.decode`); the wire facts it follows are in docs `shared/notes/wire-format.md` §2–3.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from mas.events import Done, ErrorEvent, Event, ToolCall, ToolOutput
from mas.textflow import TextFlow

log = logging.getLogger(__name__)

_NOTED_TYPES = frozenset(
    {
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.content_part.done",
        "response.output_text.done",
        "response.output_text.annotation.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_part.done",
    }
)
_COMPLETED = frozenset({"response.completed", "responses.completed"})
_ERRORS = frozenset({"error", "response.error", "response.failed"})


def parse_arguments(raw: Any) -> dict[str, Any]:
    """A call's arguments as a dict: JSON-string objects parsed, empty → {}, else {"raw": …}."""
    if isinstance(raw, dict):
        return raw
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    if isinstance(raw, str):
        try:
            parsed = json.loads(raw)
        except (ValueError, RecursionError):
            log.debug("tool-call arguments are not JSON: %.200r", raw)
            return {"raw": raw}
        return parsed if isinstance(parsed, dict) else {"raw": parsed}
    return {"raw": raw}


def output_text(raw: Any) -> str:
    """A tool output as text: strings as they are, JSON values re-serialised, None → ""."""
    if isinstance(raw, str):
        return raw
    if raw is None:
        return ""
    return json.dumps(raw, ensure_ascii=False)


def error_event(obj: dict[str, Any], *, default_code: str) -> ErrorEvent:
    """An `ErrorEvent` from any of the wire's error shapes (flat, nested `error`, `response.error`)."""
    nested = obj.get("error")
    if isinstance(nested, str) and nested:
        return ErrorEvent(
            message=nested, code=_text(obj.get("error_code") or obj.get("code")) or default_code
        )
    source = nested if isinstance(nested, dict) else obj
    message = _text(source.get("message")) or _text(source.get("detail"))
    code = _text(source.get("code") or source.get("error_code") or source.get("type")) or default_code
    if code in _ERRORS:
        code = default_code
    return ErrorEvent(
        message=message or f"The endpoint reported an error ({code}) without a message.", code=code
    )


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _message_text(item: dict[str, Any]) -> str:
    """The text of a `message` item: its `output_text` parts joined (or a plain string content)."""
    content = item.get("content")
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    parts = [part.get("text") for part in content if isinstance(part, dict)]
    return "".join(part for part in parts if isinstance(part, str))


class _PartialCall:
    """A chat-completion tool call whose arguments stream in pieces, keyed by `index`."""

    __slots__ = ("arguments", "call_id", "name")

    def __init__(self) -> None:
        self.call_id: str | None = None
        self.name: str | None = None
        self.arguments: list[str] = []


class Normalizer:
    """Wire dicts in (`feed`), typed events out; `terminated` once a terminal event was emitted.

    Exactly one terminal event comes out of `feed`, `feed_done` or `finish`; after it every
    input is ignored.
    """

    def __init__(self) -> None:
        self.terminated = False
        self.fed = 0
        self._text = TextFlow()
        self._call_names: dict[str, str] = {}
        self._emitted_calls: set[str] = set()
        self._partial: dict[int, _PartialCall] = {}
        self._unparsed: str | None = None
        self._typed: dict[str, Callable[[dict[str, Any]], list[Event]]] = {
            "response.output_item.done": self._on_item_done,
            "function_call": self._on_item,
            "function_call_output": self._on_item,
            "message": self._on_item,
        }

    def feed(self, wire: dict[str, Any]) -> list[Event]:
        """One wire event (a decoded `data:` JSON object)."""
        if self.terminated:
            return []
        self.fed += 1
        kind = wire.get("type")
        if kind == "response.output_text.delta":
            # The hot path, inlined: most events of a stream are text deltas.
            delta = wire.get("delta")
            if not isinstance(delta, str) or not delta:
                return []
            item_id = wire.get("item_id")
            return self._text.delta(item_id if isinstance(item_id, str) else "", delta)
        if isinstance(kind, str):
            handler = self._typed.get(kind)
            if handler is not None:
                return handler(wire)
            return self._on_other_type(kind, wire)
        return self._on_untyped(wire)

    def feed_done(self) -> list[Event]:
        """The stream's `data: [DONE]` line."""
        return self._terminate(Done()) if not self.terminated else []

    def note_unparsed(self, data: str) -> None:
        """A `data:` payload that is not a JSON object: skipped, but remembered for `finish`."""
        log.debug("skipped a data payload that is not a JSON object: %.200r", data)
        if self._unparsed is None:
            self._unparsed = data

    def finish(self, *, truncated: bool) -> list[Event]:
        """End of the stream; `truncated` when it ended inside a line."""
        if self.terminated:
            return []
        if truncated:
            return self._terminate(
                ErrorEvent(
                    message="The answer was cut off: the connection closed in the middle of a message.",
                    code="stream_cut",
                )
            )
        if self.fed == 0 and self._unparsed is not None:
            return self._terminate(
                ErrorEvent(
                    message=f"The endpoint sent data that is not JSON: {self._unparsed[:200]!r}",
                    code="not_json",
                )
            )
        if self.fed == 0:
            return self._terminate(
                ErrorEvent(message="The endpoint's answer was empty: it sent no events.", code="empty_stream")
            )
        return self._terminate(Done())

    def _terminate(self, event: Event) -> list[Event]:
        out: list[Event] = [*self._text.settle(), *self._flush_partial_calls()]
        out.append(event)
        self.terminated = True
        return out

    def _on_item_done(self, wire: dict[str, Any]) -> list[Event]:
        item = wire.get("item")
        if not isinstance(item, dict):
            log.debug("output_item.done without an item object: %.200r", wire)
            return []
        return self._on_item(item)

    def _on_item(self, item: dict[str, Any]) -> list[Event]:
        kind = item.get("type")
        if kind == "message":
            item_id = item.get("id")
            return self._text.done(item_id if isinstance(item_id, str) else None, _message_text(item))
        if kind == "function_call":
            return self._tool_call(
                name=item.get("name"),
                arguments=item.get("arguments"),
                call_id=item.get("call_id") or item.get("id"),
            )
        if kind == "function_call_output":
            return self._tool_output(
                call_id=item.get("call_id"), output=item.get("output"), name=item.get("name")
            )
        if kind == "mcp_approval_request":
            # The MAS pauses for an approval this client cannot give (mas-output.md §1); say so
            # rather than end on silence.
            log.debug("mcp_approval_request: %.200r", item)
            name = _text(item.get("name")) or "a tool"
            note = f"The agent asked for approval to use {name}; this app cannot approve tools."
            return self._text.done(f"mcp_approval_request:{item.get('id')}", note)
        log.debug("passed over an output item of type %r", kind)
        return []

    def _tool_call(self, *, name: Any, arguments: Any, call_id: Any) -> list[Event]:
        call_key = call_id if isinstance(call_id, str) and call_id else None
        if call_key is not None and call_key in self._emitted_calls:
            log.debug("passed over a repeated function_call %s", call_key)
            return []
        tool = _text(name) or "unknown"
        if call_key is not None:
            self._emitted_calls.add(call_key)
            self._call_names[call_key] = tool
        out = self._text.settle()
        out.append(
            ToolCall(name=tool, args=parse_arguments(arguments), call_id=call_key, agent=self._text.agent)
        )
        return out

    def _tool_output(self, *, call_id: Any, output: Any, name: Any) -> list[Event]:
        call_key = call_id if isinstance(call_id, str) and call_id else None
        # The output item carries no name on the ResponsesAgent wire: join it to its call.
        tool = (self._call_names.get(call_key) if call_key else None) or _text(name) or "unknown"
        out = self._text.settle()
        out.append(ToolOutput(name=tool, output=output_text(output), call_id=call_key))
        return out

    def _on_other_type(self, kind: str, wire: dict[str, Any]) -> list[Event]:
        if kind in _COMPLETED:
            return self._terminate(Done())
        if kind in _ERRORS:
            nested = wire.get("response")
            source = nested if kind == "response.failed" and isinstance(nested, dict) else wire
            return self._terminate(error_event(source, default_code="upstream_error"))
        if kind in _NOTED_TYPES:
            log.debug("passed over %s", kind)
        else:
            log.debug("passed over an unknown event type %r", kind)
        return []

    def _on_untyped(self, wire: dict[str, Any]) -> list[Event]:
        if wire.get("error"):
            return self._terminate(error_event(wire, default_code="upstream_error"))
        if "error_code" in wire and "message" in wire:
            # A Databricks error body as the "event": Agent Bricks config errors arrive like
            # this even on a `stream: true` request (mas-output.md §3).
            return self._terminate(error_event(wire, default_code="upstream_error"))
        choices = wire.get("choices")
        if isinstance(choices, list):
            return self._on_chat_completion(choices)
        delta = wire.get("delta")
        if isinstance(delta, dict):
            return self._on_chat_agent(delta)
        log.debug("passed over an untyped chunk with keys %s", sorted(wire)[:10])
        return []

    def _on_chat_completion(self, choices: list[Any]) -> list[Event]:
        choice = choices[0] if choices else None
        if not isinstance(choice, dict):
            return []
        delta = choice.get("delta")
        if not isinstance(delta, dict):
            delta = choice.get("message")
        out: list[Event] = []
        if isinstance(delta, dict):
            content = delta.get("content")
            if isinstance(content, str) and content:
                out.extend(self._text.delta("chat.completion", content))
            calls = delta.get("tool_calls")
            if isinstance(calls, list):
                out.extend(self._collect_partial_calls(calls))
        if choice.get("finish_reason"):
            out.extend(self._flush_partial_calls())
        return out

    def _collect_partial_calls(self, calls: list[Any]) -> list[Event]:
        """OpenAI streams a call's arguments in pieces under one `index`; a new index ends the last."""
        out: list[Event] = []
        for position, call in enumerate(calls):
            if not isinstance(call, dict):
                continue
            index = call.get("index")
            index = index if isinstance(index, int) else position
            if index not in self._partial:
                out.extend(self._flush_partial_calls())
                self._partial[index] = _PartialCall()
            partial = self._partial[index]
            partial.call_id = _text(call.get("id")) or partial.call_id
            function = call.get("function")
            if isinstance(function, dict):
                partial.name = _text(function.get("name")) or partial.name
                arguments = function.get("arguments")
                if isinstance(arguments, str):
                    partial.arguments.append(arguments)
                elif arguments is not None:
                    partial.arguments.append(json.dumps(arguments))
        return out

    def _flush_partial_calls(self) -> list[Event]:
        out: list[Event] = []
        for index in sorted(self._partial):
            partial = self._partial[index]
            out.extend(
                self._tool_call(
                    name=partial.name, arguments="".join(partial.arguments), call_id=partial.call_id
                )
            )
        self._partial.clear()
        return out

    def _on_chat_agent(self, delta: dict[str, Any]) -> list[Event]:
        role = delta.get("role")
        content = delta.get("content")
        if role in ("user", "system"):
            return []
        if role == "tool":
            return self._tool_output(
                call_id=delta.get("tool_call_id"), output=content, name=delta.get("name")
            )
        out: list[Event] = []
        if isinstance(content, str) and content:
            message_id = delta.get("id")
            out.extend(self._text.delta(f"chat.agent:{message_id}", content))
        calls = delta.get("tool_calls")
        if isinstance(calls, list):
            for call in calls:
                function = call.get("function") if isinstance(call, dict) else None
                if isinstance(function, dict):
                    out.extend(
                        self._tool_call(
                            name=function.get("name"),
                            arguments=function.get("arguments"),
                            call_id=call.get("id"),
                        )
                    )
        return out
