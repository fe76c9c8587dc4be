"""The words for who may not do what: a signed-in user's token, and the preflight's endpoint lookup.

A credential error re-worded for a signed-in user (`mas.endpoint.auth`) and the `Advice` of an
endpoint lookup (`mas.endpoint.preflight`). Part of `mas.http_errors`, the one place for error
wording; no I/O here, and the checks themselves are the preflight's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import httpx

from mas.error_body import parse_error_body

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
