"""The emulator speaks like the real servers: openai-python's typed stream and accumulator accept its
Responses stream on both routes, it speaks MLflow AgentServer's plainer dialect and ChatAgent's,
and our client answers from every one of them. Real HTTP on 127.0.0.1, real openai-python."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, get_args

import httpx
import openai
import pytest
from conftest import GENIE_TABLE, SCRIPT, WORKSPACE_ENDPOINT, ScriptedResponder
from openai.lib.streaming.responses import ResponseStream
from openai.types.responses import Response, ResponseStreamEvent
from support.emulator import Emulator, Fault

from mas.demo.server import scripted_metadata
from mas.endpoint import dialect as dialects
from mas.endpoint.client import MASStreamingClient
from mas.settings import DEFAULT_ENDPOINT_NAME as NAME
from mas.wire.events import Done, ErrorEvent, Event, TextDelta, ToolCall, ToolOutput
from mas.wire.messages import ChatMessage

QUESTION = "What is net revenue by region?"
_MEMBERS = get_args(get_args(ResponseStreamEvent)[0])
EVENT_MODELS = {get_args(m.model_fields["type"].annotation)[0]: m for m in _MEMBERS}


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture(autouse=True)
def _nothing_learnt() -> Iterator[None]:
    dialects.forget()
    yield
    dialects.forget()


def validated(data: dict[str, Any]) -> Any:
    """One event checked against openai-python's own pydantic model for its type (full validation)."""
    return EVENT_MODELS[data["type"]].model_validate(data)


def data_lines(text: str) -> list[str]:
    return [line[6:] for line in text.split("\n") if line.startswith("data: ")]


def sdk(emulator: Emulator) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{emulator.url}/serving-endpoints", api_key="test-token", max_retries=0)


def _invocations_stream(client: openai.OpenAI) -> Any:
    return client.post(
        f"/{NAME}/invocations",
        body={"input": [{"role": "user", "content": QUESTION}], "stream": True},
        cast_to=Response,
        stream=True,
        stream_cls=openai.Stream[ResponseStreamEvent],
    )


def test_openai_create_streams_from_the_openai_route_and_every_event_validates(
    demo_emulator: Emulator,
) -> None:
    with sdk(demo_emulator) as client:
        stream = client.responses.create(model=NAME, input=QUESTION, stream=True)
        events = [validated(event.to_dict()) for event in stream]
    kinds = [event.type for event in events]
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    assert [e.sequence_number for e in events] == list(range(len(events)))
    first_delta = kinds.index("response.output_text.delta")
    assert kinds[first_delta - 1] == "response.content_part.added"
    assert events[-1].response.model == NAME and events[-1].response.id == events[0].response.id


@pytest.mark.parametrize("route", ["responses", "invocations"])
def test_openai_accumulator_builds_the_full_response_on_both_routes(
    demo_emulator: Emulator, route: str
) -> None:
    with sdk(demo_emulator) as client:
        if route == "responses":
            manager = client.responses.stream(model=NAME, input=QUESTION)
            with manager as stream:
                done = [e.item for e in stream if e.type == "response.output_item.done"]
                final = stream.get_final_response()
        else:
            raw = _invocations_stream(client)
            stream = ResponseStream(
                raw_stream=raw, text_format=openai.omit, input_tools=openai.omit, starting_after=None
            )
            done = [e.item for e in stream if e.type == "response.output_item.done"]
            final = stream.get_final_response()
    assert [item.type for item in final.output] == [item.type for item in done]
    assert {"message", "function_call", "function_call_output"} <= {item.type for item in final.output}
    (call,) = [item for item in final.output if item.type == "function_call"]
    assert call.name == "agent-revenue-genie" and "genie_query" in json.loads(call.arguments)
    texts = [part.text for item in final.output if item.type == "message" for part in item.content]
    assert final.output_text == "".join(texts) and "revenue" in final.output_text.lower()


def test_a_script_with_reused_ids_done_only_text_and_a_bare_output_becomes_a_valid_stream() -> None:
    script = [
        {"type": "response.output_text.delta", "item_id": "m", "delta": "Asking Genie."},
        {
            "type": "response.output_item.done",
            "item": {
                "type": "message",
                "id": "m",
                "content": [{"type": "output_text", "text": "Asking Genie."}],
            },
        },
        *SCRIPT[5:7],
        {
            "type": "response.output_item.done",
            "item": {
                "type": "message",
                "id": "m",
                "content": [{"type": "output_text", "text": "EMEA leads."}],
            },
        },
        {"type": "function_call_output", "call_id": "call_1", "output": {"rows": [[1]]}},
    ]
    with Emulator(responder=ScriptedResponder(script), dialect="responses") as server, sdk(server) as client:
        events = [
            validated(e.to_dict()) for e in client.responses.create(model=NAME, input="hi", stream=True)
        ]
        with client.responses.stream(model=NAME, input="hi") as stream:
            final = stream.get_final_response()
    assert [e.type for e in events].count("response.output_item.added") == len(final.output) == 5
    messages = [item for item in final.output if item.type == "message"]
    assert [m.content[0].text for m in messages] == ["Asking Genie.", "EMEA leads."]
    assert len({m.id for m in messages}) == 2
    assert final.output[-1].type == "function_call_output" and final.output[-1].output == '{"rows": [[1]]}'


def test_a_failing_responder_ends_the_responses_stream_with_a_typed_error(http: httpx.Client) -> None:
    class Broken:
        def respond(self, input_items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            yield {"type": "response.output_text.delta", "item_id": "m", "delta": "partial"}
            raise RuntimeError("boom")

    with Emulator(responder=Broken(), dialect="responses") as server:
        body = {"input": [{"role": "user", "content": "hi"}], "stream": True}
        lines = data_lines(http.post(f"{server.url}/serving-endpoints/{NAME}/invocations", json=body).text)
    events = [validated(json.loads(line)) for line in lines[:-1]]
    assert events[-1].type == "error" and "boom" in events[-1].message
    assert lines[-1] == "[DONE]"


def test_agent_server_dialect_is_plain_and_reports_errors_and_trace_ids_untyped(http: httpx.Client) -> None:
    class Failing(ScriptedResponder):
        def respond(self, input_items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            yield from super().respond(input_items)
            raise ValueError("tool exploded")

    with Emulator(responder=ScriptedResponder(), dialect="agent_server") as server:
        url = f"{server.url}/serving-endpoints/{NAME}/invocations"
        body = {"input": [{"role": "user", "content": "hi"}], "stream": True}
        plain = data_lines(http.post(url, json=body, headers={"x-mlflow-return-trace-id": "true"}).text)
        server.set_responder(NAME, Failing())
        failed = data_lines(http.post(url, json=body).text)
    chunks = [json.loads(line) for line in plain[:-1]]
    kinds = [c.get("type") for c in chunks]
    assert "response.created" not in kinds and "response.completed" not in kinds
    assert not any("sequence_number" in c or "output_index" in c for c in chunks)
    assert not any("status" in c["item"] for c in chunks if "item" in c)
    assert chunks[-1]["trace_id"].startswith("tr-") and plain[-1] == "[DONE]"
    assert json.loads(failed[-2]) == {"error": "Responder failed: tool exploded"} and failed[-1] == "[DONE]"


def _chat_metadata(name: str) -> dict[str, Any]:
    return {**scripted_metadata(name), "task": "agent/v2/chat", "tile_endpoint_metadata": None}


def _events(client: MASStreamingClient, text: str = "hi") -> list[Event]:
    return list(client.stream_events([ChatMessage(role="user", content=text)]))


def test_chat_agent_endpoint_gets_a_messages_body_and_answers_in_chat_agent_chunks(
    client_for: Callable[..., MASStreamingClient], http: httpx.Client
) -> None:
    with Emulator(responder=ScriptedResponder(), metadata=_chat_metadata) as server:
        events = _events(client_for(server))
        _events(client_for(server))
        raw = http.post(
            f"{server.url}/serving-endpoints/{NAME}/invocations",
            json={"messages": [{"role": "user", "content": "hi"}], "stream": True},
        )
        posts = server.invocations()
        lookups = [r for r in server.requests if r.path.startswith("/api/2.0/serving-endpoints/")]
    assert posts[0].body == {"messages": [{"role": "user", "content": "hi"}], "stream": True}
    assert len(lookups) == 1  # once per endpoint and identity, although each client is new
    chunks = [json.loads(line) for line in data_lines(raw.text)[:-1]]
    assert all(set(chunk) == {"delta"} for chunk in chunks)
    assert events[-1] == Done()
    assert [e for e in events if isinstance(e, ToolCall)] == [
        ToolCall(
            name="agent-revenue-genie",
            args={"genie_query": "Total net revenue by region"},
            call_id="call_1",
            agent="supervisor-agent",
        )
    ]
    assert [e for e in events if isinstance(e, ToolOutput)] == [
        ToolOutput(name="agent-revenue-genie", output=GENIE_TABLE, call_id="call_1")
    ]
    text = "".join(e.delta for e in events if isinstance(e, TextDelta))
    assert "Let me check the revenue data." in text and text.endswith("EMEA leads with $1,200.50.")


def test_a_400_naming_messages_switches_the_body_once_and_says_so(
    client_for: Callable[..., MASStreamingClient], caplog: pytest.LogCaptureFixture
) -> None:
    with Emulator(responder=ScriptedResponder(), metadata=_chat_metadata) as server:
        client = client_for(server)  # its workspace client probes the host first
        server.inject(Fault(route="metadata", status=403, error_code="PERMISSION_DENIED", message="no"))
        with caplog.at_level("WARNING", logger="mas.endpoint.client"):
            events = _events(client)
            again = _events(client)
        first, second, third = server.invocations()
    assert "input" in first.body and "messages" in second.body and "messages" in third.body
    assert events[-1] == Done() and again[-1] == Done()
    assert [r.message for r in caplog.records if "switching" in r.message] == [
        f"[MAS] endpoint {NAME} rejected the responses body as missing its inputs; switching to chat bodies"
    ]


def test_a_400_that_is_not_about_the_body_is_not_retried(
    client_for: Callable[..., MASStreamingClient],
) -> None:
    with Emulator(responder=ScriptedResponder()) as server:
        server.inject(Fault(status=400, error_code="BAD_REQUEST", message="Model is missing inputs ['x']."))
        events = _events(client_for(server))
        assert len(server.invocations()) == 1
    assert isinstance(events[-1], ErrorEvent) and events[-1].status == 400


def test_the_preflight_lookup_is_reused_by_the_client(
    as_workspace: Callable[[Emulator], Emulator],
) -> None:
    from mas.endpoint.connection import resolve
    from mas.endpoint.preflight import run_preflight

    responder = ScriptedResponder()
    with Emulator(responder=responder, metadata=_chat_metadata, endpoint_name=WORKSPACE_ENDPOINT) as server:
        as_workspace(server)
        connection = resolve()
        try:
            assert run_preflight(connection).ok
            events = list(connection.stream_events([ChatMessage(role="user", content="hi")]))
        finally:
            connection.close()
        gets = [r for r in server.requests if r.method == "GET" and "/serving-endpoints/" in r.path]
        (post,) = server.invocations()
    assert len(gets) == 1 and "messages" in post.body and events[-1] == Done()


def test_chat_agent_json_body_for_stream_false(http: httpx.Client) -> None:
    with Emulator(responder=ScriptedResponder(), metadata=_chat_metadata) as server:
        body = {"messages": [{"role": "user", "content": "hi"}]}
        answer = http.post(f"{server.url}/serving-endpoints/{NAME}/invocations", json=body).json()
        missing = http.post(f"{server.url}/serving-endpoints/{NAME}/invocations", json={"input": "hi"})
    roles = [m["role"] for m in answer["messages"]]
    assert roles.count("tool") == 1 and roles[-1] == "assistant"
    assert answer["messages"][-1]["content"] == "EMEA leads with $1,200.50."
    assert missing.status_code == 400
    assert (
        missing.json()["message"]
        == "Model is missing inputs ['messages']. Note that there were extra inputs: ['input']"
    )
