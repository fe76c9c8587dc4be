"""MASStreamingClient end to end: a real WorkspaceClient and httpx against the emulator over loopback."""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from conftest import GENIE_TABLE, SCRIPT_TEXT, TEST_TOKEN, ScriptedResponder, text_deltas
from databricks.sdk import WorkspaceClient
from support.emulator import MALFORMED_LINES, Emulator, Fault

from mas import ChatMessage
from mas.endpoint.client import MASStreamingClient
from mas.settings import DEFAULT_ENDPOINT_NAME, RetryPolicy, Timeouts
from mas.wire.events import Done, ErrorEvent, Event, TextDelta, ToolCall, ToolOutput

ClientFor = Callable[..., MASStreamingClient]
QUESTION = [ChatMessage(role="user", content="What's our total revenue?")]


def _run(client: MASStreamingClient, messages: list[ChatMessage] = QUESTION) -> list[Event]:
    events = list(client.stream_events(messages))
    terminals = [e for e in events if isinstance(e, ErrorEvent | Done)]
    assert len(terminals) == 1 and events[-1] is terminals[0], events
    return events


def _text(events: list[Event]) -> str:
    # Whitespace-insensitive: how message items are joined into paragraphs is the decoder's choice.
    return " ".join("".join(e.delta for e in events if isinstance(e, TextDelta)).split())


def _error(events: list[Event]) -> ErrorEvent:
    assert isinstance(events[-1], ErrorEvent), events
    return events[-1]


def _recording_sleep(client: MASStreamingClient) -> list[float]:
    waits: list[float] = []
    client._sleep = waits.append
    return waits


def test_streams_text_tool_call_and_output(emulator: Emulator, client_for: ClientFor) -> None:
    events = _run(client_for(emulator))
    assert _text(events) == SCRIPT_TEXT
    (call,) = [e for e in events if isinstance(e, ToolCall)]
    assert call.name == "agent-revenue-genie" and call.args == {"genie_query": "Total net revenue by region"}
    (output,) = [e for e in events if isinstance(e, ToolOutput)]
    assert output.name == "agent-revenue-genie" and output.output == GENIE_TABLE
    assert isinstance(events[-1], Done)
    types = [e.type for e in events]
    assert types.index("tool.call") < types.index("tool.output") < len(types) - 1


def test_request_shape_and_auth(emulator: Emulator, client_for: ClientFor) -> None:
    _run(client_for(emulator))
    (record,) = emulator.invocations()
    assert record.path == f"/serving-endpoints/{DEFAULT_ENDPOINT_NAME}/invocations"
    assert record.body == {
        "input": [{"role": "user", "content": "What's our total revenue?"}],
        "stream": True,
    }
    assert record.headers["Accept"] == "text/event-stream"
    assert record.headers["Content-Type"] == "application/json"
    assert record.auth_fingerprint == hashlib.sha256(f"Bearer {TEST_TOKEN}".encode()).hexdigest()


def test_the_token_of_the_given_workspace_client_is_used(emulator: Emulator, client_for: ClientFor) -> None:
    _run(client_for(emulator, token="another-token"))
    assert emulator.invocations()[0].auth_fingerprint == hashlib.sha256(b"Bearer another-token").hexdigest()


def test_multi_turn_history_is_sent_whole(emulator: Emulator, client_for: ClientFor) -> None:
    history = [
        ChatMessage(role="system", content="Be brief."),
        ChatMessage(role="user", content="Revenue in 2024?"),
        ChatMessage(role="assistant", content="Revenue in 2024 was $12.3M."),
        ChatMessage(role="user", content="And 2025?"),
    ]
    _run(client_for(emulator), history)
    assert emulator.invocations()[0].body["input"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Revenue in 2024?"},
        {"role": "assistant", "content": "Revenue in 2024 was $12.3M."},
        {"role": "user", "content": "And 2025?"},
    ]


def test_connections_are_reused_between_questions(emulator: Emulator, client_for: ClientFor) -> None:
    client = client_for(emulator)
    _run(client)
    _run(client)
    first, second = emulator.invocations()
    assert first.peer == second.peer


def test_endpoint_name_defaults_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    assert MASStreamingClient().endpoint_name == DEFAULT_ENDPOINT_NAME
    monkeypatch.setenv("MAS_ENDPOINT_NAME", "mas-abc-endpoint")
    assert MASStreamingClient().endpoint_name == "mas-abc-endpoint"
    assert MASStreamingClient(endpoint_name="x").endpoint_name == "x"


@pytest.mark.timeout(60)
def test_default_workspace_client_from_env_fails_fast_on_a_dead_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABRICKS_HOST", f"http://127.0.0.1:{_free_port()}")
    monkeypatch.setenv("DATABRICKS_TOKEN", TEST_TOKEN)
    client = MASStreamingClient(timeouts=Timeouts(connect=1, read=2), retry=RetryPolicy(attempts=1))
    error = _error(_run(client))
    assert error.code == "network" and "127.0.0.1" in error.message
    assert client.workspace_client.config.host == os.environ["DATABRICKS_HOST"]


def test_construction_is_cheap_and_unconfigured_use_is_an_error_event() -> None:
    client = MASStreamingClient()
    assert client._workspace_client is None and client._http is None
    events = list(client.stream_events(QUESTION))
    assert len(events) == 1
    assert _error(events).code == "auth"


DENIED = "User lacks CAN_QUERY on agent-revenue-genie"


@pytest.mark.parametrize(
    ("fault", "status", "code", "fragments"),
    [
        (Fault(status=401, error_code="UNAUTHENTICATED", message="Invalid access token."), 401,
         "UNAUTHENTICATED", ["credentials", "Sign in again", "Invalid access token."]),
        (Fault(status=403, error_code="PERMISSION_DENIED", message=DENIED), 403, "PERMISSION_DENIED",
         ["CAN_QUERY", "sub-agents", DENIED]),
        (Fault(status=500, error_code="INTERNAL_ERROR", message="boom"), 500, "INTERNAL_ERROR",
         ["HTTP 500", "upstream", "boom"]),
        (Fault(status=502, html=True, message="upstream connect error"), 502, "http_502",
         ["HTTP 502", "error page", "502 Bad Gateway"]),
        (Fault(status=400, error_code="INVALID_PARAMETER_VALUE", message="bad input"), 400,
         "INVALID_PARAMETER_VALUE", ["HTTP 400", "bad input"]),
    ],
)  # fmt: skip
def test_http_errors_become_one_actionable_error_event(
    emulator: Emulator, client_for: ClientFor, fault: Fault, status: int, code: str, fragments: list[str]
) -> None:
    emulator.inject(fault)
    events = _run(client_for(emulator))
    error = _error(events)
    assert len(events) == 1
    assert (error.status, error.code) == (status, code)
    for fragment in fragments:
        assert fragment in error.message
    assert len(emulator.invocations()) == 1  # never retried


def test_unknown_endpoint_is_named_in_the_404(emulator: Emulator, client_for: ClientFor) -> None:
    error = _error(_run(client_for(emulator, endpoint_name="mas-nope-endpoint")))
    assert (
        error.status == 404
        and "'mas-nope-endpoint'" in error.message
        and "MAS_ENDPOINT_NAME" in error.message
    )


def test_html_page_with_status_200_is_an_error(emulator: Emulator, client_for: ClientFor) -> None:
    emulator.inject(Fault(status=200, html=True, message="Sign in"))
    error = _error(_run(client_for(emulator)))
    assert error.status == 200 and "web page" in error.message


def test_429_is_retried_then_succeeds(emulator: Emulator, client_for: ClientFor) -> None:
    emulator.inject(Fault(status=429, error_code="REQUEST_LIMIT_EXCEEDED", message="slow down"))
    client = client_for(emulator)
    waits = _recording_sleep(client)
    events = _run(client)
    assert isinstance(events[-1], Done) and _text(events) == SCRIPT_TEXT
    assert len(emulator.invocations()) == 2 and len(waits) == 1


def test_429_exhausted_is_a_rate_limit_error(emulator: Emulator, client_for: ClientFor) -> None:
    emulator.inject(Fault(status=429, error_code="REQUEST_LIMIT_EXCEEDED", message="slow down", times=5))
    client = client_for(emulator, retry=RetryPolicy(attempts=3, base_wait=0.01, max_wait=1))
    waits = _recording_sleep(client)
    error = _error(_run(client))
    assert error.status == 429 and "rate limiting" in error.message and "after 3 attempts" in error.message
    assert "slow down" in error.message
    assert len(emulator.invocations()) == 3
    assert waits == [0.01, 0.02]  # exponential backoff without Retry-After


def test_503_honours_retry_after(emulator: Emulator, client_for: ClientFor) -> None:
    emulator.inject(Fault(status=503, error_code="TEMPORARILY_UNAVAILABLE", message="busy", retry_after="1"))
    client = client_for(emulator, retry=RetryPolicy(attempts=3, base_wait=0.01, max_wait=5))
    waits = _recording_sleep(client)
    assert isinstance(_run(client)[-1], Done)
    assert waits == [1.0]


def test_retry_after_is_bounded_by_max_wait(emulator: Emulator, client_for: ClientFor) -> None:
    emulator.inject(Fault(status=503, retry_after="3600"))
    client = client_for(emulator, retry=RetryPolicy(attempts=2, base_wait=0.01, max_wait=0.2))
    waits = _recording_sleep(client)
    assert isinstance(_run(client)[-1], Done)
    assert waits == [0.2]


def test_retry_after_really_waits(emulator: Emulator, client_for: ClientFor) -> None:
    emulator.inject(Fault(status=429, retry_after="0.3"))
    client = client_for(emulator, retry=RetryPolicy(attempts=2, base_wait=0.01, max_wait=5))
    started = time.perf_counter()
    assert isinstance(_run(client)[-1], Done)
    assert time.perf_counter() - started >= 0.3


def test_reset_before_the_response_is_retried(emulator: Emulator, client_for: ClientFor) -> None:
    emulator.inject(Fault(reset=True))
    events = _run(client_for(emulator))
    assert isinstance(events[-1], Done)
    assert [r.outcome for r in emulator.settle() if r.method == "POST"] == ["reset", "ok"]


def test_reset_every_time_ends_with_a_network_error(emulator: Emulator, client_for: ClientFor) -> None:
    emulator.inject(Fault(reset=True, times=3))
    error = _error(_run(client_for(emulator)))
    assert error.code == "network" and "connection failed" in error.message
    assert len(emulator.invocations()) == 3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused_is_retried_then_an_error(
    workspace_client_for: Callable[..., WorkspaceClient], scripted: Callable[..., ScriptedResponder]
) -> None:
    # Build the WorkspaceClient while the emulator is up: the SDK's start-up probe retries a refused
    # host for minutes. Then stop the emulator so the port refuses connections.
    with Emulator(responder=scripted()) as server:
        workspace = workspace_client_for(server.url)
    client = MASStreamingClient(workspace_client=workspace, retry=RetryPolicy(attempts=3, base_wait=0.01))
    waits = _recording_sleep(client)
    error = _error(_run(client))
    assert error.code == "network" and server.url in error.message
    assert len(waits) == 2
    client.close()


def test_connection_refused_then_the_server_comes_up(
    workspace_client_for: Callable[..., WorkspaceClient], scripted: Callable[..., ScriptedResponder]
) -> None:
    port = _free_port()
    with Emulator(responder=scripted(), port=port) as server:
        workspace = workspace_client_for(server.url)
    started: list[Emulator] = []
    client = MASStreamingClient(
        workspace_client=workspace, retry=RetryPolicy(attempts=20, base_wait=0.05, max_wait=0.05)
    )

    def sleep_then_start(seconds: float) -> None:
        if not started:
            started.append(Emulator(responder=scripted(), port=port))
        time.sleep(seconds)

    client._sleep = sleep_then_start
    try:
        events = _run(client)
    finally:
        client.close()
        for server in started:
            server.close()
    assert isinstance(events[-1], Done)
    assert len(started[0].invocations()) == 1


def test_events_arrive_unbuffered(scripted: Callable[..., ScriptedResponder], client_for: ClientFor) -> None:
    with Emulator(responder=scripted(text_deltas(2)), pacing=1.0) as server:
        stream = client_for(server).stream_events(QUESTION)
        first = next(stream)
        received_at = time.perf_counter()
        assert isinstance(first, TextDelta) and first.delta == "word0 "
        record = server.invocations()[0]
        deadline = time.monotonic() + 10
        while len(record.write_times) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        # The first event was in our hands before the server even wrote the second (~1 s later).
        assert received_at < record.write_times[1]
        stream.close()


def test_idle_timeout_mid_stream_keeps_text_then_errors(emulator: Emulator, client_for: ClientFor) -> None:
    emulator.inject(Fault(stall=30, stall_after=4))  # after the two deltas of the first message
    events = _run(client_for(emulator, timeouts=Timeouts(connect=2, read=0.5)))
    assert _text(events) == "Let me check the revenue data."
    error = _error(events)
    assert error.code == "timeout" and "0.5 s" in error.message and "incomplete" in error.message
    assert len(emulator.invocations()) == 1


def test_idle_timeout_before_any_event_is_not_retried(emulator: Emulator, client_for: ClientFor) -> None:
    emulator.inject(Fault(stall=30, stall_after=0))
    events = _run(client_for(emulator, timeouts=Timeouts(connect=2, read=0.5)))
    assert len(events) == 1 and _error(events).code == "timeout"
    assert len(emulator.invocations()) == 1


def test_stream_cut_mid_line_keeps_partial_text_then_errors(
    emulator: Emulator, client_for: ClientFor
) -> None:
    emulator.inject(Fault(cut_after=4))  # after the two deltas of the first message
    events = _run(client_for(emulator))
    assert _text(events) == "Let me check the revenue data."
    error = _error(events)
    assert error.code == "network" and "mid-answer" in error.message
    assert len(emulator.invocations()) == 1  # never retried once text was streamed


def test_malformed_lines_do_not_break_the_stream(emulator: Emulator, client_for: ClientFor) -> None:
    emulator.inject(Fault(malformed=MALFORMED_LINES, malformed_after=2))
    events = _run(client_for(emulator))
    assert _text(events) == SCRIPT_TEXT
    assert isinstance(events[-1], Done)


def test_json_answer_to_a_streaming_request(emulator: Emulator, client_for: ClientFor) -> None:
    emulator.inject(Fault(force_json=True))
    events = _run(client_for(emulator))
    assert "EMEA leads with $1,200.50." in _text(events)
    assert any(isinstance(e, ToolCall) for e in events) and isinstance(events[-1], Done)


def test_config_error_as_a_json_body_with_status_200(emulator: Emulator, client_for: ClientFor) -> None:
    # mas-output.md §3: an Agent Bricks config error may arrive as one JSON body, not a stream.
    message = "Error getting permissions for table(s): main.sales.orders"
    emulator.inject(Fault(status=200, error_code="INVALID_PARAMETER_VALUE", message=message))
    error = _error(_run(client_for(emulator)))
    assert message in error.message


def test_closing_early_closes_the_connection(
    scripted: Callable[..., ScriptedResponder], client_for: ClientFor
) -> None:
    with Emulator(responder=scripted(text_deltas(400)), pacing=0.02) as server:
        stream = client_for(server).stream_events(QUESTION)
        assert isinstance(next(stream), TextDelta)
        stream.close()
        record = server.invocations()[0]
        assert record.finished.wait(10)
        assert record.outcome == "disconnected"
        assert record.events_sent < 400


def test_no_token_or_authorization_header_in_logs(
    emulator: Emulator, client_for: ClientFor, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "dapi-SECRET-0123456789abcdef"
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "databricks", "mas", "urllib3"):
        caplog.set_level(logging.DEBUG, logger=name)  # restored after the test
    client = client_for(emulator, token=secret)
    for fault in (None, Fault(status=401, message="bad token"), Fault(status=429), Fault(cut_after=2),
                  Fault(reset=True, times=3)):  # fmt: skip
        if fault:
            emulator.inject(fault)
        _run(client)
    text = caplog.text + "".join(repr(record.args) for record in caplog.records)
    assert "[MAS] Streaming from endpoint: " + DEFAULT_ENDPOINT_NAME in text
    assert "[MAS] Message count: 1" in text and "[STREAM]" in text
    assert "Traceback" in text  # errors are logged with their stack traces
    assert secret not in text
    assert "Bearer" not in text and "authorization" not in text.lower()


def test_concurrent_streams_share_one_client(emulator: Emulator, client_for: ClientFor) -> None:
    client = client_for(emulator)
    results: list[list[Event]] = []
    lock = threading.Lock()

    def ask() -> None:
        events = list(client.stream_events(QUESTION))
        with lock:
            results.append(events)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 8
    assert all(_text(events) == SCRIPT_TEXT and isinstance(events[-1], Done) for events in results)


def test_close_is_idempotent_and_context_manager(emulator: Emulator, workspace_client_for: Any) -> None:
    with MASStreamingClient(workspace_client=workspace_client_for(emulator.url)) as client:
        assert isinstance(_run(client)[-1], Done)
    client.close()
    assert client._http is None
