"""Real SSE client libraries against our `POST /api/chat/stream`: httpx-sse sees every event and one
final `[DONE]`, and the raw body has no blank line that ends an empty event (what
@microsoft/fetch-event-source turns into an empty `onmessage`), keep-alives included."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from httpx_sse import connect_sse
from support.emulator import Emulator, Fault
from test_api import ENDPOINT, Echo, _Server

from mas.wire.events import parse_event


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    with _Server(keepalive=0.05) as url:
        yield url


@pytest.fixture
def stalled(as_workspace: object) -> Iterator[Emulator]:
    with Emulator(responder=Echo(), endpoint_name=ENDPOINT) as emulator:
        as_workspace(emulator)  # type: ignore[operator]
        emulator.inject(Fault(stall=0.4, stall_after=1))  # silence upstream: keep-alives go out
        yield emulator


BODY = {"messages": [{"role": "user", "content": "hi"}]}


def test_httpx_sse_sees_every_event_then_one_done(api: str, stalled: Emulator) -> None:
    with httpx.Client(timeout=30) as client, connect_sse(client, "POST", api, json=BODY) as source:
        datas = [sse.data for sse in source.iter_sse()]
    assert datas[-1] == "[DONE]" and datas.count("[DONE]") == 1
    events = [parse_event(data) for data in datas[:-1]]
    assert "".join(getattr(e, "delta", "") for e in events) == "You asked: hi 0 1 2"


def test_no_blank_line_ends_an_empty_event_so_fetch_event_source_gets_no_empty_message(
    api: str, stalled: Emulator
) -> None:
    with httpx.stream("POST", api, json=BODY, timeout=30) as response:
        raw = response.read().decode()
    assert raw.count(": keep-alive") >= 2
    # fetch-event-source's getMessages dispatches on every empty line (checked against 2.0.1's
    # parse.ts): each block between blank lines must carry a data field that is JSON or [DONE].
    blocks = raw.split("\n\n")
    assert blocks[-1] == ""
    for block in blocks[:-1]:
        data = [line[len("data: ") :] for line in block.split("\n") if line.startswith("data: ")]
        assert len(data) == 1, block
        assert data[0] == "[DONE]" or isinstance(json.loads(data[0]), dict)
