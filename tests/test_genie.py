"""The direct Genie backend end to end over HTTP against the emulator's Genie Conversation API.

Every point of the backend: the status sequence in words, conversations that continue, SQL and
statement results as the Supervisor path's tool events, clarifying questions, several queries in
one message, expiry and re-run, the per-workspace rate-limit queue and Genie's 429, a full
download of more than 20,000 rows through links fetched without Authorization, Stop while
polling, the 10-minute limit, feedback, settings, and one user's data never reaching another.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from databricks.sdk import WorkspaceClient
from support.emulator import Emulator, fingerprint

from mas.demo.genie_downloads import INLINE_ROWS
from mas.demo.genie_messages import CLARIFY
from mas.errors import ConfigError
from mas.genie.attachments import GenieDetails
from mas.genie.conversation import CLARIFY_PREFIX, CONVERSATION_KEY, RERUN_NOTE, GenieBackend
from mas.genie.download import full_result_csv
from mas.genie.feedback import send_feedback
from mas.genie.pacing import STATUS_WORDS, RateGate, poll_delays
from mas.results.toolresult import parse_tool_output
from mas.settings import GeniePolicy
from mas.wire.events import Done, ErrorEvent, Event, Status, TextDelta, ToolCall, ToolOutput
from mas.wire.messages import ChatMessage

SPACE = "01f0test0genie0space"
FAST = GeniePolicy(first_poll=0.05, max_poll=0.2, timeout=30.0, questions_per_minute=50, rate_window=60.0)


@pytest.fixture
def genie() -> Iterator[Emulator]:
    with Emulator() as emulator:
        emulator.genie.step_seconds = 0.05
        yield emulator


@pytest.fixture
def backend_for() -> Iterator[Callable[..., GenieBackend]]:
    made: list[GenieBackend] = []

    def build(
        emulator: Emulator,
        *,
        token: str = "genie-user",
        policy: GeniePolicy = FAST,
        gate: RateGate | None = None,
    ) -> GenieBackend:
        wc = WorkspaceClient(host=emulator.url, token=token, auth_type="pat")
        gate = gate or RateGate(limit=policy.questions_per_minute, window=policy.rate_window)
        backend = GenieBackend(workspace_client=wc, space_id=SPACE, policy=policy, gate=gate)
        made.append(backend)
        return backend

    yield build
    for backend in made:
        backend.close()


def ask(backend: GenieBackend, question: str, state: dict[str, Any] | None = None) -> list[Event]:
    return list(backend.stream_events([ChatMessage(role="user", content=question)], state=state))


def of(events: list[Event], kind: type[Any]) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]


def test_statuses_in_words_then_sql_and_result_as_tool_events(genie: Emulator, backend_for: Any) -> None:
    genie.genie.step_seconds = 1.0  # well over the longest poll delay: every status is seen
    events = ask(backend_for(genie), "Which region brings in the most revenue?")
    stages = list(dict.fromkeys(s.stage for s in of(events, Status)))
    expected = [
        "SENDING",
        "SUBMITTED",
        "FETCHING_METADATA",
        "FILTERING_CONTEXT",
        "ASKING_AI",
        "PENDING_WAREHOUSE",
        "EXECUTING_QUERY",
        "COMPLETED",
    ]
    # In Genie's order; on a loaded machine a slow poll may land past one of them.
    assert stages == [s for s in expected if s in stages] and len(stages) >= 5
    assert stages[:2] == ["SENDING", "SUBMITTED"] and stages[-1] == "COMPLETED"
    words = {s.stage: s.message for s in of(events, Status)}
    assert words["ASKING_AI"] == "Asking AI…" and words["EXECUTING_QUERY"] == "Running the query…"
    assert all(s.elapsed is not None and s.elapsed >= 0 for s in of(events, Status))
    kinds = [type(e) for e in events if not isinstance(e, Status)]
    assert kinds == [ToolCall, ToolOutput, TextDelta, Done]
    call, output = of(events, ToolCall)[0], of(events, ToolOutput)[0]
    assert (
        call.args["question"] == "Which region brings in the most revenue?" and call.call_id == output.call_id
    )
    result = parse_tool_output(output.output)
    assert result.sql and "GROUP BY region" in result.sql
    assert result.table is not None and len(result.table) == 4 and not result.truncated
    assert result.suggestions, "Genie's suggested questions become the follow-ups"
    details = GenieDetails.from_output(output.output)
    assert details is not None and details.title == "Net revenue by region"
    assert any(t.startswith("Interpretation:") for t in details.thoughts)
    top = result.table.iloc[0, 0]
    assert str(top) in of(events, TextDelta)[0].delta


def test_the_conversation_continues_with_its_id_kept_in_the_state(genie: Emulator, backend_for: Any) -> None:
    backend, state = backend_for(genie), {}
    ask(backend, "Which region brings in the most revenue?", state)
    first = state[CONVERSATION_KEY]
    events = ask(backend, "what about 2024?", state)
    assert state[CONVERSATION_KEY] == first
    posts = [r.path for r in genie.requests if r.method == "POST"]
    assert posts[0].endswith("/start-conversation")
    assert posts[1].endswith(f"/conversations/{first}/messages")
    # Genie's own context made the elliptical follow-up a 2024 question.
    assert "2024" in (parse_tool_output(of(events, ToolOutput)[0].output).sql or "")


def test_an_ambiguous_question_gets_a_clarifying_question_back(genie: Emulator, backend_for: Any) -> None:
    events = ask(backend_for(genie), "hello there")
    assert not of(events, ToolCall) and isinstance(events[-1], Done)
    (text,) = of(events, TextDelta)
    assert text.delta.startswith(CLARIFY_PREFIX) and CLARIFY in text.delta


def test_several_query_attachments_are_each_shown(genie: Emulator, backend_for: Any) -> None:
    events = ask(backend_for(genie), "revenue by region; revenue by channel")
    calls, outputs = of(events, ToolCall), of(events, ToolOutput)
    assert len(calls) == len(outputs) == 2 and [c.call_id for c in calls] == [o.call_id for o in outputs]
    sqls = [parse_tool_output(o.output).sql or "" for o in outputs]
    assert "region" in sqls[0] and "channel" in sqls[1]


def test_an_expired_result_is_re_run_and_the_answer_says_so(genie: Emulator, backend_for: Any) -> None:
    genie.genie.expire_results = True
    events = ask(backend_for(genie), "What's our total revenue?")
    assert RERUN_NOTE in "".join(e.delta for e in of(events, TextDelta))
    assert any(r.path.endswith("/execute-query") for r in genie.requests)
    result = parse_tool_output(of(events, ToolOutput)[0].output)
    assert result.kind == "kpi" and result.table is not None
    assert GenieDetails.from_output(of(events, ToolOutput)[0].output).rerun  # type: ignore[union-attr]


def test_a_sixth_question_in_the_window_waits_its_turn(genie: Emulator, backend_for: Any) -> None:
    genie.genie.rate_limit, genie.genie.rate_window = 5, 3.0
    policy = GeniePolicy(first_poll=0.05, max_poll=0.2, questions_per_minute=5, rate_window=3.0)
    gate = RateGate(limit=5, window=3.0)
    results: dict[int, list[Event]] = {}

    def run(index: int) -> None:
        results[index] = ask(backend_for(genie, policy=policy, gate=gate), "What's our total revenue?")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
        time.sleep(0.02)
    for thread in threads:
        thread.join(timeout=30)
    assert all(isinstance(results[i][-1], Done) for i in range(6))
    waits = [s for i in range(6) for s in of(results[i], Status) if s.stage == "RATE_LIMITED"]
    assert waits, "the sixth question saw a wait"
    assert (
        waits[0].message.startswith("Waiting for Genie's rate limit — about ")
        and waits[0].queue_position == 1
    )
    assert 0 < (waits[0].wait_seconds or 0) <= 3.0
    refused = [r for r in genie.requests if r.outcome == "error" and r.path.startswith("/api/2.0/genie")]
    assert not refused, "our queue kept Genie from refusing"


def test_a_429_is_waited_out_with_retry_after(genie: Emulator, backend_for: Any) -> None:
    genie.genie.rate_limit, genie.genie.rate_window = 1, 2.0
    other = httpx.post(
        f"{genie.url}/api/2.0/genie/spaces/{SPACE}/start-conversation",
        json={"content": "What's our total revenue?"},
        headers={"Authorization": "Bearer x"},
    )
    assert other.status_code == 200
    events = ask(backend_for(genie), "Which region brings in the most revenue?")
    assert isinstance(events[-1], Done)
    refused = [r for r in genie.requests if r.outcome == "error" and r.method == "POST"]
    assert len(refused) >= 1
    waits = [s for s in of(events, Status) if s.stage == "RATE_LIMITED"]
    assert waits and all(w.wait_seconds is not None and w.wait_seconds <= 2.0 for w in waits)


def test_stop_while_polling_stops_the_requests(genie: Emulator, backend_for: Any) -> None:
    genie.genie.step_seconds = 5.0
    events = backend_for(genie).stream_events([ChatMessage(role="user", content="Total revenue?")])
    seen = [next(events) for _ in range(3)]
    assert all(isinstance(e, Status) for e in seen)
    events.close()
    before = len(genie.requests)
    time.sleep(1.0)
    assert len(genie.requests) == before


def test_a_message_that_never_finishes_times_out_with_a_clear_error(
    genie: Emulator, backend_for: Any
) -> None:
    genie.genie.step_seconds = 60.0
    policy = GeniePolicy(first_poll=0.05, max_poll=0.1, timeout=0.5, questions_per_minute=50)
    events = ask(backend_for(genie, policy=policy), "Total revenue?")
    assert isinstance(events[-1], ErrorEvent) and events[-1].code == "timeout"
    assert "did not finish within" in events[-1].message


def test_polling_backs_off_from_one_to_five_seconds() -> None:
    delays = [d for _, d in zip(range(20), poll_delays(GeniePolicy()), strict=False)]
    assert delays[0] == 1.0 and max(delays) == 5.0 and delays == sorted(delays)
    assert sum(delays[:12]) / 12 >= 1.0  # ≤ 1 poll a second on average
    assert set(STATUS_WORDS) >= {"FETCHING_METADATA", "ASKING_AI", "PENDING_WAREHOUSE", "EXECUTING_QUERY"}


def test_a_truncated_result_downloads_in_full_without_authorization(
    genie: Emulator, backend_for: Any
) -> None:
    backend = backend_for(genie)
    events = ask(backend, "quarterly revenue by customer")
    output = of(events, ToolOutput)[0].output
    result, details = parse_tool_output(output), GenieDetails.from_output(output)
    assert details is not None and result.truncated and result.row_count == INLINE_ROWS
    assert result.total_rows is not None and result.total_rows > 20_000
    progress: list[tuple[int, int | None]] = []
    lines = (
        b"".join(
            full_result_csv(
                backend.http,
                details.ids,
                attachment_id=details.attachment_id,
                progress=lambda d, t: progress.append((d, t)),
                sleep=lambda s: time.sleep(0.05),
            )
        )
        .decode()
        .splitlines()
    )
    assert len(lines) == result.total_rows + 1 and lines[0].split(",")[0] == str(result.table.columns[0])
    assert progress[-1] == (result.total_rows, result.total_rows) and len(progress) >= 3
    files = [r for r in genie.requests if r.path.startswith("/genie-files/")]
    assert len(files) == len(progress) and all(r.auth_fingerprint is None for r in files)
    chunks = [r for r in genie.requests if "/result/chunks/" in r.path]
    assert chunks and all(r.auth_fingerprint == fingerprint("Bearer genie-user") for r in chunks)
    refused = httpx.get(genie.url + files[0].path, headers={"Authorization": "Bearer genie-user"})
    assert refused.status_code == 400


def test_feedback_goes_to_genies_feedback_api(genie: Emulator, backend_for: Any) -> None:
    backend = backend_for(genie)
    events = ask(backend, "What's our total revenue?")
    details = GenieDetails.from_output(of(events, ToolOutput)[0].output)
    assert details is not None
    send_feedback(backend.http, details.ids, rating="NEGATIVE", comment="wrong period")
    wc = WorkspaceClient(host=genie.url, token="genie-user", auth_type="pat")
    message = wc.genie.get_message(SPACE, details.ids.conversation_id, details.ids.message_id)
    assert message.feedback is not None and message.feedback.rating is not None
    assert message.feedback.rating.value == "NEGATIVE" and message.feedback.comment == "wrong period"


def test_one_users_conversation_is_not_anothers(genie: Emulator, backend_for: Any) -> None:
    ana, bo = backend_for(genie, token="ana-token"), backend_for(genie, token="bo-token")
    state: dict[str, Any] = {}
    ask(ana, "What's our total revenue?", state)
    events = ask(bo, "what about 2024?", dict(state))  # Bo holding Ana's id gets his own conversation
    assert isinstance(events[-1], Done)
    by_token = {r.auth_fingerprint for r in genie.requests if r.path.startswith("/api/2.0/genie")}
    assert by_token == {fingerprint("Bearer ana-token"), fingerprint("Bearer bo-token")}
    refused = [r for r in genie.requests if r.outcome == "error" and "/conversations/" in r.path]
    assert refused and refused[0].auth_fingerprint == fingerprint("Bearer bo-token")


def test_backend_settings_are_checked(monkeypatch: pytest.MonkeyPatch, genie: Emulator) -> None:
    from mas.endpoint.connection import resolve

    monkeypatch.setenv("DATABRICKS_HOST", genie.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", "t")
    monkeypatch.setenv("MAS_BACKEND", "genie")
    with pytest.raises(ConfigError, match="GENIE_SPACE_ID"):
        resolve()
    monkeypatch.setenv("GENIE_SPACE_ID", "not a space id!")
    with pytest.raises(ConfigError, match="GENIE_SPACE_ID"):
        resolve()
    monkeypatch.setenv("MAS_BACKEND", "genies")
    with pytest.raises(ConfigError, match="MAS_BACKEND"):
        resolve()
    monkeypatch.setenv("MAS_BACKEND", "genie")
    monkeypatch.setenv("GENIE_SPACE_ID", SPACE)
    connection = resolve()
    assert connection.genie is not None and connection.genie.space_id == SPACE
    events = list(connection.stream_events([ChatMessage(role="user", content="Total revenue?")], state={}))
    assert isinstance(events[-1], Done) and of(events, ToolOutput)
    monkeypatch.setenv("MAS_BACKEND", "supervisor")
    assert resolve().genie is None


def test_cli_and_sse_api_ask_the_genie_space(monkeypatch: pytest.MonkeyPatch, genie: Emulator) -> None:
    import io
    import json

    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from mas.api import routes
    from mas.cli import main

    monkeypatch.setenv("DATABRICKS_HOST", genie.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", "cli-user")
    genie.genie.step_seconds = 0.6  # the default 1 s first poll sees the early statuses
    monkeypatch.setenv("MAS_BACKEND", "genie")
    monkeypatch.setenv("GENIE_SPACE_ID", SPACE)
    out, err = io.StringIO(), io.StringIO()
    assert main(["ask", "Which region brings in the most revenue?"], stdout=out, stderr=err) == 0
    assert "GROUP BY region" in out.getvalue() and "leads net revenue" in out.getvalue()
    assert "Asking AI…" in err.getvalue() or "Reading the data model…" in err.getvalue()
    with TestClient(Starlette(routes=routes(keepalive_seconds=5))) as client:
        with client.stream(
            "POST", "/api/chat/stream", json={"messages": [{"role": "user", "content": "Total revenue?"}]}
        ) as response:
            lines = [line[6:] for line in response.iter_lines() if line.startswith("data: ")]
        events = [json.loads(line) for line in lines[:-1]]
        assert lines[-1] == "[DONE]" and {"status", "tool.call", "tool.output", "text.delta"} <= {
            e["type"] for e in events
        }
        details = GenieDetails.from_output(next(e["output"] for e in events if e["type"] == "tool.output"))
        assert details is not None
        # The next request continues that Genie conversation when it hands the id back.
        follow = {
            "messages": [{"role": "user", "content": "what about 2024?"}],
            "conversation_state": {"genie_conversation_id": details.ids.conversation_id},
        }
        with client.stream("POST", "/api/chat/stream", json=follow) as response:
            assert response.status_code == 200 and b"[DONE]" in response.read()
        continued = f"/conversations/{details.ids.conversation_id}/messages"
        assert any(r.method == "POST" and r.path.endswith(continued) for r in genie.requests)
        # The full download route streams a CSV (a one-row result here: header and one line).
        from mas.downloads import download_url

        csv_text = client.get(download_url(details.ids, details.attachment_id)).text
        assert len(csv_text.splitlines()) == 2
        assert client.get("/api/genie/download?conversation_id=x").status_code == 400


def test_preflight_checks_the_genie_space(monkeypatch: pytest.MonkeyPatch, genie: Emulator) -> None:
    from mas.endpoint.connection import resolve
    from mas.endpoint.preflight import run_preflight

    monkeypatch.setenv("DATABRICKS_HOST", genie.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", "t")
    monkeypatch.setenv("MAS_BACKEND", "genie")
    monkeypatch.setenv("GENIE_SPACE_ID", SPACE)
    report = run_preflight(resolve())
    (check,) = [c for c in report.checks if c.name == "genie space"]
    assert report.ok and check.status == "ok" and genie.genie.title in check.message
    assert not any(r.path.startswith("/api/2.0/serving-endpoints") for r in genie.requests)
