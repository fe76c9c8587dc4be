"""mas.endpoint.auth: who the app acts as, the per-user client, credential advice, and token hygiene.

Upstream calls go to the emulator on 127.0.0.1 acting as the workspace (DATABRICKS_HOST points at
it, the app's own token is "app-secret-token"); it records a sha256 of each Authorization header.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import APP_TOKEN
from conftest import WORKSPACE_ENDPOINT as ENDPOINT
from databricks.sdk import WorkspaceClient
from support.emulator import Emulator, Fault, fingerprint

from mas.endpoint.auth import (
    SDK_RETRY_SECONDS,
    ForwardedUser,
    auth_mode_from_env,
    choose_identity,
    explain_for_identity,
    forwarded_email,
    forwarded_user,
    user_workspace_client,
)
from mas.endpoint.connection import resolve
from mas.endpoint.preflight import run_preflight
from mas.errors import ConfigError, IdentityError
from mas.http_errors import RELOAD_MESSAGE
from mas.wire.events import ErrorEvent, TextDelta
from mas.wire.messages import ChatMessage

SCOPE_MESSAGE = "Provided OAuth token does not have required scopes: serving.serving-endpoints"


class Echo:
    """Answers with the question, in a few deltas, pausing where the test asks it to."""

    def __init__(self, gate: threading.Barrier | None = None) -> None:
        self.gate = gate

    def respond(self, input_items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        question = str(input_items[-1]["content"])
        yield {"type": "response.output_text.delta", "item_id": "m1", "delta": "You asked: "}
        if self.gate is not None:
            self.gate.wait(timeout=10)  # both sessions' upstream requests are open at once
        yield {"type": "response.output_text.delta", "item_id": "m1", "delta": question}


@pytest.fixture
def workspace(as_workspace: Callable[[Emulator], Emulator]) -> Iterator[Emulator]:
    with Emulator(responder=Echo(), endpoint_name=ENDPOINT) as emulator:
        yield as_workspace(emulator)


def ask(question: str = "hi") -> list[ChatMessage]:
    return [ChatMessage(role="user", content=question)]


def bearer(token: str) -> str | None:
    return fingerprint(f"Bearer {token}")


def test_forwarded_token_is_read_case_insensitively() -> None:
    for name in ("X-Forwarded-Access-Token", "x-forwarded-access-token", "X-FORWARDED-ACCESS-TOKEN"):
        user = forwarded_user({name: "tok-1", "X-Forwarded-Email": "ana@example.com"})
        assert user == ForwardedUser(token="tok-1", email="ana@example.com")


def test_no_or_blank_token_means_no_user() -> None:
    assert forwarded_user(None) is None
    assert forwarded_user({"X-Forwarded-Email": "ana@example.com"}) is None
    assert forwarded_user({"X-Forwarded-Access-Token": "  "}) is None


def test_email_falls_back_to_preferred_username_then_user() -> None:
    assert forwarded_email({"X-Forwarded-User": "u-1", "X-Forwarded-Preferred-Username": "ana"}) == "ana"
    assert forwarded_email({"X-Forwarded-User": "u-1"}) == "u-1"
    assert forwarded_email({"X-Forwarded-Email": "a@x.com", "X-Forwarded-User": "u-1"}) == "a@x.com"
    assert forwarded_email({}) is None


def test_forwarded_user_repr_hides_the_token() -> None:
    user = ForwardedUser(token="very-secret-user-token", email="ana@example.com")
    assert "very-secret-user-token" not in repr(user)
    assert "very-secret-user-token" not in str(user)


@pytest.mark.parametrize(
    ("raw", "mode"), [(None, "auto"), ("user", "user"), (" APP ", "app"), ("auto", "auto")]
)
def test_auth_mode_from_env(monkeypatch: pytest.MonkeyPatch, raw: str | None, mode: str) -> None:
    if raw is not None:
        monkeypatch.setenv("MAS_AUTH", raw)
    assert auth_mode_from_env() == mode


def test_unknown_auth_mode_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAS_AUTH", "obo")
    with pytest.raises(ConfigError, match="MAS_AUTH must be one of user, app or auto"):
        auth_mode_from_env()


def test_choose_identity() -> None:
    user = ForwardedUser(token="t")
    assert choose_identity(mode="auto", user=user) == "user"
    assert choose_identity(mode="auto", user=None) == "app"
    assert choose_identity(mode="app", user=user) == "app"
    assert choose_identity(mode="user", user=user) == "user"
    with pytest.raises(IdentityError, match="X-Forwarded-Access-Token"):
        choose_identity(mode="user", user=None)


def test_user_client_coexists_with_injected_service_principal(
    monkeypatch: pytest.MonkeyPatch, workspace: Emulator
) -> None:
    # On Databricks Apps the SP's OAuth M2M credentials are always in the environment.
    monkeypatch.setenv("DATABRICKS_CLIENT_ID", "dummy-client-id")
    monkeypatch.setenv("DATABRICKS_CLIENT_SECRET", "dummy-client-secret")
    monkeypatch.delenv("DATABRICKS_TOKEN")
    with pytest.raises(ValueError, match="more than one authorization method"):
        WorkspaceClient(host=workspace.url, token="user-tok")  # what auth_type="pat" avoids
    client = user_workspace_client(host=workspace.url, user=ForwardedUser(token="user-tok"))
    assert client.config.auth_type == "pat"
    assert client.config.authenticate() == {"Authorization": "Bearer user-tok"}


def test_explain_401_for_a_user_says_reload() -> None:
    event = ErrorEvent(
        message="Your Databricks credentials were rejected (HTTP 401).", code="http_401", status=401
    )
    explained = explain_for_identity(event, "user")
    assert explained.message == RELOAD_MESSAGE
    assert "Reload the page" in explained.message
    assert (explained.code, explained.status) == ("http_401", 401)
    assert explain_for_identity(event, "app") == event


def test_explain_missing_scope_for_a_user() -> None:
    event = ErrorEvent(message=SCOPE_MESSAGE, code="PERMISSION_DENIED", status=403)
    message = explain_for_identity(event, "user").message
    assert "user_api_scopes" in message and "sign out" in message and "serving.serving-endpoints" in message
    plain_403 = ErrorEvent(message="You don't have permission (HTTP 403).", status=403)
    assert explain_for_identity(plain_403, "user") == plain_403


def test_expired_user_token_mid_session_gets_reload_message(workspace: Emulator) -> None:
    connection = resolve(headers={"X-Forwarded-Access-Token": "user-tok"})
    assert [type(e).__name__ for e in connection.stream_events(ask())] == ["TextDelta", "TextDelta", "Done"]
    workspace.inject(Fault(status=401, error_code="UNAUTHENTICATED", message="Token expired"))
    events = list(connection.stream_events(ask("again")))
    assert len(events) == 1 and isinstance(events[0], ErrorEvent)
    assert events[0].message == RELOAD_MESSAGE


def _session(headers: dict[str, str], question: str, answers: dict[str, str]) -> None:
    connection = resolve(headers=headers)
    answers[question] = "".join(
        e.delta for e in connection.stream_events(ask(question)) if isinstance(e, TextDelta)
    )


def test_two_concurrent_sessions_each_use_their_own_token(workspace: Emulator) -> None:
    workspace.set_responder(ENDPOINT, Echo(gate=threading.Barrier(2)))
    answers: dict[str, str] = {}
    sessions = [
        threading.Thread(target=_session, args=({"X-Forwarded-Access-Token": "tok-ana"}, "ana?", answers)),
        threading.Thread(target=_session, args=({"x-forwarded-access-token": "tok-bo"}, "bo?", answers)),
    ]
    for thread in sessions:
        thread.start()
    for thread in sessions:
        thread.join(timeout=20)
    assert answers == {"ana?": "You asked: ana?", "bo?": "You asked: bo?"}
    by_question = {r.body["input"][-1]["content"]: r.auth_fingerprint for r in workspace.invocations()}
    assert by_question == {"ana?": bearer("tok-ana"), "bo?": bearer("tok-bo")}


def test_without_header_the_app_credentials_are_used(workspace: Emulator) -> None:
    connection = resolve(headers={"X-Forwarded-Email": "ana@example.com"})
    assert connection.identity == "app"
    list(connection.stream_events(ask()))
    assert [r.auth_fingerprint for r in workspace.invocations()] == [bearer(APP_TOKEN)]


def test_no_token_in_debug_logs_errors_or_repr(workspace: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    user_token = "user-secret-token-4f2a"
    headers = {"X-Forwarded-Access-Token": user_token, "X-Forwarded-Email": "ana@example.com"}
    texts: list[str] = []
    for fault in (
        None,
        Fault(status=401, message="expired"),
        Fault(status=403, message="no"),
        Fault(reset=True),
    ):
        if fault is not None:
            workspace.inject(fault)
        for connection in (resolve(headers=headers), resolve()):
            texts += [repr(connection), str(connection)]
            texts += [e.model_dump_json() for e in connection.stream_events(ask())]
    connection = resolve(headers=headers)  # before the fault: the SDK's start-up probe is a GET too
    workspace.inject(Fault(status=401, message="lookup expired", route="metadata"))
    report = run_preflight(connection)
    texts.append(repr(report))
    assert "lookup expired" in repr(report)
    everything = caplog.text + "\n".join(texts)
    assert "expired" in everything  # the failures did happen and were reported
    for secret in (user_token, APP_TOKEN):
        assert secret not in everything


def test_clients_never_log_headers_and_give_up_sooner(
    monkeypatch: pytest.MonkeyPatch, workspace: Emulator
) -> None:
    monkeypatch.setenv("DATABRICKS_DEBUG_HEADERS", "true")  # would log the Authorization header
    for connection in (resolve(headers={"X-Forwarded-Access-Token": "tok"}), resolve()):
        config = connection.workspace_client.config
        assert config.debug_headers is False
        assert config.retry_timeout_seconds == SDK_RETRY_SECONDS < 300
