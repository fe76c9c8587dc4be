"""The words for a failed question to the Genie Conversation API (`MAS_BACKEND=genie`).

Pure functions from a Genie API status, a FAILED message, a timeout or a network failure to the
sentence the analyst reads (`mas.genie.http`, `mas.genie.conversation`). Part of
`mas.http_errors`, the one place for error wording; no I/O and no polling here.
"""

from __future__ import annotations

import logging

import httpx

from mas.error_body import parse_error_body
from mas.http_errors.stream import _HEADLINES, _NOT_YOUR_QUESTION, _upstream_suffix

logger = logging.getLogger(__name__)


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
