"""Tool calls and their outputs across one answer: names joined by call id, repeats dropped.

`ToolCalls` remembers each call's name so a `function_call_output` (which carries no name on
the ResponsesAgent wire) can be labelled, drops a call reported twice, and assembles OpenAI
chat-completion calls whose arguments stream in pieces. It builds `ToolCall`/`ToolOutput`
events but does not decide when: that is `mas.wire.normalize`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from mas.wire.events import ToolCall, ToolOutput

log = logging.getLogger(__name__)

UNKNOWN_TOOL = "unknown"


def parse_arguments(raw: Any) -> dict[str, Any]:
    """A call's arguments as a dict: JSON-string objects parsed, empty → {}, else {"raw": …}."""
    if isinstance(raw, dict):
        return raw
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    if isinstance(raw, str):
        try:
            # strict=False: models writing code put raw newlines and tabs inside JSON strings
            # (databricks-ai-bridge's ai-sdk-provider fixture); only broken JSON stays raw.
            parsed = json.loads(raw, strict=False)
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


def as_text(value: Any) -> str | None:
    """A wire scalar as text (None for absent or empty; non-strings as JSON)."""
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class _PartialCall:
    """A chat-completion tool call whose arguments stream in pieces under one `index`."""

    __slots__ = ("arguments", "call_id", "name")

    def __init__(self) -> None:
        self.call_id: str | None = None
        self.name: str | None = None
        self.arguments: list[str] = []


class ToolCalls:
    """The tool calls of one answer, by call id."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self._partial: dict[int, _PartialCall] = {}

    def call(self, *, name: Any, arguments: Any, call_id: Any, agent: str | None) -> ToolCall | None:
        """The event for a complete call, or None when this call id was already shown."""
        key = call_id if isinstance(call_id, str) and call_id else None
        if key is not None and key in self._names:
            log.debug("passed over a repeated function_call %s", key)
            return None
        tool = as_text(name) or UNKNOWN_TOOL
        if key is not None:
            self._names[key] = tool
        return ToolCall(name=tool, args=parse_arguments(arguments), call_id=key, agent=agent)

    def output(self, *, call_id: Any, output: Any, name: Any) -> ToolOutput:
        """The event for a call's output, named after its call (else the wire's name, if any)."""
        key = call_id if isinstance(call_id, str) and call_id else None
        tool = (self._names.get(key) if key else None) or as_text(name) or UNKNOWN_TOOL
        return ToolOutput(name=tool, output=output_text(output), call_id=key)

    def stream(self, pieces: list[Any], *, agent: str | None) -> list[ToolCall]:
        """Chat-completion `delta.tool_calls` pieces; returns the calls a reused index completed."""
        done: list[ToolCall] = []
        for position, piece in enumerate(pieces):
            if not isinstance(piece, dict):
                continue
            index = piece.get("index")
            index = index if isinstance(index, int) else position
            piece_id = as_text(piece.get("id"))
            known = self._partial.get(index)
            if known is not None and piece_id and known.call_id and piece_id != known.call_id:
                # An index reused for a new call: the calls so far are complete.
                done.extend(self.flush(agent=agent))
            # Parallel calls interleave their argument pieces by index (Databricks' FMAPI
            # fixture), so a new index does not complete the others: finish_reason or the
            # stream's end does.
            partial = self._partial.setdefault(index, _PartialCall())
            partial.call_id = piece_id or partial.call_id
            function = piece.get("function")
            if isinstance(function, dict):
                partial.name = as_text(function.get("name")) or partial.name
                arguments = function.get("arguments")
                if arguments is not None:
                    partial.arguments.append(
                        arguments if isinstance(arguments, str) else json.dumps(arguments)
                    )
        return done

    def flush(self, *, agent: str | None) -> list[ToolCall]:
        """Complete every call still streaming (finish_reason, a reused index, or the end)."""
        done: list[ToolCall] = []
        for index in sorted(self._partial):
            partial = self._partial[index]
            event = self.call(
                name=partial.name, arguments="".join(partial.arguments), call_id=partial.call_id, agent=agent
            )
            if event is not None:
                done.append(event)
        self._partial.clear()
        return done
