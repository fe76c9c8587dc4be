"""Shared fixtures: environment isolation, the endpoint emulator, and real WorkspaceClients pointed at it.

Every test runs with the DATABRICKS_* and MAS_* variables removed and the SDK's config file
pointed at a path that does not exist, so no test can reach a real workspace or read the
developer's ~/.databrickscfg; the demo's today is pinned to 2026-01-01 (`MAS_DEMO_TODAY`), so
its data ends in December 2025 whatever the real date. `emulator` serves a small scripted MAS
answer; `demo_emulator` serves the demo supervisor.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from databricks.sdk import WorkspaceClient
from streamlit.testing.v1 import AppTest
from support.emulator import Emulator

from mas.endpoint.client import MASStreamingClient
from mas.settings import RetryPolicy, Timeouts

TEST_TOKEN = "test-token"
DEMO_TODAY = "2026-01-01"
"""The demo's pinned today: data from January 2023 to December 2025, the figures tests quote."""
os.environ["MAS_DEMO_TODAY"] = DEMO_TODAY  # before any session fixture generates the demo dataset
# Kept: they tune the test run itself, not which workspace it talks to.
_KEPT_ENV = frozenset({"MAS_HYPOTHESIS_EXAMPLES", "MAS_DEMO_DATA_DIR"})

GENIE_TABLE = "| region | net_revenue |\n|---|---|\n| EMEA | 1200.50 |\n| Americas | 950.25 |"

SCRIPT: list[dict[str, Any]] = [
    {"type": "response.created", "response": {"id": "resp_1", "object": "response", "output": []}},
    {"type": "response.output_item.done", "item": {
        "type": "message", "id": "msg_marker", "role": "assistant",
        "content": [{"type": "output_text", "text": "<name>supervisor-agent</name>"}]}},
    {"type": "response.output_text.delta", "item_id": "msg_1", "delta": "Let me check "},
    {"type": "response.output_text.delta", "item_id": "msg_1", "delta": "the revenue data."},
    {"type": "response.output_item.done", "item": {
        "type": "message", "id": "msg_1", "role": "assistant",
        "content": [{"type": "output_text", "text": "Let me check the revenue data."}]}},
    {"type": "response.output_item.done", "item": {
        "type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "agent-revenue-genie",
        "arguments": '{"genie_query": "Total net revenue by region"}'}},
    {"type": "response.output_item.done", "item": {
        "type": "function_call_output", "call_id": "call_1", "output": GENIE_TABLE}},
    {"type": "response.output_text.delta", "item_id": "msg_2", "delta": "EMEA leads "},
    {"type": "response.output_text.delta", "item_id": "msg_2", "delta": "with $1,200.50."},
    {"type": "response.output_item.done", "item": {
        "type": "message", "id": "msg_2", "role": "assistant",
        "content": [{"type": "output_text", "text": "EMEA leads with $1,200.50."}]}},
    {"type": "response.completed", "response": {"id": "resp_1", "object": "response", "status": "completed"}},
]  # fmt: skip
SCRIPT_TEXT = "Let me check the revenue data. EMEA leads with $1,200.50."  # whitespace-normalised


class ScriptedResponder:
    """A `Responder` that yields a fixed list of wire dicts and records each call's input items."""

    def __init__(self, events: Sequence[dict[str, Any]] | None = None) -> None:
        self.events = list(SCRIPT if events is None else events)
        self.calls: list[list[dict[str, Any]]] = []

    def respond(self, input_items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        self.calls.append(input_items)
        yield from copy.deepcopy(self.events)


def text_deltas(count: int, *, item_id: str = "msg_long") -> list[dict[str, Any]]:
    """A script of `count` numbered text deltas and a completion (for pacing and early-close tests)."""
    deltas = [
        {"type": "response.output_text.delta", "item_id": item_id, "delta": f"word{i} "} for i in range(count)
    ]
    return [*deltas, {"type": "response.completed", "response": {"status": "completed"}}]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    for name in list(os.environ):
        if name.startswith(("DATABRICKS_", "MAS_")) and name not in _KEPT_ENV:
            monkeypatch.delenv(name)
    missing = Path(tmp_path_factory.getbasetemp()) / "no-such-databrickscfg"
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(missing))
    monkeypatch.setenv("MAS_DEMO_TODAY", DEMO_TODAY)  # a test opts in to the real date with delenv


@pytest.fixture
def scripted() -> Callable[..., ScriptedResponder]:
    """Factory: `scripted(events)` builds a `ScriptedResponder` (the default MAS script without events)."""
    return ScriptedResponder


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A fresh emulator per test serving the scripted MAS answer, with no pacing."""
    with Emulator(responder=ScriptedResponder()) as server:
        yield server


@pytest.fixture(scope="session")
def demo_emulator() -> Iterator[Emulator]:
    """One emulator for the session serving the demo supervisor."""
    with Emulator() as server:
        yield server


APP_SCRIPT = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
UI_TOKEN = "ui-test-token-4b1d"
APP_TOKEN = "app-secret-token"
WORKSPACE_ENDPOINT = "mas-test-endpoint"


@pytest.fixture
def as_workspace(monkeypatch: pytest.MonkeyPatch) -> Callable[[Emulator], Emulator]:
    """Configures the app as on a workspace whose host is `emulator`: its own token is APP_TOKEN."""

    def point(emulator: Emulator) -> Emulator:
        monkeypatch.setenv("DATABRICKS_HOST", emulator.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", APP_TOKEN)
        monkeypatch.setenv("MAS_ENDPOINT_NAME", WORKSPACE_ENDPOINT)
        return emulator

    return point


@pytest.fixture
def demo_workspace(monkeypatch: pytest.MonkeyPatch, demo_emulator: Emulator) -> Emulator:
    """The demo emulator configured as the app's workspace, the app's own token being UI_TOKEN."""
    monkeypatch.setenv("DATABRICKS_HOST", demo_emulator.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", UI_TOKEN)
    return demo_emulator


@pytest.fixture
def app(demo_workspace: Emulator) -> Iterator[AppTest]:
    """The whole app (`streamlit_app.py`) in AppTest after its first run, answering from `demo_workspace`."""
    at = AppTest.from_file(APP_SCRIPT, default_timeout=30).run()
    assert not at.exception
    yield at


@pytest.fixture
def workspace_client_for() -> Callable[..., WorkspaceClient]:
    """Factory: a real `WorkspaceClient` with PAT auth for `url` (the emulator; it must be up)."""

    def build(url: str, token: str = TEST_TOKEN) -> WorkspaceClient:
        return WorkspaceClient(host=url, token=token, auth_type="pat")

    return build


FAST_TIMEOUTS = Timeouts(connect=2.0, read=5.0)
FAST_RETRY = RetryPolicy(attempts=3, base_wait=0.01, max_wait=0.05)


@pytest.fixture
def client_for(
    workspace_client_for: Callable[..., WorkspaceClient],
) -> Iterator[Callable[..., MASStreamingClient]]:
    """Factory: a `MASStreamingClient` for an emulator with short timeouts and quick retries."""
    made: list[MASStreamingClient] = []

    def build(server: Emulator, **kwargs: Any) -> MASStreamingClient:
        kwargs.setdefault("timeouts", FAST_TIMEOUTS)
        kwargs.setdefault("retry", FAST_RETRY)
        token = kwargs.pop("token", TEST_TOKEN)
        client = MASStreamingClient(workspace_client=workspace_client_for(server.url, token), **kwargs)
        made.append(client)
        return client

    yield build
    for client in made:
        client.close()
