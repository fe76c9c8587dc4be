"""The wire normaliser: one push-style state machine from wire dicts to typed `mas` events.

It reads ResponsesAgent events (what a MAS speaks), ChatAgent chunks and OpenAI chat-completion
chunks, telling them apart from each payload's shape, tolerantly: unknown types and fields are
logged at debug and passed over. It does no I/O and no SSE or JSON parsing (see `mas.wire.sse` and
`mas.wire.decode`); the wire facts it follows are in the notes `wire-format.md` §2 and `mas-output.md` §3.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from mas.wire.events import Done, ErrorEvent, Event
from mas.wire.textflow import TextFlow
from mas.wire.toolcalls import ToolCalls, as_text

log = logging.getLogger(__name__)

_COMPLETED = frozenset({"response.completed", "responses.completed"})
_ERRORS = frozenset({"error", "response.error", "response.failed"})


def error_event(obj: dict[str, Any], *, default_code: str) -> ErrorEvent:
    """An `ErrorEvent` from any of the wire's error shapes (flat, nested `error`, `response.error`)."""
    nested = obj.get("error")
    if isinstance(nested, str) and nested:
        return ErrorEvent(
            message=nested, code=as_text(obj.get("error_code") or obj.get("code")) or default_code
        )
    source = nested if isinstance(nested, dict) else obj
    message = as_text(source.get("message")) or as_text(obj.get("message")) or as_text(source.get("detail"))
    code = as_text(source.get("code") or source.get("error_code") or source.get("type")) or default_code
    if code in _ERRORS:
        code = default_code
    return ErrorEvent(
        message=message or f"The endpoint reported an error ({code}) without a message.", code=code
    )


def _message_text(item: dict[str, Any]) -> str:
    """The text of a `message` item: its `output_text` parts joined (or a plain string content)."""
    content = item.get("content")
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    parts = [part.get("text") for part in content if isinstance(part, dict)]
    return "".join(part for part in parts if isinstance(part, str))


class Normalizer:
    """Wire dicts in (`feed`), typed events out; `terminated` once a terminal event was emitted.

    Exactly one terminal event comes out of `feed`, `feed_done` or `finish`; after it every
    input is ignored.
    """

    def __init__(self) -> None:
        self.terminated = False
        self.fed = 0
        self._completed = False
        self._text = TextFlow()
        self._tools = ToolCalls()
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
        if self._completed:
            return self._after_completed(wire)
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
        if self._completed:
            return self._terminate(Done())
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
        out = self._flush_calls()
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
            name = as_text(item.get("name")) or "a tool"
            note = f"The agent asked for approval to use {name}; this app cannot approve tools."
            return self._text.done(f"mcp_approval_request:{item.get('id')}", note)
        log.debug("passed over an output item of type %r", kind)
        return []

    def _tool_call(self, *, name: Any, arguments: Any, call_id: Any) -> list[Event]:
        out = self._text.settle()
        event = self._tools.call(name=name, arguments=arguments, call_id=call_id, agent=self._text.agent)
        if event is not None:
            out.append(event)
            self._text.interrupt()
        return out

    def _tool_output(self, *, call_id: Any, output: Any, name: Any) -> list[Event]:
        out = self._text.settle()
        out.append(self._tools.output(call_id=call_id, output=output, name=name))
        self._text.interrupt()
        return out

    def _flush_calls(self) -> list[Event]:
        out = self._text.settle()
        calls = self._tools.flush(agent=self._text.agent)
        if calls:
            out.extend(calls)
            self._text.interrupt()
        return out

    def _on_other_type(self, kind: str, wire: dict[str, Any]) -> list[Event]:
        if kind in _COMPLETED:
            # Not terminal yet: a UC-function result may still arrive as a bare
            # `function_call_output` after `response.completed` (databricks-ai-bridge fixture,
            # mas-output.md §2), or a whole second response (`_after_completed`). `Done` comes
            # with `[DONE]` or the end of the stream.
            self._completed = True
            return self._flush_calls()
        if kind in _ERRORS:
            nested = wire.get("response")
            source = nested if kind == "response.failed" and isinstance(nested, dict) else wire
            return self._terminate(error_event(source, default_code="upstream_error"))
        # created, in_progress, output_item.added, content_part.*, output_text.done, annotations,
        # reasoning, function_call_arguments.delta and types not yet invented.
        log.debug("passed over an event of type %r", kind)
        return []

    def _after_completed(self, wire: dict[str, Any]) -> list[Event]:
        if wire.get("type") == "response.created":
            # A second response in the same body continues the answer (the ai-sdk-provider's
            # tool-calling fixture: completed, a bare tool output, then created … completed).
            self._completed = False
            return self.feed(wire)
        item = wire.get("item") if wire.get("type") == "response.output_item.done" else wire
        if isinstance(item, dict) and item.get("type") == "function_call_output":
            return self._on_item(item)
        log.debug("passed over an event after response.completed: %.200r", wire)
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
                out.extend(self._text.settle())
                completed = self._tools.stream(calls, agent=self._text.agent)
                if completed:
                    out.extend(completed)
                    self._text.interrupt()
        if choice.get("finish_reason"):
            out.extend(self._flush_calls())
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
