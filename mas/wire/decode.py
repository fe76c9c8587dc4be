"""Decoding a serving endpoint's answer into typed `mas` events: the composed pure pipeline.

`iter_events` runs bytes of an SSE body through `mas.wire.sse` (framing), JSON, and
`mas.wire.normalize` (meaning); `events_from_json_body` does the same for a non-streamed JSON
answer. Both end with exactly one terminal event and never raise for bad input. Network
errors raised by the chunk iterable are not caught here: the client owns those.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from orjson import loads as _fast_loads

from mas.wire.events import ErrorEvent, Event
from mas.wire.normalize import Normalizer, error_event
from mas.wire.sse import SSEEvent, SSEParser

log = logging.getLogger(__name__)

_DONE = "[DONE]"
_HEAD_LIMIT = 64 * 1024 * 1024


def iter_events(chunks: Iterable[bytes]) -> Iterator[Event]:
    """Typed events from the chunks of an SSE body, each chunk's events yielded as it arrives."""
    parser = SSEParser()
    normalizer = Normalizer()
    head = _BodyHead()
    for chunk in chunks:
        batch = parser.feed(chunk)
        head.keep(chunk, batch=batch)
        yield from _apply(normalizer, batch)
        if normalizer.terminated:
            return
    batch = parser.finish()
    head.keep(b"", batch=batch)
    fallback = _not_sse(head.body()) if head.live else None
    if fallback is not None:
        yield from fallback
        return
    yield from _apply(normalizer, batch)
    yield from normalizer.finish(truncated=parser.truncated)


class _BodyHead:
    """The raw body, kept only until the first SSE event: a body with none may not be SSE at all."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.live = True

    def keep(self, chunk: bytes, *, batch: list[SSEEvent]) -> None:
        if not self.live:
            return
        if batch or self.size > _HEAD_LIMIT:
            self.live, self.parts = False, []
            return
        self.parts.append(chunk)
        self.size += len(chunk)

    def body(self) -> str:
        return b"".join(self.parts).decode("utf-8", "replace").lstrip("\ufeff").strip()


def _not_sse(text: str) -> list[Event] | None:
    """Events for a body with no SSE event in it: a JSON answer, NDJSON, or an HTML page."""
    # Agent Bricks config errors come as a plain JSON body even to `stream: true`
    # (mas-output.md §3), and some servers stream `application/x-ndjson` (wire-format.md §1.4).
    if text[:1] in ("{", "["):
        value = _parse_json(text)
        if value is not None:
            return events_from_json_body(value)
        lines = [_parse_json(line) for line in text.splitlines() if line.strip()]
        if not all(isinstance(line, dict) for line in lines):
            return None
        normalizer = Normalizer()
        events: list[Event] = []
        for line in lines:
            events += normalizer.feed(line)
        return events + normalizer.finish(truncated=False)
    if text[:1] == "<":
        return [
            ErrorEvent(
                message=f"The endpoint answered with a web page, not an event stream: {text[:200]!r}",
                code="not_sse",
            )
        ]
    return None


def _apply(normalizer: Normalizer, batch: list[SSEEvent]) -> list[Event]:
    """One chunk's SSE events through JSON and the normaliser, stopping at a terminal event."""
    out: list[Event] = []
    for sse in batch:
        data = sse.data
        if data == _DONE:
            out += normalizer.feed_done()
            break
        wire = _parse_json(data)
        if sse.event == "error":
            # A generic SSE server may flag an error by the event name alone.
            wire = {**wire, "type": "error"} if isinstance(wire, dict) else {"type": "error", "message": data}
        if isinstance(wire, dict):
            out += normalizer.feed(wire)
            if normalizer.terminated:
                break
        elif data:
            normalizer.note_unparsed(data)
    return out


def _parse_json(data: str) -> Any:
    """The JSON value of `data` exactly as `json.loads` reads it, or None when it is not JSON.

    orjson parses about 3× faster, but it refuses some JSON Python accepts (NaN, Infinity, 1e400,
    lone surrogate escapes, nesting past 1024) and reads integers beyond 64 bits as floats;
    `json.loads` decides every such case, so the values are always the ones it gives.
    """
    try:
        value = _fast_loads(data)
    except ValueError:  # orjson.JSONDecodeError is a json.JSONDecodeError
        return _slow_parse(data)
    if type(value) is dict:  # the usual event: most of its values are plain strings or ints
        for item in value.values():
            kind = type(item)
            if kind is not str and kind is not int and _huge(item):
                return _slow_parse(data)
        return value
    return _slow_parse(data) if _huge(value) else value


_HUGE = float(2**63)  # orjson reads integers past 64 bits as floats at least this large


def _huge(value: Any) -> bool:
    """Whether `value` holds a float that may be an integer orjson could not keep exact."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        elif kind is float and not -_HUGE < item < _HUGE:
            return True
    return False


def _slow_parse(data: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


def events_from_json_body(body: Any) -> list[Event]:
    """Typed events from a non-streamed answer (ResponsesAgent, ChatAgent, chat completion, error)."""
    if not isinstance(body, dict):
        return [_unrecognised(body)]
    if body.get("error") or ("error_code" in body and "message" in body):
        return [error_event(body, default_code="upstream_error")]
    normalizer = Normalizer()
    events: list[Event] = []
    for wire in _body_as_wire(body):
        events.extend(normalizer.feed(wire))
    if normalizer.fed == 0 and not _has_answer_key(body):
        return [_unrecognised(body)]
    events.extend(normalizer.finish(truncated=False))
    return events


def _body_as_wire(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The body's items as the stream events that would have carried them."""
    output = body.get("output")
    if isinstance(output, list):
        for item in output:
            if isinstance(item, dict):
                yield {"type": "response.output_item.done", "item": item}
    messages = body.get("messages")
    if isinstance(messages, list):
        for index, message in enumerate(messages):
            if isinstance(message, dict):
                yield {"delta": {**message, "id": message.get("id") or f"message-{index}"}}
    choices = body.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        choice = choices[0]
        yield {
            "choices": [
                {"delta": choice.get("message"), "finish_reason": choice.get("finish_reason") or "stop"}
            ]
        }


def _has_answer_key(body: dict[str, Any]) -> bool:
    return any(isinstance(body.get(key), list) for key in ("output", "messages", "choices"))


def _unrecognised(body: Any) -> ErrorEvent:
    shape = f"keys {sorted(body)[:8]}" if isinstance(body, dict) else type(body).__name__
    log.debug("unrecognised JSON answer: %.300r", body)
    return ErrorEvent(
        message=f"The endpoint answered with JSON this app does not understand ({shape}).",
        code="unrecognised_body",
    )
