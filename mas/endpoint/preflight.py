"""Preflight: look the serving endpoint up as the identity in use and say, in plain words, what to fix.

`run_preflight(connection)` makes one time-bounded `GET /api/2.0/serving-endpoints/{name}` and
returns a `PreflightReport` of checks (ok / info / warn / fail, each with a message and a fix).
It never raises and never blocks the chat: call it off the script thread, e.g. with
`preflight_in_background(connection)`, and show the report once its future is done; the first
question may go out before it is. It does not send questions (see `mas.endpoint.client`).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

import httpx

from mas.endpoint.auth import auth_mode_from_env
from mas.endpoint.connection import Connection
from mas.errors import ConfigError
from mas.http_errors import (
    SCOPE_FIX,
    Advice,
    credentials_advice,
    lookup_advice,
    lookup_network_advice,
)
from mas.settings import settings

logger = logging.getLogger(__name__)

Status = Literal["ok", "info", "warn", "fail"]
_RANK: dict[Status, int] = {"ok": 0, "info": 1, "warn": 2, "fail": 3}
DEFAULT_TIMEOUT = 5.0
_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="mas-preflight")

@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    message: str
    fix: str | None = None


@dataclass(frozen=True)
class PreflightReport:
    identity: str
    endpoint_name: str
    checks: tuple[Check, ...]

    @property
    def worst(self) -> Status:
        return max((c.status for c in self.checks), key=_RANK.__getitem__, default="ok")

    @property
    def ok(self) -> bool:
        return self.worst != "fail"


def preflight_in_background(
    connection: Connection, *, timeout: float = DEFAULT_TIMEOUT
) -> Future[PreflightReport]:
    """Start the preflight on a small shared pool; poll `.done()` on later reruns, never wait on it."""
    return _executor.submit(run_preflight, connection, timeout=timeout)


def run_preflight(connection: Connection, *, timeout: float = DEFAULT_TIMEOUT) -> PreflightReport:
    """Every check for this connection. Never raises: an unexpected failure becomes a failed check."""
    checks = [_workspace_check(connection), _identity_check(connection)]
    if connection.genie is not None:  # MAS_BACKEND=genie: a Genie space, no serving endpoint
        from mas.genie.preflight import space_check

        status, message, fix = space_check(connection.genie)
        checks.append(Check("genie space", status, message, fix))
        return PreflightReport(connection.identity, connection.endpoint_name, tuple(checks))
    try:
        checks.extend(_endpoint_checks(connection, timeout))
    except Exception as exc:  # a preflight must report, never crash the page
        logger.exception("[PREFLIGHT] unexpected failure")
        checks.append(Check("endpoint", "fail", f"The endpoint check failed unexpectedly: {exc}"))
    return PreflightReport(connection.identity, connection.endpoint_name, tuple(checks))


def _workspace_check(connection: Connection) -> Check:
    if connection.identity == "demo":
        return Check(
            "workspace",
            "info",
            "No Databricks workspace is configured (or MAS_DEMO=1), so this is the embedded demo: "
            "a local supervisor answering from built-in revenue data.",
            "To use your own supervisor, set DATABRICKS_HOST and credentials (or a Databricks CLI "
            "profile) and MAS_ENDPOINT_NAME, then restart the app.",
        )
    return Check("workspace", "ok", f"Workspace: {connection.host}")


def _identity_check(connection: Connection) -> Check:
    if connection.identity == "demo":
        return Check("identity", "info", "The demo needs no sign-in.")
    if connection.identity == "user":
        who = connection.user_email or "the signed-in user"
        return Check("identity", "ok", f"Acting as {who}, with your own data permissions.")
    try:
        pinned = auth_mode_from_env() == "app"
    except ConfigError as exc:
        return Check("identity", "fail", str(exc), "Set MAS_AUTH to user, app or auto.")
    if pinned:
        return Check("identity", "info", "MAS_AUTH=app: acting as the app's own identity for everyone.")
    if settings().databricks_app_name:
        return Check(
            "identity",
            "warn",
            "No user token reached the app, so it acts as its service principal: everyone sees what "
            "the app may see, not their own data.",
            "Enable user authorization: keep user_api_scopes in databricks.yml, redeploy, and open "
            "the app through its Databricks Apps URL.",
        )
    return Check("identity", "ok", "Acting with the configured Databricks credentials (app identity).")


def _endpoint_checks(connection: Connection, timeout: float) -> list[Check]:
    name = connection.endpoint_name
    url = f"{connection.host}/api/2.0/serving-endpoints/{quote(name, safe='')}"
    try:
        auth = connection.workspace_client.config.authenticate()
    except Exception as exc:  # SDK credential providers raise a variety of types
        logger.warning("[PREFLIGHT] could not obtain credentials: %s", exc)
        return [_credentials_failed(connection, f"Could not obtain Databricks credentials: {exc}")]
    try:
        response = httpx.get(url, headers=auth, timeout=timeout)
    except httpx.HTTPError as exc:
        return [_check(lookup_network_advice(exc, host=connection.host, timeout=timeout))]
    if response.status_code == 200:
        meta = response.json()
        if isinstance(meta, dict):  # the client sends the body this task takes without asking again
            connection.client.learn_task(meta.get("task"), host=connection.host)
        return _metadata_checks(connection, meta)
    return [
        _status_check(
            connection,
            response.status_code,
            body=response.text,
            content_type=response.headers.get("content-type"),
        )
    ]


def _status_check(connection: Connection, status: int, *, body: str, content_type: str | None) -> Check:
    advice = lookup_advice(
        status=status,
        body=body,
        content_type=content_type,
        endpoint_name=connection.endpoint_name,
        host=connection.host,
        as_user=connection.identity == "user",
    )
    return _check(advice)


def _check(advice: Advice) -> Check:
    return Check(advice.topic, advice.level, advice.message, advice.fix)


def _credentials_failed(connection: Connection, message: str) -> Check:
    return _check(credentials_advice(message, as_user=connection.identity == "user"))


def _metadata_checks(connection: Connection, meta: Any) -> list[Check]:
    if not isinstance(meta, dict):
        return [Check("endpoint", "warn", "The endpoint lookup answered with something unexpected.")]
    name = connection.endpoint_name
    checks = [Check("endpoint", "ok", f"Found the serving endpoint '{name}'.")]
    raw_state = meta.get("state")
    state: dict[str, Any] = raw_state if isinstance(raw_state, dict) else {}
    ready = state.get("ready")
    if ready == "READY":
        checks.append(Check("state", "ok", "It is ready."))
    else:
        update = state.get("config_update")
        detail = f"ready: {ready or 'unknown'}" + (f", config update: {update}" if update else "")
        checks.append(
            Check(
                "state",
                "fail",
                f"The endpoint '{name}' is not ready ({detail}).",
                "Wait until it shows Ready on the Serving page; if it stays not ready, open "
                "its events there (a supervisor often fails to deploy when a sub-agent is missing).",
            )
        )
    checks.append(_task_check(name, meta))
    scope_check = _policy_scope_check(connection, meta)
    if scope_check is not None:
        checks.append(scope_check)
    return checks


def _task_check(name: str, meta: dict[str, Any]) -> Check:
    task = meta.get("task")
    tile = meta.get("tile_endpoint_metadata")
    problem = tile.get("problem_type") if isinstance(tile, dict) else None
    if problem == "MULTI_AGENT_SUPERVISOR":
        return Check("task", "ok", f"It is a Multi-Agent Supervisor (task {task}).")
    if isinstance(task, str) and task.startswith("agent/"):
        return Check("task", "ok", f"It is an agent endpoint (task {task}).")
    fix = "Set MAS_ENDPOINT_NAME to your Multi-Agent Supervisor's endpoint (Agent Bricks → the supervisor)."
    if task == "llm/v1/chat":
        return Check(
            "task",
            "warn",
            f"'{name}' is a chat model (task llm/v1/chat), not a supervisor: it will "
            "answer, but without sub-agent calls, SQL or tables.",
            fix,
        )
    if task is None:
        return Check(
            "task",
            "warn",
            f"'{name}' declares no task (a custom model?), so it may not speak the agent protocol.",
            fix,
        )
    return Check("task", "fail", f"'{name}' is not a supervisor or agent endpoint (task {task}).", fix)


def declared_user_scopes() -> set[str] | None:
    """The app's user_api_scopes as app.yaml passes them (MAS_USER_API_SCOPES), if known."""
    return settings().declared_scopes


def _policy_scope_check(connection: Connection, meta: dict[str, Any]) -> Check | None:
    policy = meta.get("auth_policy")
    user_policy = policy.get("user_auth_policy") if isinstance(policy, dict) else None
    wanted = user_policy.get("api_scopes") if isinstance(user_policy, dict) else None
    if connection.identity != "user" or not isinstance(wanted, list) or not wanted:
        return None
    declared = declared_user_scopes()
    listed = ", ".join(str(s) for s in wanted)
    if declared is None:
        return Check("scopes", "info", f"The endpoint expects user tokens with the scopes: {listed}.")
    missing = sorted(str(s) for s in wanted if str(s) not in declared)
    if not missing:
        return Check("scopes", "ok", f"The app requests every scope the endpoint expects ({listed}).")
    return Check(
        "scopes",
        "fail",
        f"The endpoint expects scopes the app does not request: {', '.join(missing)}.",
        SCOPE_FIX.format(scopes=", ".join(missing)),
    )
