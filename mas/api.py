"""The seed's SSE API, `POST /api/chat/stream`, as Starlette routes mounted next to the Streamlit UI.

The body is a `StreamChatRequest`; the answer is `text/event-stream` with one `data: {event}`
line per event, `data: [DONE]` instead of the `done` event (and after an `error` event), and
`: keep-alive` comments while upstream is silent. Each request resolves its own identity from
its headers (`mas.endpoint.connection.resolve`). It does not decode the wire (see `mas.endpoint.client`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Mapping
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from mas.endpoint.connection import Connection, resolve
from mas.errors import ConfigError, IdentityError, SettingError
from mas.event_pipe import EventPipe
from mas.settings import settings
from mas.wire.events import (
    Citation,
    Done,
    ErrorEvent,
    Event,
    Status,
    TextDelta,
    ToolApproval,
    ToolCall,
    ToolOutput,
    TraceEvent,
)
from mas.wire.messages import MAX_BODY_BYTES, ChatMessage, StreamChatRequest

logger = logging.getLogger(__name__)

STREAM_PATH = "/api/chat/stream"
SSE_HEADERS = {"Cache-Control": "no-cache", "Connection": "keep-alive", "X-Accel-Buffering": "no"}
DONE_LINE = "data: [DONE]\n\n"
# A comment line with no blank line after it: per the SSE spec a comment dispatches nothing
# either way, but @microsoft/fetch-event-source 2.0.1 dispatches a message on every blank line,
# so `: keep-alive\n\n` reached its `onmessage` as `data: ""` (measured: README, The SSE API).
# The bytes still keep idle proxies from closing the stream; events are whole, so the comment
# always sits between two events.
KEEPALIVE_LINE = ": keep-alive\n"
# Every method is routed here so that the others get a JSON 405: a POST-only Route would let
# Streamlit's static catch-all answer GET with its index.html (checked with streamlit 1.67).
_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def keepalive_from_env() -> float:
    return settings().sse_keepalive


def routes(*, keepalive_seconds: float | None = None) -> list[BaseRoute]:
    """The API's routes, for `st.App(script, routes=routes())` or any Starlette app.

    Without `keepalive_seconds`, MAS_SSE_KEEPALIVE is read per request: a bad value is then
    one request's JSON answer, not a server that fails to start.
    """
    from mas.downloads import routes as genie_routes

    api = _StreamApi(keepalive=keepalive_seconds)
    return [Route(STREAM_PATH, api.handle, methods=_ALL_METHODS), *genie_routes()]


def _reject(status: int, error: str, *, detail: Any = None) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status)


def _setting_problem(exc: SettingError) -> JSONResponse:
    # The server is set up wrongly, not the request: 503 (it cannot serve until fixed), with
    # the sentence that names the variable, and no traceback.
    logger.error("[API] configuration problem: %s", exc)
    return _reject(503, str(exc), detail="The app's configuration needs fixing; the request was fine.")


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


async def _read_body(request: Request) -> bytes | JSONResponse:
    """The raw body, refused with 413 past MAX_BODY_BYTES (by Content-Length, and while reading)."""
    too_big = _reject(413, f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    declared = request.headers.get("content-length")
    if declared is not None and not declared.strip().isdigit():
        return _reject(400, "The Content-Length header is not a number.")
    if declared is not None and int(declared) > MAX_BODY_BYTES:
        return too_big
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return too_big
    return bytes(body)


async def parse_request(request: Request) -> StreamChatRequest | JSONResponse:
    """The validated chat request, or the 4xx answer that says what is wrong with it."""
    raw = await _read_body(request)
    if isinstance(raw, JSONResponse):
        return raw
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        return _reject(400, "The request body is not valid JSON.", detail=str(exc)[:200])
    if not isinstance(body, dict):
        return _reject(400, 'The request body must be a JSON object like {"messages": [...]}.')
    try:
        return StreamChatRequest.model_validate(body)
    except ValidationError as exc:
        problems = [
            {"loc": _location(tuple(e["loc"])), "message": e["msg"]}
            for e in exc.errors(include_url=False, include_input=False, include_context=False)
        ]
        first = problems[0]
        return _reject(400, f"Invalid request body: {first['loc']}: {first['message']}", detail=problems)


class _End:
    """Posted last by every stream thread."""


def _pump(
    pipe: EventPipe,
    headers: Mapping[str, str],
    *,
    messages: list[ChatMessage],
    state: dict[str, Any] | None = None,
) -> None:
    """The stream's thread: resolve the identity, then forward events until done, error or stop.

    One plain thread per stream rather than Starlette's thread pool, whose AnyIO limiter
    Streamlit sets to 28 tokens (`_set_anyio_thread_limiter`): a stream blocks in `next()` for as
    long as upstream is silent, so pooled iteration would cap concurrent streams.
    """
    try:
        try:
            connection = resolve(headers=headers)
        except ConfigError as exc:
            pipe.post(exc)
            return
        pipe.post(connection)
        _forward(pipe, connection, messages=messages, state=state)
    except Exception as exc:  # a bug here must still end the response with an error event
        logger.exception("[API] stream failed")
        pipe.post(ErrorEvent(message=f"The app failed while streaming the answer: {exc}", code="internal"))
    finally:
        pipe.post(_End())


def _forward(
    pipe: EventPipe,
    connection: Connection,
    *,
    messages: list[ChatMessage],
    state: dict[str, Any] | None = None,
) -> None:
    events = connection.stream_events(messages, state=state)
    try:
        for event in events:
            # The client's generator ends after its terminal event; stop also when our caller left.
            if not pipe.post(event) or pipe.stop.is_set():
                logger.info("[API] client gone: closing the upstream stream")
                return
    finally:
        events.close()  # closes the client's generator, and so its HTTP response
        connection.close()


def sse_lines(event: Event) -> list[str]:
    """The SSE lines for one event: `done` becomes `[DONE]`, an error is followed by `[DONE]`."""
    if isinstance(event, Done):
        return [DONE_LINE]
    line = f"data: {event.model_dump_json()}\n\n"
    return [line, DONE_LINE] if isinstance(event, ErrorEvent) else [line]


class _StreamApi:
    def __init__(self, *, keepalive: float | None) -> None:
        self.keepalive = keepalive

    async def handle(self, request: Request) -> Response:
        if request.method != "POST":
            return JSONResponse(
                {"error": f"{request.method} is not allowed here; POST a chat request.", "detail": None},
                status_code=405,
                headers={"Allow": "POST"},
            )
        parsed = await parse_request(request)
        if isinstance(parsed, JSONResponse):
            return parsed
        try:
            keepalive = self.keepalive if self.keepalive is not None else keepalive_from_env()
        except SettingError as exc:
            return _setting_problem(exc)
        pipe = EventPipe(loop=asyncio.get_running_loop())
        headers = dict(request.headers)
        thread = threading.Thread(
            target=_pump,
            args=(pipe, headers),
            kwargs={"messages": parsed.messages, "state": dict(parsed.conversation_state or {})},
            name="mas-api-stream",
            daemon=True,
        )
        thread.start()
        await pipe.wait(None)
        first = pipe.items.popleft()
        if isinstance(first, ConfigError):
            pipe.stop.set()
            if isinstance(first, SettingError):
                return _setting_problem(first)
            return _reject(401 if isinstance(first, IdentityError) else 500, str(first))
        if not isinstance(first, Connection):  # the thread failed before it had a connection
            pipe.stop.set()
            message = (
                first.message if isinstance(first, ErrorEvent) else "The app could not start the stream."
            )
            return _reject(500, message)
        logger.info("[API] streaming %d messages as %s", len(parsed.messages), first.identity)
        return StreamingResponse(
            self._sse(pipe, keepalive=keepalive), media_type="text/event-stream", headers=SSE_HEADERS
        )

    async def _sse(self, pipe: EventPipe, *, keepalive: float) -> AsyncIterator[str]:
        try:
            while True:
                if not await pipe.wait(keepalive):
                    yield KEEPALIVE_LINE
                    continue
                # Everything already queued goes out in one write: under load this saves a pass
                # through Starlette's middleware stack and a socket write per event.
                text, finished = _render(pipe.drain())
                if text:
                    yield text
                if finished:
                    return
        finally:
            pipe.stop.set()  # also on client disconnect: Starlette cancels this generator


# Every event kind goes to API clients: traces, citations and tool approvals too.
_EVENTS = (TextDelta, ToolCall, ToolOutput, TraceEvent, Citation, ToolApproval, ErrorEvent, Done, Status)


def _render(batch: list[object]) -> tuple[str, bool]:
    """The SSE text for queued items, and whether the stream ends with them."""
    parts: list[str] = []
    for item in batch:
        if isinstance(item, _End):  # only after an internal failure: end it properly
            parts += sse_lines(ErrorEvent(message="The answer ended unexpectedly.", code="internal"))
            return "".join(parts), True
        if isinstance(item, _EVENTS):
            parts += sse_lines(item)
            if isinstance(item, Done | ErrorEvent):
                return "".join(parts), True
    return "".join(parts), False
