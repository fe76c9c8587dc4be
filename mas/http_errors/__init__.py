"""Every sentence the app says about a failed request to Databricks, with the fix, in one place.

Pure functions from what happened (an HTTP status and the body's `UpstreamError`, a network
failure, the identity in use) to what the analyst reads, one module per audience: `stream` (the
terminal `ErrorEvent` of `mas.endpoint.client`), `access` (a signed-in user's token, the
preflight's `Advice`), `feedback` (a vote not sent) and `genie` (the Genie Conversation API).
Import the names from here; reading the body is `mas.error_body`, and there is no I/O here.
"""

from __future__ import annotations

from mas.http_errors.access import (
    GRANT_FIX,
    RELOAD_MESSAGE,
    SCOPE_FIX,
    Advice,
    credentials_advice,
    lookup_advice,
    lookup_network_advice,
    scope_advice,
    user_token_message,
)
from mas.http_errors.feedback import feedback_error_message
from mas.http_errors.genie import (
    GENIE_CANCELLED,
    GENIE_NO_ANSWER,
    genie_error_message,
    genie_failed_message,
    genie_network_message,
    genie_rate_wait_message,
    genie_timeout_message,
)
from mas.http_errors.stream import (
    INVALID_JSON,
    error_event_for_status,
    network_error_event,
    setup_error_event,
)

__all__ = [
    "GENIE_CANCELLED",
    "GENIE_NO_ANSWER",
    "GRANT_FIX",
    "INVALID_JSON",
    "RELOAD_MESSAGE",
    "SCOPE_FIX",
    "Advice",
    "credentials_advice",
    "error_event_for_status",
    "feedback_error_message",
    "genie_error_message",
    "genie_failed_message",
    "genie_network_message",
    "genie_rate_wait_message",
    "genie_timeout_message",
    "lookup_advice",
    "lookup_network_advice",
    "network_error_event",
    "scope_advice",
    "setup_error_event",
    "user_token_message",
]
