"""The emulator's wire dialects: one responder's events spoken the way each real server speaks.

- `responses`: the full OpenAI Responses stream (`mas.demo.responses_stream`), on the
  OpenAI-compatible `POST /serving-endpoints/responses` route and for the demo's `/invocations`;
- `agent_server`: MLflow's `AgentServer` (real-producers.md): bare deltas and `output_item.done`s,
  no created/completed, indexes or statuses; a failure as an untyped `{"error": …}`, and a
  `{"trace_id": …}` chunk when the request asked for one;
- `chat_agent`: ChatAgent `{"delta": {...}}` chunks, for endpoints whose task is `agent/v2/chat`;
- `verbatim`: the responder's events exactly as written (test scripts of recorded wire).
It also reads each dialect's request body. No HTTP here: that is `mas.demo.handler`.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from mas.demo.responses_stream import StrictResponses

logger = logging.getLogger(__name__)

Dialect = Literal["responses", "agent_server", "chat_agent", "verbatim"]
DIALECTS: tuple[Dialect, ...] = ("responses", "agent_server", "chat_agent", "verbatim")
CHAT_TASKS = frozenset({"agent/v2/chat", "agent/v1/chat", "llm/v1/chat"})
_DROPPED_BY_AGENT_SERVER = frozenset(
    {"response.created", "response.in_progress", "response.completed", "responses.completed",
     "response.output_item.added", "response.content_part.added", "response.content_part.done",
     "response.output_text.done", "response.function_call_arguments.delta",
     "response.function_call_arguments.done"}
)  # fmt: skip
_ITEM_TYPES = frozenset({"message", "function_call", "function_call_output", "mcp_approval_request"})


def choose(*, task: object, openai_route: bool, configured: Dialect) -> Dialect:
    """The dialect of one request: the OpenAI route is always Responses; chat tasks speak ChatAgent."""
    if openai_route:
        return "responses"
    if task in CHAT_TASKS:
        return "chat_agent"
    return configured


def input_items(body: Any, dialect: Dialect) -> list[dict[str, Any]] | str:
    """The responder's input items from a request body, or the 400 message the real server gives."""
    if not isinstance(body, dict):
        return "Invalid JSON given in the body of the request - expected a map."
    if dialect == "chat_agent":
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            # MLflow's scoring server, verbatim (real-producers.md).
            extra = sorted(key for key in body if key not in ("messages", "stream"))
            return f"Model is missing inputs ['messages']. Note that there were extra inputs: {extra}"
        return [m for m in messages if isinstance(m, dict)]
    if "input" not in body:
        if "messages" in body:  # MLflow's wording again, so a client can tell which body it wants
            extra = sorted(key for key in body if key not in ("input", "stream"))
            return f"Model is missing inputs ['input']. Note that there were extra inputs: {extra}"
        return "Missing required field 'input' in the request body."
    items = body["input"]
    if isinstance(items, str) and items and dialect == "responses" and "model" in body:
        return [{"role": "user", "content": items}]  # openai-python's `input="..."`
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        return "Field 'input' must be a non-empty list of input items."
    return items


def render(
    events: Iterator[dict[str, Any]], dialect: Dialect, *, model: str, trace_id: bool = False
) -> Iterator[dict[str, Any]]:
    """The responder's events as `dialect` streams them (before the final `[DONE]`)."""
    if dialect == "verbatim":
        return events
    guarded = _guarded(events)
    if dialect == "responses":
        return StrictResponses(model=model).render(guarded)
    if dialect == "agent_server":
        return _agent_server(guarded, trace_id=trace_id)
    return _chat_agent(guarded)


def json_body(events: Iterator[dict[str, Any]], dialect: Dialect, *, model: str) -> dict[str, Any]:
    """The non-streamed answer (`stream: false`, or what `mlflow models serve` always sends)."""
    if dialect == "chat_agent":
        return _chat_agent_body(_chat_agent(_guarded(events)))
    output: list[dict[str, Any]] = []
    for event in StrictResponses(model=model).render(_guarded(events)):
        if event["type"] == "response.completed":
            return dict(event["response"])
        if event["type"] == "response.output_item.done":
            output.append(event["item"])
        if event["type"] == "error":
            error = {"code": event["code"], "message": event["message"]}
            return {"object": "response", "status": "failed", "error": error, "output": output}
    return {"object": "response", "status": "completed", "output": output}


def _guarded(events: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    try:
        yield from events
    except Exception as exc:
        # A responder bug becomes an in-stream error, as a failing agent's would.
        logger.exception("[EMULATOR] responder failed")
        yield {"type": "error", "code": "server_error", "message": f"Responder failed: {exc}"}


def _is_error(wire: dict[str, Any]) -> bool:
    kind = wire.get("type")
    if kind in ("error", "response.error", "response.failed"):
        return True
    return kind is None and bool(wire.get("error"))


def _error_text(wire: dict[str, Any]) -> str:
    nested = wire.get("error")
    if isinstance(nested, str):
        return nested
    source = nested if isinstance(nested, dict) else (wire.get("response") or {}).get("error") or wire
    return str(source.get("message") or "The agent failed.")


def _item_of(wire: dict[str, Any]) -> dict[str, Any] | None:
    if wire.get("type") == "response.output_item.done" and isinstance(wire.get("item"), dict):
        return dict(wire["item"])
    return dict(wire) if wire.get("type") in _ITEM_TYPES else None


def _agent_server(events: Iterator[dict[str, Any]], *, trace_id: bool) -> Iterator[dict[str, Any]]:
    for wire in events:
        if _is_error(wire):
            # MLflow's AgentServer turns an exception in predict_stream into this, then `[DONE]`.
            yield {"error": _error_text(wire)}
            return
        if wire.get("type") == "response.output_text.delta":
            yield {"type": "response.output_text.delta", "item_id": wire.get("item_id"),
                   "delta": wire.get("delta")}  # fmt: skip
            continue
        item = _item_of(wire)
        if item is not None:
            item.pop("status", None)
            yield {"type": "response.output_item.done", "item": item}
        elif wire.get("type") not in _DROPPED_BY_AGENT_SERVER:
            yield wire
    if trace_id:  # asked for with the header `x-mlflow-return-trace-id: true`
        yield {"trace_id": f"tr-{uuid.uuid4().hex}"}


def _chat_agent(events: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    streamed: set[str] = set()
    names: dict[str, str] = {}
    for wire in events:
        if _is_error(wire):
            yield {"error": _error_text(wire)}
            return
        if wire.get("type") == "response.output_text.delta" and wire.get("delta"):
            item_id = str(wire.get("item_id") or "")
            streamed.add(item_id)
            yield {"delta": {"role": "assistant", "content": wire["delta"], "id": item_id}}
            continue
        item = _item_of(wire)
        kind = item.get("type") if item else None
        if item is None or kind is None:
            continue
        item_id = str(item.get("id") or uuid.uuid4().hex)
        if kind == "message" and item_id not in streamed:
            content = item.get("content")
            text = content if isinstance(content, str) else "".join(
                p.get("text", "") for p in content or [] if isinstance(p, dict))  # fmt: skip
            yield {"delta": {"role": "assistant", "content": text, "id": item_id}}
        elif kind == "function_call":
            call_id = str(item.get("call_id") or item_id)
            names[call_id] = str(item.get("name") or "")
            function = {"name": names[call_id], "arguments": item.get("arguments") or "{}"}
            call = {"id": call_id, "type": "function", "function": function}
            yield {"delta": {"role": "assistant", "content": "", "id": item_id, "tool_calls": [call]}}
        elif kind == "function_call_output":
            call_id = str(item.get("call_id") or "")
            output = item.get("output")
            text = output if isinstance(output, str) else json.dumps(output)
            yield {"delta": {"role": "tool", "id": item_id, "tool_call_id": call_id,
                             "name": names.get(call_id) or None, "content": text}}  # fmt: skip


def _chat_agent_body(chunks: Iterator[dict[str, Any]]) -> dict[str, Any]:
    messages: dict[str, dict[str, Any]] = {}
    for chunk in chunks:
        if "error" in chunk:
            return {"error_code": "INTERNAL_ERROR", "message": chunk["error"]}
        delta = chunk["delta"]
        known = messages.get(delta["id"])
        if known is None:
            messages[delta["id"]] = dict(delta)
        else:
            known["content"] = (known.get("content") or "") + (delta.get("content") or "")
    return {"messages": list(messages.values())}
