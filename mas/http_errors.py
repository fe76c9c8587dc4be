"""Every sentence the app says about a failed request to Databricks, with the fix, in one place.

Pure functions from what happened (an HTTP status and the body's `UpstreamError`, a network
failure, the identity in use) to what the analyst reads: the terminal `ErrorEvent` of a stream
(`mas.endpoint.client`), a credential error re-worded for a signed-in user (`mas.endpoint.auth`),
and the `Advice` of an endpoint lookup (`mas.endpoint.preflight`). Reading the body itself is
`mas.error_body`; there is no I/O and no retry policy here.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Literal

import httpx

from mas.error_body import UpstreamError, parse_error_body
from mas.wire.events import ErrorEvent

logger = logging.getLogger(__name__)


def _upstream_suffix(upstream: UpstreamError) -> str:
    if upstream.error_code and upstream.message:
        if upstream.message.startswith(upstream.error_code):
            return f" The endpoint said: {upstream.message}"
        return f" The endpoint said: {upstream.error_code}: {upstream.message}"
    if upstream.message or upstream.error_code:
        return f" The endpoint said: {upstream.message or upstream.error_code}"
    return ""


_HEADLINES = {
    401: "Your Databricks credentials were rejected (HTTP 401): they are missing, invalid or expired. "
    "Sign in again (reload the page) or refresh the token you configured.",
    403: "You don't have permission to query the serving endpoint {name} (HTTP 403). Ask its owner for "
    "CAN_QUERY on the endpoint and on each of its sub-agents (Genie spaces and agent endpoints), and for "
    "access to the data they read.",
    404: "There is no serving endpoint named {name} in this workspace (HTTP 404). Check MAS_ENDPOINT_NAME "
    "(or --endpoint) and that you are signed in to the right workspace.",
    429: "The serving endpoint {name} is rate limiting requests (HTTP 429) and still was{tries}. "
    "Wait a minute, then ask again.",
}
_NOT_YOUR_QUESTION = "This is a problem on the serving side, not with your question; try again in a moment."
_PAGE_INSTEAD_OF_STREAM = (
    "The serving endpoint {name} answered with a web page (HTTP {status}) instead of a stream; this is "
    "often a sign-in page. Check the workspace host and your credentials."
)
_ERROR_PAGE = (
    "The serving endpoint {name} failed: the workspace answered with an error page (HTTP {status}) instead "
    "of an answer. " + _NOT_YOUR_QUESTION
)
_UPSTREAM_FAILED = "The serving endpoint {name} failed upstream (HTTP {status}). " + _NOT_YOUR_QUESTION
_REJECTED = "The serving endpoint {name} rejected the request (HTTP {status})."
_OTHER = "The serving endpoint {name} answered with an error (HTTP {status})."


def _headline(*, status: int, endpoint_name: str, upstream: UpstreamError, attempts: int) -> str:
    if status in _HEADLINES:
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        template = _HEADLINES[status]
    elif upstream.is_html:
        template = _PAGE_INSTEAD_OF_STREAM if status < 400 else _ERROR_PAGE
    elif status >= 500:
        template = _UPSTREAM_FAILED
    else:
        template = _REJECTED if status in (400, 413, 422) else _OTHER
    return template.format(name=f"'{endpoint_name}'", status=status, tries=tries if status == 429 else "")


def error_event_for_status(
    *,
    status: int,
    body: bytes | str,
    content_type: str | None,
    endpoint_name: str,
    attempts: int = 1,
) -> ErrorEvent:
    """The terminal error event for a non-2xx answer (or an HTML page where a stream was expected)."""
    upstream = parse_error_body(body, content_type)
    headline = _headline(status=status, endpoint_name=endpoint_name, upstream=upstream, attempts=attempts)
    if upstream.is_html:
        suffix = f" The page said: {upstream.message}" if upstream.message else ""
    else:
        suffix = _upstream_suffix(upstream)
    return ErrorEvent(
        message=headline + suffix,
        code=upstream.error_code or f"http_{status}",
        status=status,
    )


def setup_error_event(exc: Exception) -> ErrorEvent:
    """The terminal error event when the request could not even be prepared (host, credentials)."""
    return ErrorEvent(
        message=f"The Databricks connection is not configured or its credentials failed: {exc}", code="auth"
    )


INVALID_JSON = ErrorEvent(message="The endpoint answered with invalid JSON.", code="protocol")


def network_error_event(
    exc: httpx.HTTPError, *, host: str, connect_timeout: float, read_timeout: float, started: bool
) -> ErrorEvent:
    """The terminal error event for a failed connection: before the answer, or mid-answer (`started`)."""
    if isinstance(exc, httpx.ConnectTimeout):
        message = f"Could not connect to the workspace at {host} within {connect_timeout:g} s."
        return ErrorEvent(message=message + " Check the host and your network.", code="timeout")
    if isinstance(exc, httpx.TimeoutException):
        where = " mid-answer; the text above may be incomplete." if started else "."
        message = f"The endpoint sent nothing for {read_timeout:g} s and the request was given up{where}"
        return ErrorEvent(message=message + " Try again, or ask a narrower question.", code="timeout")
    # The exception's class and text help a developer, not an analyst: they go to the log.
    logger.debug("network failure (%s): %s", type(exc).__name__, exc)
    if started:
        message = "The connection to the endpoint broke off mid-answer; the text above may be incomplete."
        return ErrorEvent(message=f"{message} Ask again.", code="network")
    return ErrorEvent(
        message=f"Could not get an answer from the workspace at {host}: the connection failed. "
        "Check the host and your network, then try again.",
        code="network",
    )


# --- A signed-in user's token (Databricks Apps on-behalf-of-user authorization) -------------

RELOAD_MESSAGE = (
    "Your Databricks sign-in has expired or was revoked, so the endpoint refused the request. "
    "Reload the page to sign in again, then ask again."
)
SCOPE_FIX = (
    "Add {scopes} to user_api_scopes of the app in databricks.yml and redeploy; then sign out of "
    "Databricks and in again, because tokens already issued do not gain new scopes."
)
GRANT_FIX = (
    "Grant CAN_QUERY on the endpoint{who}, and also on each of the supervisor's sub-agent endpoints "
    "(plus CAN_RUN on its Genie spaces and access to the data they read)."
)
_SCOPES = re.compile(r"required scopes?:?\s*([\w.\-, ]+)", re.IGNORECASE)


def scope_advice(upstream: str) -> str:
    needs = f"Your sign-in token lacks an OAuth scope this app needs ({upstream.strip()}). "
    return needs + SCOPE_FIX.format(scopes="the scope")


def user_token_message(*, status: int | None, code: str | None, message: str) -> str | None:
    """The fix for a credential error when acting as the signed-in user, or None to keep the message.

    A user token is fixed for the browser session (it comes from the page's first request), so
    an expired one needs a reload; a missing OAuth scope needs the app's scopes changed and a
    fresh sign-in, since tokens already issued never gain scopes.
    """
    if status == 401 or code in ("http_401", "UNAUTHENTICATED"):
        return RELOAD_MESSAGE
    if status in (401, 403) and "scope" in message.lower():
        return scope_advice(message)
    return None


# --- The endpoint lookup of the preflight ----------------------------------------------------


@dataclass(frozen=True)
class Advice:
    """What a failed check found and how to fix it; `topic` names the check it belongs to."""

    topic: Literal["credentials", "scopes", "endpoint"]
    level: Literal["fail", "warn"]
    message: str
    fix: str | None = None


def credentials_advice(message: str, *, as_user: bool) -> Advice:
    if as_user:
        return Advice("credentials", "fail", message, "Reload the page to sign in again.")
    return Advice(
        "credentials",
        "fail",
        message,
        "Check the app's credentials: DATABRICKS_TOKEN or the CLI profile locally; on "
        "Databricks Apps, the app's service principal (DATABRICKS_CLIENT_ID/SECRET are injected).",
    )


def lookup_advice(
    *, status: int, body: str, content_type: str | None, endpoint_name: str, host: str, as_user: bool
) -> Advice:
    """The advice for a non-200 answer to `GET /api/2.0/serving-endpoints/{name}`."""
    upstream = parse_error_body(body, content_type)
    said = upstream.message or upstream.error_code or f"HTTP {status}"
    scopes = _SCOPES.search(said) if status in (401, 403) else None
    if scopes or (status in (401, 403) and "scope" in said.lower()):
        named = scopes.group(1).strip() if scopes else "the missing scope"
        message = f"Your sign-in token lacks an OAuth scope the endpoint needs: {said}"
        return Advice("scopes", "fail", message, SCOPE_FIX.format(scopes=named))
    if status == 401:
        return credentials_advice(f"The credentials were rejected (HTTP 401): {said}", as_user=as_user)
    if status == 403:
        whom = "You" if as_user else "The app's identity"
        who = " to you (or a group you are in)" if as_user else " to the app's service principal"
        message = f"{whom} may not use the endpoint '{endpoint_name}': {said}"
        return Advice("endpoint", "fail", message, GRANT_FIX.format(who=who))
    if status == 404:
        return Advice(
            "endpoint",
            "fail",
            f"There is no serving endpoint named '{endpoint_name}' in {host}.",
            "Set MAS_ENDPOINT_NAME to your supervisor's endpoint name (on Databricks Apps: the "
            "mas_endpoint_name variable of databricks.yml, which feeds the serving-endpoint resource).",
        )
    return Advice(
        "endpoint",
        "warn",
        f"Could not check the endpoint '{endpoint_name}' (HTTP {status}): {said}",
        "This is usually temporary on the serving side; the chat may still work.",
    )


def lookup_network_advice(exc: httpx.HTTPError, *, host: str, timeout: float) -> Advice:
    """The advice when the endpoint lookup got no answer at all."""
    if isinstance(exc, httpx.TimeoutException):
        return Advice(
            "endpoint",
            "warn",
            f"{host} did not answer within {timeout:g} s.",
            "The chat may still work; open the Connection page again to re-check.",
        )
    return Advice(
        "endpoint",
        "fail",
        f"Could not reach {host}: {exc}",
        "Check DATABRICKS_HOST and that the workspace is reachable from the app.",
    )


def feedback_error_message(exc: Exception) -> str:
    """Why a vote did not reach the answer's MLflow trace, for the person who cast it."""
    raw = " ".join(str(exc).split())
    text = (raw if len(raw) <= 600 else raw[:599] + "…") or type(exc).__name__
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    if status == 403 or "PERMISSION_DENIED" in text:
        return (
            "Your vote is saved here but could not be sent: the app may not edit the agent's MLflow "
            f"experiment (grant its service principal CAN_EDIT on it). Details: {text}"
        )
    return f"Your vote is saved here but could not be sent to the agent's MLflow trace: {text}"


# --- The Genie Conversation API (MAS_BACKEND=genie) -------------------------------------------

_GENIE_HEADLINES = {
    401: _HEADLINES[401],
    403: "You don't have access to the Genie space {space} (HTTP 403). Ask its owner for CAN_RUN on the "
    "space, and for access to the SQL warehouse and the tables it reads.",
    404: "There is no Genie space {space} you can see in this workspace (HTTP 404). Check GENIE_SPACE_ID "
    "and that you are signed in to the right workspace.",
    429: "Genie is rate limiting questions (HTTP 429) and still was after waiting. Wait a minute, "
    "then ask again.",
}


def genie_error_message(
    *, status: int, body: bytes | str, content_type: str | None, space_id: str
) -> tuple[str, str]:
    """The message and code for a failed Genie API call (any shape of error body)."""
    upstream = parse_error_body(body, content_type)
    if status in _GENIE_HEADLINES:
        headline = _GENIE_HEADLINES[status].format(space=f"'{space_id}'")
    elif status >= 500:
        headline = f"The Genie space '{space_id}' failed upstream (HTTP {status}). {_NOT_YOUR_QUESTION}"
    else:
        headline = f"The Genie space '{space_id}' rejected the request (HTTP {status})."
    suffix = _upstream_suffix(upstream).replace("The endpoint said", "Genie said")
    return headline + suffix, upstream.error_code or f"http_{status}"


def genie_failed_message(error: object) -> str:
    """Genie answered FAILED; `error` is the message's `MessageError` ({error, type}) if any."""
    detail = ""
    if isinstance(error, dict):
        text = error.get("error") or error.get("type")
        detail = f" Genie said: {str(text).strip()[:600]}" if text else ""
    return "Genie could not answer this question." + detail + " Try rephrasing it, or ask something narrower."


GENIE_CANCELLED = "Genie cancelled this question before answering it. Ask again."
GENIE_NO_ANSWER = "Genie finished without an answer to show."


def genie_timeout_message(seconds: float) -> str:
    return (
        f"Genie did not finish within {seconds / 60:g} minutes, so the app stopped waiting. The warehouse "
        "may be starting or overloaded: try again, or ask a narrower question."
    )


def genie_rate_wait_message(seconds: float) -> str:
    return (
        f"Genie's rate limit kept this question waiting for over {seconds:.0f} s, so it was not sent. "
        "Other questions in this workspace are using the quota: wait a minute, then ask again."
    )


def genie_network_message(exc: httpx.HTTPError, *, host: str) -> str:
    logger.debug("Genie network failure (%s): %s", type(exc).__name__, exc)
    if isinstance(exc, httpx.TimeoutException):
        return f"The workspace at {host} did not answer Genie's request in time. Try again in a moment."
    return (
        f"Could not reach Genie in the workspace at {host}: the connection failed. "
        "Check the host and your network."
    )
