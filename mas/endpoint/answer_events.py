"""Reading one successful invocation's body into events: an SSE stream or a single JSON answer.

The client (`mas.endpoint.client`) opens the response, picks the reader by content type, and
supplies how a broken connection is worded; these readers decode (`mas.wire.decode`) and log
each event. They do not send requests, retry, or word HTTP errors (`mas.http_errors`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Generator, Iterator
from typing import Any, cast

import httpx

from mas.endpoint.response_io import read_bounded
from mas.http_errors import INVALID_JSON
from mas.wire.decode import events_from_json_body, iter_events
from mas.wire.events import TERMINAL_TYPES, ErrorEvent, Event, TextDelta

logger = logging.getLogger(__name__)

MAX_JSON_BODY_BYTES = 32 * 1024 * 1024

NetworkError = Callable[[httpx.HTTPError, bool], ErrorEvent]
"""The error event for a connection failure, given whether the answer had started."""


def sse_answer(chunks: Iterator[bytes], *, ended: list[bool], network_error: NetworkError) -> Iterator[Event]:
    """Yield a streamed answer's events; mark `ended` when the decoder's terminal event goes out."""
    started = False
    # `chunks` is iter_bytes (not iter_raw) so a compressed body would still decode; for an
    # identity body it hands over each network read as it comes, with no re-chunking.
    events = cast(Generator[Event, None, None], iter_events(chunks))
    try:
        for event in events:
            started = True
            log_event(event)
            if event.type in TERMINAL_TYPES:
                ended.append(True)
            yield event
    except httpx.HTTPError as exc:
        logger.exception("[STREAM] the stream broke off")
        yield network_error(exc, started)
    finally:
        events.close()


def json_answer(response: httpx.Response, *, network_error: NetworkError) -> Iterator[Event]:
    """Yield the events of a whole JSON answer (an endpoint that does not stream)."""
    try:
        raw = read_bounded(response, MAX_JSON_BODY_BYTES)
    except httpx.HTTPError as exc:
        logger.exception("[STREAM] reading the JSON answer failed")
        yield network_error(exc, False)
        return
    try:
        body: Any = json.loads(raw)
    except ValueError:
        logger.exception("[STREAM] the JSON answer is not valid JSON")
        yield INVALID_JSON
        return
    for event in events_from_json_body(body):
        log_event(event)
        yield event


def log_event(event: Event) -> None:
    """One log line per event: text deltas by length only, errors as warnings."""
    if isinstance(event, TextDelta):
        logger.debug("[STREAM] text.delta (%d chars)", len(event.delta))
    else:
        level = logging.WARNING if isinstance(event, ErrorEvent) else logging.DEBUG
        detail = getattr(event, "name", None) or getattr(event, "message", "")
        logger.log(level, "[STREAM] %s %s", event.type, detail)
