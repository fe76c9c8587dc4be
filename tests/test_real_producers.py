"""Real producers: MLflow's own `AgentServer` (a ResponsesAgent) and `mlflow models serve` (a ChatAgent
model) in child processes, each behind a small workspace-shaped front on 127.0.0.1 (endpoint metadata
and `/serving-endpoints/<name>/invocations` proxied), answered through `MASStreamingClient`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import yaml
from databricks.sdk import WorkspaceClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from mas.endpoint import dialect as dialects
from mas.endpoint.client import MASStreamingClient
from mas.results.toolresult import parse_tool_output
from mas.settings import RetryPolicy, Timeouts
from mas.wire.events import Done, ErrorEvent, Event, TextDelta, ToolCall, ToolOutput
from mas.wire.messages import ChatMessage, HistoryItem, ToolCallItem, ToolOutputItem

AGENTS = Path(__file__).resolve().parent / "mlflow_agents"
sys.path.insert(0, str(AGENTS))
import supervisor  # noqa: E402  (the agents' shared script)

TOKEN = "front-token"
START_TIMEOUT = 90.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _child_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "MLFLOW_"))}
    # Traces and runs go to a temporary store, never a workspace.
    return {**env, "MLFLOW_TRACKING_URI": (tmp / "mlruns").as_uri(), "PYTHONUNBUFFERED": "1"}


class _Child:
    """A server in a child process on `port`, up once `probe` answers; stopped on close."""

    def __init__(self, command: list[str], *, port: int, probe: str, env: dict[str, str], log: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self._log = log.open("wb")
        self._process = subprocess.Popen(command, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self._process.poll() is not None:
                self.close()
                raise RuntimeError(f"{command[:3]} exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + probe, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass  # not listening yet
            if time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"{command[:3]} did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)

    def close(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._log.close()


@dataclass
class Front:
    """A workspace-shaped front: endpoint metadata, and invocations proxied to a real server."""

    endpoints: dict[str, tuple[str, str | None]]  # name -> (upstream base URL, task)
    bodies: list[Any] = field(default_factory=list)
    url: str = ""

    async def _metadata(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.endpoints:
            return JSONResponse({"error_code": "RESOURCE_DOES_NOT_EXIST", "message": name}, status_code=404)
        meta: dict[str, Any] = {"name": name, "state": {"ready": "READY", "config_update": "NOT_UPDATING"}}
        task = self.endpoints[name][1]
        return JSONResponse({**meta, "task": task} if task else meta)

    async def _invoke(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse({"error_code": "UNAUTHENTICATED", "message": "no token"}, status_code=401)
        upstream = self.endpoints[request.path_params["name"]][0]
        raw = await request.body()
        self.bodies.append(json.loads(raw))
        http = httpx.AsyncClient(timeout=60)
        sent = http.build_request(
            "POST", upstream + "/invocations", content=raw, headers={"Content-Type": "application/json"}
        )
        answer = await http.send(sent, stream=True)

        async def relay() -> Any:
            try:
                async for chunk in answer.aiter_raw():
                    yield chunk
            finally:
                await answer.aclose()
                await http.aclose()

        kind = answer.headers.get("content-type", "application/json")
        return StreamingResponse(relay(), status_code=answer.status_code, media_type=kind)

    def serve(self) -> Iterator[Front]:
        app = Starlette(
            routes=[
                Route("/api/2.0/serving-endpoints/{name}", self._metadata, methods=["GET"]),
                Route("/serving-endpoints/{name}/invocations", self._invoke, methods=["POST"]),
            ]
        )
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        thread = threading.Thread(target=server.run, name="workspace-front", daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "the front did not start"
            time.sleep(0.01)
        self.url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
        try:
            yield self
        finally:
            server.should_exit = True
            thread.join(timeout=10)


@pytest.fixture(scope="module")
def agent_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """MLflow's AgentServer serving the Supervisor-like ResponsesAgent."""
    tmp = tmp_path_factory.mktemp("agent-server")
    port = _free_port()
    child = _Child(
        [sys.executable, str(AGENTS / "agent_server.py"), str(port)],
        port=port,
        probe="/health",
        env=_child_env(tmp),
        log=tmp / "server.log",
    )
    try:
        yield child.url
    finally:
        child.close()


@pytest.fixture(scope="module")
def chat_model_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`mlflow models serve` serving the ChatAgent model; also the task MLflow recorded for it."""
    tmp = tmp_path_factory.mktemp("chat-model")
    model = tmp / "model"
    env = _child_env(tmp)
    save = (
        "import mlflow, sys; mlflow.pyfunc.save_model(sys.argv[1], python_model=sys.argv[2], "
        "code_paths=[sys.argv[3]], pip_requirements=[])"
    )
    command = [
        sys.executable,
        "-c",
        save,
        str(model),
        str(AGENTS / "chat_agent.py"),
        str(AGENTS / "supervisor.py"),
    ]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=START_TIMEOUT)
    task = yaml.safe_load((model / "MLmodel").read_text())["metadata"]["task"]
    port = _free_port()
    mlflow_cli = [
        sys.executable,
        "-m",
        "mlflow",
        "models",
        "serve",
        "-m",
        str(model),
        "--env-manager",
        "local",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    child = _Child(mlflow_cli, port=port, probe="/ping", env=env, log=tmp / "serve.log")
    try:
        yield child.url, task
    finally:
        child.close()


@pytest.fixture
def front(agent_server: str, chat_model_server: tuple[str, str]) -> Iterator[Front]:
    dialects.forget()
    chat_url, chat_task = chat_model_server
    endpoints = {
        "supervisor-endpoint": (agent_server, "agent/v1/responses"),
        "chat-agent-endpoint": (chat_url, chat_task),
        "untasked-chat-endpoint": (chat_url, None),
    }
    yield from Front(endpoints).serve()
    dialects.forget()


def ask(front: Front, endpoint: str, question: str, *, history: tuple[HistoryItem, ...] = ()) -> list[Event]:
    workspace = WorkspaceClient(host=front.url, token=TOKEN, auth_type="pat")
    client = MASStreamingClient(
        endpoint_name=endpoint,
        workspace_client=workspace,
        timeouts=Timeouts(connect=5.0, read=60.0),
        retry=RetryPolicy(attempts=1),
    )
    try:
        return list(client.stream_events([*history, ChatMessage(role="user", content=question)]))
    finally:
        client.close()


CALL = ToolCall(name=supervisor.GENIE_TOOL, args=supervisor.GENIE_ARGS, call_id=supervisor.CALL_ID)
OUTPUT = ToolOutput(name=supervisor.GENIE_TOOL, output=supervisor.TABLE, call_id=supervisor.CALL_ID)


def test_agent_server_answer_with_a_reused_item_id_keeps_both_messages_whole(front: Front) -> None:
    events = ask(front, "supervisor-endpoint", "Net revenue by region?")
    assert events == [
        TextDelta(delta="I'll ask "),
        TextDelta(delta="the revenue Genie space."),
        CALL,
        OUTPUT,
        TextDelta(delta="\n\nEMEA leads "),
        TextDelta(delta="with $1,200.50."),
        Done(),
    ]
    assert front.bodies == [
        {"input": [{"role": "user", "content": "Net revenue by region?"}], "stream": True}
    ]


def test_agent_server_exception_mid_stream_keeps_what_came_then_one_error(front: Front) -> None:
    events = ask(front, "supervisor-endpoint", "Make it fail")
    assert events[:4] == [
        TextDelta(delta="I'll ask "),
        TextDelta(delta="the revenue Genie space."),
        CALL,
        OUTPUT,
    ]
    assert events[4:] == [ErrorEvent(message=supervisor.FAILURE, code="upstream_error")]


def test_chat_agent_served_by_mlflow_answers_with_its_tool_call_and_table(front: Front) -> None:
    events = ask(front, "chat-agent-endpoint", "Net revenue by region?")
    assert events == [
        TextDelta(delta="".join(supervisor.NARRATION)),
        CALL,
        OUTPUT,
        TextDelta(delta="\n\n" + "".join(supervisor.ANSWER)),
        Done(),
    ]
    assert front.bodies == [
        {"messages": [{"role": "user", "content": "Net revenue by region?"}], "stream": True}
    ]
    result = parse_tool_output(OUTPUT.output)
    assert result.table is not None and list(result.table.columns) == ["region", "net_revenue"]
    assert result.row_count == 2


def test_chat_agent_without_a_declared_task_is_reached_after_one_switch(
    front: Front, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="mas.endpoint.client"):
        events = ask(front, "untasked-chat-endpoint", "hi")
    assert events[-1] == Done() and CALL in events
    assert [list(body) for body in front.bodies] == [["input", "stream"], ["messages", "stream"]]
    assert sum("switching to chat bodies" in r.message for r in caplog.records) == 1


HISTORY = (
    ChatMessage(role="user", content="Net revenue by region?"),
    ToolCallItem(call_id=supervisor.CALL_ID, name=supervisor.GENIE_TOOL, arguments=supervisor.GENIE_ARGS),
    ToolOutputItem(call_id=supervisor.CALL_ID, output=supervisor.TABLE, name=supervisor.GENIE_TOOL),
    ChatMessage(role="assistant", content="EMEA leads with $1,200.50."),
)


@pytest.mark.parametrize("endpoint", ["supervisor-endpoint", "chat-agent-endpoint"])
def test_a_history_with_tool_calls_and_outputs_is_accepted_in_each_dialect(
    front: Front, endpoint: str
) -> None:
    # Each server validates its request against MLflow's own schema (ResponsesAgentRequest, the
    # ChatAgent signature): a wrong shape would be a 400 here.
    events = ask(front, endpoint, "And by quarter?", history=HISTORY)
    assert events[-1] == Done(), events
    (body,) = front.bodies
    if endpoint == "supervisor-endpoint":
        kinds = [item.get("type") or item["role"] for item in body["input"]]
        assert kinds == ["user", "function_call", "function_call_output", "assistant", "user"]
    else:
        roles = [message["role"] for message in body["messages"]]
        assert roles == ["user", "assistant", "tool", "assistant", "user"]
        assert body["messages"][1]["tool_calls"][0]["function"]["name"] == supervisor.GENIE_TOOL
