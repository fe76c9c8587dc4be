"""mas.endpoint.preflight: every failure the issue lists, reproduced against the emulator on 127.0.0.1.

The emulator plays the workspace: endpoint metadata comes from its `metadata` hook, HTTP
failures of the lookup from `Fault(route="metadata")`.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from databricks.sdk import WorkspaceClient
from support.emulator import Emulator, Fault, fingerprint

from mas.demo.server import scripted_metadata
from mas.endpoint.client import MASStreamingClient
from mas.endpoint.connection import Connection, resolve
from mas.endpoint.preflight import PreflightReport, preflight_in_background, run_preflight

APP_TOKEN = "app-secret-token"
ENDPOINT = "mas-test-endpoint"
USER = {"X-Forwarded-Access-Token": "user-tok", "X-Forwarded-Email": "ana@example.com"}
SCOPE_ERROR = "Provided OAuth token does not have required scopes: serving.serving-endpoints"


class Echo:
    def respond(self, input_items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        yield {"type": "response.output_text.delta", "item_id": "m1", "delta": "ok"}


Metadata = Callable[[str], dict[str, Any]]


@pytest.fixture
def start(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Metadata], Emulator]]:
    """Start a workspace emulator whose endpoint answers the lookup with the given metadata."""
    started: list[Emulator] = []

    def _start(metadata: Metadata = scripted_metadata) -> Emulator:
        emulator = Emulator(responder=Echo(), endpoint_name=ENDPOINT, metadata=metadata)
        started.append(emulator)
        monkeypatch.setenv("DATABRICKS_HOST", emulator.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", APP_TOKEN)
        monkeypatch.setenv("MAS_ENDPOINT_NAME", ENDPOINT)
        return emulator

    yield _start
    for emulator in started:
        emulator.close()


def with_fields(**fields: Any) -> Metadata:
    return lambda name: {**scripted_metadata(name), **fields}


def check(report: PreflightReport, name: str) -> Any:
    found = [c for c in report.checks if c.name == name]
    assert found, f"no {name!r} check in {report.checks}"
    return found[0]


def test_a_ready_supervisor_passes(start: Callable[[Metadata], Emulator]) -> None:
    emulator = start(scripted_metadata)
    report = run_preflight(resolve(headers=USER))
    assert report.ok and report.worst == "ok", report
    assert [c.name for c in report.checks] == ["workspace", "identity", "endpoint", "state", "task"]
    assert "ana@example.com" in check(report, "identity").message
    assert "Multi-Agent Supervisor" in check(report, "task").message
    lookup = emulator.requests[-1]
    assert lookup.path == f"/api/2.0/serving-endpoints/{ENDPOINT}"
    assert lookup.auth_fingerprint == fingerprint("Bearer user-tok")  # the identity in use


def test_missing_endpoint(start: Callable[[Metadata], Emulator], monkeypatch: pytest.MonkeyPatch) -> None:
    start(scripted_metadata)
    report = run_preflight(resolve(endpoint_name="no-such-endpoint"))
    endpoint = check(report, "endpoint")
    assert (report.ok, endpoint.status) == (False, "fail")
    assert "no-such-endpoint" in endpoint.message and "MAS_ENDPOINT_NAME" in endpoint.fix


def test_endpoint_not_ready(start: Callable[[Metadata], Emulator]) -> None:
    start(with_fields(state={"ready": "NOT_READY", "config_update": "IN_PROGRESS"}))
    state = check(run_preflight(resolve()), "state")
    assert state.status == "fail"
    assert "NOT_READY" in state.message and "IN_PROGRESS" in state.message


@pytest.mark.parametrize(
    ("task", "tile", "status"),
    [
        ("llm/v1/embeddings", None, "fail"),
        ("llm/v1/completions", None, "fail"),
        ("llm/v1/chat", None, "warn"),
        (None, None, "warn"),
        ("agent/v2/chat", None, "ok"),
        ("agent/v1/responses", {"problem_type": "MULTI_AGENT_SUPERVISOR"}, "ok"),
    ],
)
def test_endpoint_task(
    start: Callable[[Metadata], Emulator], task: str | None, tile: Any, status: str
) -> None:
    start(with_fields(task=task, tile_endpoint_metadata=tile))
    task_check = check(run_preflight(resolve()), "task")
    assert task_check.status == status
    if status != "ok":
        assert "MAS_ENDPOINT_NAME" in task_check.fix
    if task == "llm/v1/embeddings":
        assert "not a supervisor or agent endpoint" in task_check.message and task in task_check.message


@pytest.mark.parametrize(("headers", "who"), [(USER, "to you"), ({}, "service principal")])
def test_identity_may_not_query(
    start: Callable[[Metadata], Emulator], headers: dict[str, str], who: str
) -> None:
    emulator = start(scripted_metadata)
    connection = resolve(headers=headers)  # first: the SDK's /.well-known probe is a GET too
    emulator.inject(Fault(status=403, error_code="PERMISSION_DENIED", message="No access.", route="metadata"))
    endpoint = check(run_preflight(connection), "endpoint")
    assert endpoint.status == "fail" and "No access." in endpoint.message
    assert "CAN_QUERY" in endpoint.fix and "sub-agent" in endpoint.fix and who in endpoint.fix


def test_user_token_lacks_a_scope(start: Callable[[Metadata], Emulator]) -> None:
    emulator = start(scripted_metadata)
    connection = resolve(headers=USER)
    emulator.inject(Fault(status=403, error_code="PERMISSION_DENIED", message=SCOPE_ERROR, route="metadata"))
    scopes = check(run_preflight(connection), "scopes")
    assert scopes.status == "fail" and SCOPE_ERROR in scopes.message
    assert "serving.serving-endpoints" in scopes.fix
    assert "user_api_scopes" in scopes.fix and "sign out" in scopes.fix


@pytest.mark.parametrize(("headers", "fix"), [(USER, "Reload the page"), ({}, "DATABRICKS_TOKEN")])
def test_rejected_credentials(
    start: Callable[[Metadata], Emulator], headers: dict[str, str], fix: str
) -> None:
    emulator = start(scripted_metadata)
    connection = resolve(headers=headers)
    emulator.inject(
        Fault(status=401, error_code="UNAUTHENTICATED", message="Invalid token", route="metadata")
    )
    credentials = check(run_preflight(connection), "credentials")
    assert credentials.status == "fail" and "401" in credentials.message
    assert fix in credentials.fix


def test_endpoint_scope_policy_against_the_declared_scopes(
    start: Callable[[Metadata], Emulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = {"user_auth_policy": {"api_scopes": ["serving.serving-endpoints", "dashboards.genie"]}}
    start(with_fields(auth_policy=policy))
    assert check(run_preflight(resolve(headers=USER)), "scopes").status == "info"
    monkeypatch.setenv("MAS_USER_API_SCOPES", "serving.serving-endpoints sql")
    missing = check(run_preflight(resolve(headers=USER)), "scopes")
    assert missing.status == "fail" and "dashboards.genie" in missing.message
    monkeypatch.setenv("MAS_USER_API_SCOPES", "serving.serving-endpoints,dashboards.genie, sql")
    assert check(run_preflight(resolve(headers=USER)), "scopes").status == "ok"
    assert "scopes" not in [c.name for c in run_preflight(resolve()).checks]  # app identity: n/a


def test_app_identity_on_databricks_apps_warns(
    start: Callable[[Metadata], Emulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    start(scripted_metadata)
    monkeypatch.setenv("DATABRICKS_APP_NAME", "mas-chat")
    identity = check(run_preflight(resolve()), "identity")
    assert identity.status == "warn" and "user_api_scopes" in identity.fix
    monkeypatch.setenv("MAS_AUTH", "app")
    assert check(run_preflight(resolve()), "identity").status == "info"


def _connection(host: str, identity: Any = "app") -> Connection:
    client = WorkspaceClient(host=host, token="demo", auth_type="pat")
    return Connection(
        identity=identity,
        endpoint_name=ENDPOINT,
        host=host,
        user_email=None,
        workspace_client=client,
        client=MASStreamingClient(endpoint_name=ENDPOINT, workspace_client=client),
    )


def test_demo_is_reported_as_information(start: Callable[[Metadata], Emulator]) -> None:
    emulator = start(scripted_metadata)
    report = run_preflight(_connection(emulator.url, "demo"))
    assert check(report, "workspace").status == "info"
    assert "embedded demo" in check(report, "workspace").message
    assert report.ok and report.worst == "info"


def test_unreachable_workspace_fails_with_a_fix(start: Callable[[Metadata], Emulator]) -> None:
    emulator = start(scripted_metadata)
    with socket.socket() as probe:  # a port nobody listens on once the socket is closed
        probe.bind(("127.0.0.1", 0))
        host = f"http://127.0.0.1:{probe.getsockname()[1]}"
    report = run_preflight(_connection_at(_connection(emulator.url), host))
    endpoint = check(report, "endpoint")
    assert endpoint.status == "fail" and "Could not reach" in endpoint.message
    assert "DATABRICKS_HOST" in endpoint.fix


def _connection_at(connection: Connection, host: str) -> Connection:
    return Connection(
        identity=connection.identity,
        endpoint_name=connection.endpoint_name,
        host=host,
        user_email=None,
        workspace_client=connection.workspace_client,
        client=connection.client,
    )


def test_a_silent_workspace_is_time_bounded(start: Callable[[Metadata], Emulator]) -> None:
    emulator = start(scripted_metadata)
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        host = f"http://127.0.0.1:{silent.getsockname()[1]}"
        report = run_preflight(_connection_at(_connection(emulator.url), host), timeout=0.3)
    endpoint = check(report, "endpoint")
    assert endpoint.status == "warn" and "did not answer within 0.3 s" in endpoint.message


def test_background_preflight_returns_a_future(start: Callable[[Metadata], Emulator]) -> None:
    start(scripted_metadata)
    future = preflight_in_background(resolve(headers=USER))
    report = future.result(timeout=30)
    assert report.ok and report.identity == "user" and report.endpoint_name == ENDPOINT
