"""mas.api: `POST /api/chat/stream` served by a real uvicorn on 127.0.0.1, upstream the emulator.

The app under test is a Starlette app with `mas.api.routes()` whose thread limiter is set to 28
tokens, as Streamlit's st.App sets it. The workspace is the emulator (DATABRICKS_HOST points at it).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from anyio import to_thread
from conftest import APP_TOKEN
from conftest import WORKSPACE_ENDPOINT as ENDPOINT
from starlette.applications import Starlette
from support.emulator import Emulator, Fault, fingerprint

from mas.api import routes
from mas.event_pipe import EventPipe
from mas.wire.messages import MAX_BODY_BYTES, MAX_CONTENT_CHARS, MAX_MESSAGES

STREAMLIT_THREAD_TOKENS = 28  # streamlit/web/server/starlette/starlette_server_config.py


class Echo:
    """Answers with the question; an optional barrier holds every stream open until all are."""

    def __init__(self, gate: threading.Barrier | None = None, words: int = 3) -> None:
        self.gate = gate
        self.words = words

    def respond(self, input_items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        if self.gate is not None:  # before the first event, so every stream is blocked upstream
            self.gate.wait(timeout=20)
        yield {"type": "response.output_text.delta", "item_id": "m1", "delta": "You asked: "}
        yield {
            "type": "response.output_text.delta",
            "item_id": "m1",
            "delta": str(input_items[-1]["content"]),
        }
        for i in range(self.words):
            yield {"type": "response.output_text.delta", "item_id": "m1", "delta": f" {i}"}


class _Server:
    def __init__(self, keepalive: float | None) -> None:
        @asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            to_thread.current_default_thread_limiter().total_tokens = STREAMLIT_THREAD_TOKENS
            yield

        app = Starlette(routes=routes(keepalive_seconds=keepalive), lifespan=lifespan)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, name="api-test-server", daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/api/chat/stream"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    with _Server(keepalive=0.2) as url:
        yield url


@pytest.fixture
def workspace(as_workspace: Callable[[Emulator], Emulator]) -> Iterator[Emulator]:
    with Emulator(responder=Echo(), endpoint_name=ENDPOINT) as emulator:
        yield as_workspace(emulator)


def body(question: str = "hi") -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": question}]}


def sse_lines(url: str, payload: Any = None, headers: dict[str, str] | None = None) -> list[str]:
    with httpx.stream("POST", url, json=payload or body(), headers=headers, timeout=30) as response:
        assert response.status_code == 200, response.read()
        return [line for line in response.iter_lines() if line]


def data_of(lines: list[str]) -> list[Any]:
    """The `data:` payloads: parsed JSON events, or the string "[DONE]"."""
    payloads = [line[len("data: ") :] for line in lines if line.startswith("data: ")]
    return [p if p == "[DONE]" else json.loads(p) for p in payloads]


def answer(lines: list[str]) -> str:
    return "".join(e["delta"] for e in data_of(lines) if isinstance(e, dict) and e["type"] == "text.delta")


def test_streams_events_then_done(api: str, workspace: Emulator) -> None:
    with httpx.stream("POST", api, json=body("What's our revenue?"), timeout=30) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-accel-buffering"] == "no"
        assert response.headers["connection"] == "keep-alive"
        raw = response.read().decode()
    assert raw.endswith("data: [DONE]\n\n")
    lines = [line for line in raw.split("\n") if line]
    assert all(line.startswith(("data: ", ":")) for line in lines)
    events = data_of(lines)
    assert events[-1] == "[DONE]" and events.count("[DONE]") == 1
    assert {"type": "done"} not in events
    assert answer(lines) == "You asked: What's our revenue? 0 1 2"


def test_upstream_error_is_an_error_event_then_done(api: str, workspace: Emulator) -> None:
    workspace.inject(Fault(status=403, error_code="PERMISSION_DENIED", message="No access."))
    events = data_of(sse_lines(api))
    assert len(events) == 2 and events[1] == "[DONE]"
    assert events[0]["type"] == "error" and events[0]["status"] == 403
    assert "CAN_QUERY" in events[0]["message"]


def test_keepalive_comments_while_upstream_is_silent(api: str, workspace: Emulator) -> None:
    workspace.inject(Fault(stall=1.0, stall_after=1))
    lines = sse_lines(api)
    first_data = next(i for i, line in enumerate(lines) if line.startswith("data: "))
    assert ": keep-alive" in lines[first_data:]
    assert answer(lines) == "You asked: hi 0 1 2" and lines[-1] == "data: [DONE]"


TOO_LONG = "x" * (MAX_CONTENT_CHARS + 1)


@pytest.mark.parametrize(
    ("raw", "status", "says"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b"\xff\xfe", 400, "not valid JSON"),
        (b"[" * 100_000, 400, "not valid JSON"),
        (b'[{"role": "user", "content": "hi"}]', 400, "JSON object"),
        (b"{}", 400, "messages"),
        (b'{"messages": []}', 400, "messages"),
        (b'{"messages": "hi"}', 400, "messages"),
        (b'{"messages": [{"role": "tool", "content": "hi"}]}', 400, "role"),
        (b'{"messages": [{"role": "user", "content": 5}]}', 400, "content must be a string"),
        (b'{"messages": [{"role": "user"}]}', 400, "content"),
        (b'{"messages": ["hi"]}', 400, "messages[0]"),
        (
            b'{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}',
            400,
            "last",
        ),
        (json.dumps(body(TOO_LONG)).encode(), 400, "messages[0].content"),
        (
            json.dumps({"messages": [{"role": "user", "content": "q"}] * (MAX_MESSAGES + 1)}).encode(),
            400,
            "500",
        ),
        (b" " * (MAX_BODY_BYTES + 1), 413, "larger than"),
    ],
    ids=[
        "invalid-json",
        "not-utf8",
        "nested-too-deep",
        "not-an-object",
        "messages-missing",
        "messages-empty",
        "messages-not-a-list",
        "bad-role",
        "content-not-a-string",
        "content-missing",
        "message-not-an-object",
        "last-not-from-user",
        "content-too-long",
        "too-many-messages",
        "body-too-large",
    ],
)
def test_bad_requests_get_a_json_4xx(
    api: str, workspace: Emulator, raw: bytes, status: int, says: str
) -> None:
    response = httpx.post(api, content=raw, headers={"Content-Type": "application/json"}, timeout=30)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert says in response.json()["error"]
    assert workspace.invocations() == []


def test_oversized_body_without_content_length_is_cut_off(api: str, workspace: Emulator) -> None:
    def chunks() -> Iterator[bytes]:  # chunked transfer: no Content-Length to check up front
        for _ in range(3):
            yield b" " * (MAX_BODY_BYTES // 2)

    response = httpx.post(api, content=chunks(), timeout=30)
    assert response.status_code == 413 and "larger than" in response.json()["error"]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_other_methods_get_405(api: str, method: str) -> None:
    response = httpx.request(method, api, timeout=30)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST" and "POST" in response.json()["error"]


def test_server_keeps_serving_after_bad_requests(api: str, workspace: Emulator) -> None:
    for raw in (b"{", b"[]", b'{"messages": []}', b" " * (MAX_BODY_BYTES + 10)):
        assert httpx.post(api, content=raw, timeout=30).status_code in (400, 413)
    assert answer(sse_lines(api)) == "You asked: hi 0 1 2"


def test_client_disconnect_closes_the_upstream_stream(api: str, workspace: Emulator) -> None:
    workspace.set_responder(ENDPOINT, Echo(words=100_000))
    workspace.inject(Fault(pacing=0.01))
    with httpx.stream("POST", api, json=body(), timeout=30) as response:
        lines = response.iter_lines()
        assert next(line for line in lines if line.startswith("data: "))
    record = workspace.invocations()[-1]
    assert record.finished.wait(timeout=15), "the upstream stream was never closed"
    assert record.outcome == "disconnected"
    assert record.events_sent < 100_000


def _ask(url: str, question: str, headers: dict[str, str], answers: dict[str, str]) -> None:
    answers[question] = answer(sse_lines(url, body(question), headers))


def run_concurrently(url: str, asks: list[tuple[str, dict[str, str]]]) -> tuple[dict[str, str], float]:
    answers: dict[str, str] = {}
    threads = [threading.Thread(target=_ask, args=(url, q, h, answers)) for q, h in asks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers, time.perf_counter() - started


def test_each_request_reaches_upstream_with_its_own_token(api: str, workspace: Emulator) -> None:
    workspace.set_responder(ENDPOINT, Echo(gate=threading.Barrier(3)))
    asks = [
        ("ana?", {"X-Forwarded-Access-Token": "tok-ana"}),
        ("bo?", {"x-forwarded-access-token": "tok-bo"}),
        ("app?", {"X-Forwarded-Email": "cy@example.com"}),
    ]
    answers, _ = run_concurrently(api, asks)
    assert answers == {q: f"You asked: {q} 0 1 2" for q, _ in asks}
    seen = {r.body["input"][-1]["content"]: r.auth_fingerprint for r in workspace.invocations()}
    expected = {"ana?": "tok-ana", "bo?": "tok-bo", "app?": APP_TOKEN}
    assert seen == {q: fingerprint(f"Bearer {token}") for q, token in expected.items()}


def test_ten_concurrent_streams(api: str, workspace: Emulator) -> None:
    workspace.set_responder(ENDPOINT, Echo(words=20))
    asks = [(f"question {i}", {"X-Forwarded-Access-Token": f"tok-{i}"}) for i in range(10)]
    answers, seconds = run_concurrently(api, asks)
    expected_tail = "".join(f" {i}" for i in range(20))
    assert answers == {q: f"You asked: {q}{expected_tail}" for q, _ in asks}
    logging.getLogger(__name__).info("10 concurrent streams took %.2f s", seconds)


def test_more_open_streams_than_starlettes_thread_tokens(api: str, workspace: Emulator) -> None:
    # Every upstream request must be open at once to pass the barrier, and until then each stream
    # waits for its first event: with pooled iteration (28 tokens) the 29th stream would never
    # start, the barrier would break and those streams would end with an error.
    streams = STREAMLIT_THREAD_TOKENS + 4
    workspace.set_responder(ENDPOINT, Echo(gate=threading.Barrier(streams)))
    answers, _ = run_concurrently(api, [(f"q{i}", {}) for i in range(streams)])
    assert answers == {f"q{i}": f"You asked: q{i} 0 1 2" for i in range(streams)}


def test_user_mode_without_a_user_token_is_401(
    api: str, workspace: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAS_AUTH", "user")
    response = httpx.post(api, json=body(), timeout=30)
    assert response.status_code == 401 and "X-Forwarded-Access-Token" in response.json()["error"]
    assert workspace.invocations() == []


def test_no_token_in_logs_or_responses(
    api: str, workspace: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    user_token = "user-secret-token-9c1e"
    texts = []
    for fault in (None, Fault(status=401, message="expired"), Fault(status=500, message="boom")):
        for headers in ({"X-Forwarded-Access-Token": user_token}, {}):
            if fault is not None:
                workspace.inject(fault)
            texts.append("\n".join(sse_lines(api, body(), headers)))
    everything = caplog.text + "\n".join(texts)
    assert "Reload the page" in everything and "boom" in everything
    for secret in (user_token, APP_TOKEN):
        assert secret not in everything


def test_without_a_workspace_the_demo_answers(api: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("mas.demo.supervisor")
    monkeypatch.setenv("MAS_DEMO_PACING", "0")
    lines = sse_lines(api, body("What's our total revenue?"))
    events = data_of(lines)
    assert any(isinstance(e, dict) and e["type"] == "tool.call" for e in events)
    assert answer(lines) and events[-1] == "[DONE]"


def test_the_pipe_hands_over_every_item_in_order_from_a_thread() -> None:
    count = 2000

    async def consume() -> list[object]:
        pipe = EventPipe(asyncio.get_running_loop())

        def produce() -> None:
            for i in range(count):
                pipe.post(i)
                if i % 7 == 0:
                    time.sleep(0)  # let the loop in mid-burst

        threading.Thread(target=produce, daemon=True).start()
        received: list[object] = []
        while len(received) < count:
            assert await asyncio.wait_for(pipe.wait(None), timeout=10)
            received += pipe.drain()
        return received

    assert asyncio.run(consume()) == list(range(count))


def test_a_post_racing_the_coroutine_into_its_wait_still_wakes_it() -> None:
    """The stream thread posts after the coroutine found nothing but before its waiter is visible."""

    async def scenario() -> tuple[bool, list[object]]:
        loop = asyncio.get_running_loop()
        pipe = EventPipe(loop)
        create_future = loop.create_future

        def create_future_then_post() -> asyncio.Future[Any]:
            del loop.create_future  # only the waiter's
            future = create_future()
            pipe.post("raced")  # sees no waiter yet, so it wakes nobody
            return future

        loop.create_future = create_future_then_post  # type: ignore[method-assign]
        rescue = loop.call_later(5, pipe.post, "rescued")  # a lost wake-up waits for this post
        try:
            woken = await pipe.wait(None)
        finally:
            rescue.cancel()
        return woken, pipe.drain()

    assert asyncio.run(scenario()) == (True, ["raced"])


def test_the_pipe_wait_times_out_and_a_later_item_still_arrives() -> None:
    async def scenario() -> tuple[bool, bool, list[object]]:
        pipe = EventPipe(asyncio.get_running_loop())
        timed_out = await pipe.wait(0.01)
        threading.Timer(0.05, pipe.post, args=("late",)).start()
        arrived = await asyncio.wait_for(pipe.wait(None), timeout=10)
        return timed_out, arrived, pipe.drain()

    assert asyncio.run(scenario()) == (False, True, ["late"])


def test_the_pipe_refuses_posts_once_the_loop_is_closed() -> None:
    loop = asyncio.new_event_loop()
    pipe = EventPipe(loop)
    assert pipe.post("before")
    loop.close()
    assert not pipe.post("after") and pipe.stop.is_set()
    assert pipe.drain() == ["before"]
