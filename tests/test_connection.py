"""mas.endpoint.connection: demo vs workspace, which identity, what is cached process-wide and what is not.

A workspace is the emulator on 127.0.0.1 (DATABRICKS_HOST points at it); the demo is the real
process-wide emulator with the demo supervisor.
"""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import APP_TOKEN
from conftest import WORKSPACE_ENDPOINT as ENDPOINT
from support.emulator import Emulator, fingerprint

import mas.endpoint.connection as connection_module
from mas.demo.server import EmulatorProcess
from mas.endpoint.connection import Connection, demo_emulator, normalize_host, resolve, workspace_host
from mas.errors import ConfigError, IdentityError
from mas.wire.events import Done, TextDelta
from mas.wire.messages import ChatMessage


class Echo:
    def respond(self, input_items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        yield {
            "type": "response.output_text.delta",
            "item_id": "m1",
            "delta": str(input_items[-1]["content"]),
        }


@pytest.fixture
def workspace(as_workspace: Callable[[Emulator], Emulator]) -> Iterator[Emulator]:
    with Emulator(responder=Echo(), endpoint_name=ENDPOINT) as emulator:
        yield as_workspace(emulator)


@pytest.fixture
def cfg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., None]:
    """Write a Databricks CLI config: at DATABRICKS_CONFIG_FILE, or as ~/.databrickscfg."""

    def write(text: str, *, in_home: bool = False) -> None:
        path = tmp_path / ".databrickscfg"
        path.write_text(text, encoding="utf-8")
        if in_home:
            monkeypatch.delenv("DATABRICKS_CONFIG_FILE", raising=False)
            monkeypatch.setenv("HOME", str(tmp_path))
        else:
            monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(path))

    return write


@pytest.mark.parametrize(
    ("raw", "host"),
    [
        ("adb-123.4.azuredatabricks.net", "https://adb-123.4.azuredatabricks.net"),
        ("https://x.cloud.databricks.com/", "https://x.cloud.databricks.com"),
        (" http://127.0.0.1:8080 ", "http://127.0.0.1:8080"),
    ],
)
def test_normalize_host(raw: str, host: str) -> None:
    assert normalize_host(raw) == host


def test_nothing_configured_means_demo() -> None:
    assert workspace_host() is None


def test_host_from_env_without_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABRICKS_HOST", "my-ws.cloud.databricks.com")
    assert workspace_host() == "https://my-ws.cloud.databricks.com"


def test_host_from_default_profile_in_home(cfg: Callable[..., None]) -> None:
    cfg("[DEFAULT]\nhost = https://default.cloud.databricks.com\ntoken = x\n", in_home=True)
    assert workspace_host() == "https://default.cloud.databricks.com"


def test_host_from_named_and_settings_default_profile(
    monkeypatch: pytest.MonkeyPatch, cfg: Callable[..., None]
) -> None:
    cfg(
        "[__settings__]\ndefault_profile = dev\n[dev]\nhost = dev.cloud.databricks.com\n"
        "[prod]\nhost = https://prod.cloud.databricks.com\n",
    )
    assert workspace_host() == "https://dev.cloud.databricks.com"
    monkeypatch.setenv("DATABRICKS_CONFIG_PROFILE", "prod")
    assert workspace_host() == "https://prod.cloud.databricks.com"


def test_a_profile_named_but_missing_is_an_error_not_the_demo(
    monkeypatch: pytest.MonkeyPatch, cfg: Callable[..., None]
) -> None:
    cfg("[dev]\nhost = dev.cloud.databricks.com\n")
    monkeypatch.setenv("DATABRICKS_CONFIG_PROFILE", "staging")
    with pytest.raises(ConfigError, match="DATABRICKS_CONFIG_PROFILE=staging"):
        resolve()


def test_profile_without_default_section_is_not_a_workspace(cfg: Callable[..., None]) -> None:
    cfg("[dev]\nhost = dev.cloud.databricks.com\n")
    assert workspace_host() is None


def test_demo_streams_an_answer_with_a_genie_call() -> None:
    pytest.importorskip("mas.demo.supervisor")
    connection = resolve(headers={"X-Forwarded-Access-Token": "ignored-in-demo"})
    assert connection.identity == "demo"
    assert connection.host == demo_emulator().url
    events = list(connection.stream_events([ChatMessage(role="user", content="What's our total revenue?")]))
    assert isinstance(events[-1], Done)
    assert any(e.type == "tool.call" for e in events)
    assert "".join(e.delta for e in events if isinstance(e, TextDelta))


def test_demo_emulator_is_started_once_even_when_raced() -> None:
    pytest.importorskip("mas.demo.supervisor")
    seen: list[EmulatorProcess] = []
    threads = [threading.Thread(target=lambda: seen.append(demo_emulator())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(seen) == 8 and len({id(e) for e in seen}) == 1
    assert resolve().workspace_client is resolve().workspace_client


def test_mas_demo_forces_the_demo(monkeypatch: pytest.MonkeyPatch, workspace: Emulator) -> None:
    pytest.importorskip("mas.demo.supervisor")
    monkeypatch.setenv("MAS_DEMO", "1")
    connection = resolve(headers={"X-Forwarded-Access-Token": "tok"})
    assert connection.identity == "demo"
    assert connection.host != workspace.url
    assert workspace.requests == []


def test_app_identity_client_is_shared_user_clients_are_not(workspace: Emulator) -> None:
    first, second = resolve(), resolve()
    assert (first.identity, second.identity) == ("app", "app")
    assert first.workspace_client is second.workspace_client
    one = resolve(headers={"X-Forwarded-Access-Token": "tok-1"})
    two = resolve(headers={"X-Forwarded-Access-Token": "tok-1"})
    assert one.identity == "user"
    assert one.workspace_client is not two.workspace_client
    assert one.workspace_client is not first.workspace_client


def test_nothing_keeps_a_user_client_after_its_session(workspace: Emulator) -> None:
    connection = resolve(headers={"X-Forwarded-Access-Token": "tok-gone"})
    list(connection.stream_events([ChatMessage(role="user", content="hi")]))
    ref = weakref.ref(connection.workspace_client)
    del connection
    # The client drains the rest of the body on a short-lived thread after the terminal event
    # (so the connection can be reused); once that is done nothing may hold the user's client.
    deadline = time.monotonic() + 5
    while ref() is not None and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.02)
    assert ref() is None  # no module global, cache or pool retained the user's client
    cached = list(connection_module._app_clients.values())
    assert all(client.config.token == APP_TOKEN for client in cached)


def test_app_client_follows_a_changed_environment(
    monkeypatch: pytest.MonkeyPatch, workspace: Emulator
) -> None:
    before = resolve().workspace_client
    monkeypatch.setenv("DATABRICKS_TOKEN", "rotated-app-token")
    after = resolve()
    assert after.workspace_client is not before
    list(after.stream_events([ChatMessage(role="user", content="hi")]))
    assert workspace.invocations()[-1].auth_fingerprint == fingerprint("Bearer rotated-app-token")


def test_auth_modes(monkeypatch: pytest.MonkeyPatch, workspace: Emulator) -> None:
    headers = {"X-Forwarded-Access-Token": "tok", "X-Forwarded-Email": "ana@example.com"}
    monkeypatch.setenv("MAS_AUTH", "app")
    pinned = resolve(headers=headers)
    assert (pinned.identity, pinned.user_email) == ("app", "ana@example.com")
    monkeypatch.setenv("MAS_AUTH", "user")
    assert resolve(headers=headers).identity == "user"
    with pytest.raises(IdentityError, match="MAS_AUTH=user"):
        resolve(headers={"X-Forwarded-Email": "ana@example.com"})


def test_connection_fields_and_repr(workspace: Emulator) -> None:
    connection = resolve(
        headers={"X-Forwarded-Access-Token": "tok-in-repr?", "X-Forwarded-Email": "ana@example.com"},
        endpoint_name="other-endpoint",
    )
    assert (connection.identity, connection.endpoint_name) == ("user", "other-endpoint")
    assert (connection.host, connection.user_email) == (workspace.url, "ana@example.com")
    assert connection.client.endpoint_name == "other-endpoint"
    for text in (repr(connection), str(connection)):
        assert "tok-in-repr?" not in text and APP_TOKEN not in text
        assert "ana@example.com" in text
    assert not any("token" in name for name in Connection.__dataclass_fields__)


def test_closing_the_stream_early_closes_the_upstream_response(workspace: Emulator) -> None:
    workspace.set_responder(ENDPOINT, _Endless())
    connection = resolve()
    events = connection.stream_events([ChatMessage(role="user", content="go")])
    assert isinstance(next(events), TextDelta)
    events.close()
    record = workspace.invocations()[-1]
    assert record.finished.wait(timeout=10)
    assert record.outcome == "disconnected"


class _Endless:
    def respond(self, input_items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for i in range(100_000):
            yield {"type": "response.output_text.delta", "item_id": "m1", "delta": f"{i} " * 200}
