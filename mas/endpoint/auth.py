"""Who the app acts as for one session or request: the signed-in user (OBO), the app, or the demo.

Reads the headers the Databricks Apps proxy forwards and the `MAS_AUTH` setting, builds the
per-user `WorkspaceClient`, and rewrites credential errors into advice that fits the identity.
It keeps no state: a user token only ever lives in the objects returned to the caller, which
must keep them per session or per request (see `mas.endpoint.connection`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from databricks.sdk import WorkspaceClient
from databricks.sdk.config import Config

from mas.errors import ConfigError, IdentityError
from mas.http_errors import user_token_message
from mas.settings import settings
from mas.wire.events import ErrorEvent

logger = logging.getLogger(__name__)

AuthMode = Literal["user", "app", "auto"]
Identity = Literal["user", "app", "demo"]

TOKEN_HEADER = "x-forwarded-access-token"
# The Apps proxy forwards these identity headers (Databricks docs "Access HTTP headers passed to
# Databricks apps"); the e-mail is the friendliest, the others are fallbacks.
_NAME_HEADERS = ("x-forwarded-email", "x-forwarded-preferred-username", "x-forwarded-user")

# The SDK's retry budget defaults to 300 s, for batch jobs; `WorkspaceClient()` itself probes
# {host}/.well-known/databricks-config within it, so an unreachable host would hold a page or an
# API request for minutes. An interactive app gives up sooner.
SDK_RETRY_SECONDS = 30


@dataclass(frozen=True)
class ForwardedUser:
    """The signed-in user as the proxy forwarded them. The token never appears in repr/str."""

    token: str = field(repr=False)
    email: str | None = None


def auth_mode_from_env() -> AuthMode:
    return settings().auth


def _lower(headers: Mapping[str, str] | None) -> dict[str, str]:
    # Starlette and Streamlit headers are case-insensitive already; a plain dict may not be.
    return {key.lower(): value for key, value in (headers or {}).items()}


def forwarded_email(headers: Mapping[str, str] | None) -> str | None:
    lowered = _lower(headers)
    for name in _NAME_HEADERS:
        value = lowered.get(name, "").strip()
        if value:
            return value
    return None


def forwarded_user(headers: Mapping[str, str] | None) -> ForwardedUser | None:
    """The user behind the request when the proxy forwarded their access token, else None."""
    token = _lower(headers).get(TOKEN_HEADER, "").strip()
    if not token:
        return None
    return ForwardedUser(token=token, email=forwarded_email(headers))


def choose_identity(*, mode: AuthMode, user: ForwardedUser | None) -> Literal["user", "app"]:
    """Apply `MAS_AUTH`: auto acts as the user when a token was forwarded, else as the app."""
    if mode == "user" and user is None:
        raise IdentityError(
            "MAS_AUTH=user, but this request carries no X-Forwarded-Access-Token header. "
            "Enable user authorization for the app (user_api_scopes in databricks.yml) and open it "
            "through its Databricks Apps URL, or set MAS_AUTH=auto to fall back to the app's identity."
        )
    if mode == "app":
        if user is not None:
            logger.debug("[AUTH] MAS_AUTH=app: the forwarded user token is ignored")
        return "app"
    return "user" if user is not None else "app"


def workspace_client(**settings: Any) -> WorkspaceClient:
    """A WorkspaceClient with an interactive retry budget that never logs request headers.

    `debug_headers=False` overrides DATABRICKS_DEBUG_HEADERS, which would log the Authorization header.
    """
    config = Config(debug_headers=False, retry_timeout_seconds=SDK_RETRY_SECONDS, **settings)
    return WorkspaceClient(config=config)


def user_workspace_client(*, host: str, user: ForwardedUser) -> WorkspaceClient:
    """A client that calls Databricks as the signed-in user. Build it per session or request.

    On Databricks Apps the service principal's DATABRICKS_CLIENT_ID/SECRET are in the
    environment too; without `auth_type="pat"` the SDK refuses with "more than one
    authorization method configured: oauth and pat" (checked against databricks-sdk 0.156).
    """
    try:
        return workspace_client(host=host, token=user.token, auth_type="pat")
    except ValueError as exc:
        # The SDK masks secrets in its messages ("token=***").
        raise ConfigError(f"Could not set up the signed-in user's Databricks client: {exc}") from exc


def explain_for_identity(event: ErrorEvent, identity: Identity) -> ErrorEvent:
    """Rewrite a credential error into the fix that fits who the app acted as (see `user_token_message`)."""
    if identity != "user":
        return event
    message = user_token_message(status=event.status, code=event.code, message=event.message)
    return event if message is None else event.model_copy(update={"message": message})
