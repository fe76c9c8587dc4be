"""Turn a failed request to a serving endpoint into an `ErrorEvent` an analyst can act on.

Pure functions: a status, a content type and a body in; the upstream `error_code`/`message`
(parsed the way databricks-sdk's error deserializer does: Databricks JSON, legacy
`{"error": ...}`, plain `CODE: message` text, HTML pages) and a readable message out; the same
for network failures, and the reading of `Retry-After`. No I/O, and no retry policy (see
`mas.endpoint.client`).
"""

from __future__ import annotations

import html
import json
import logging
import re
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from mas.wire.events import ErrorEvent

logger = logging.getLogger(__name__)

MAX_UPSTREAM_CHARS = 600

# databricks-sdk errors/deserializer.py: `_StringErrorDeserializer` and `_HtmlErrorDeserializer`.
_PLAIN_ERROR = re.compile(r"([A-Z][A-Z_]+): (.*)", re.DOTALL)
_HTML_PRE = re.compile(r"<pre[^>]*>(.*?)</pre>", re.IGNORECASE | re.DOTALL)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HTML_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class UpstreamError:
    """What the error body said, as far as it could be read."""

    error_code: str | None = None
    message: str | None = None
    is_html: bool = False


def _clip(text: str) -> str:
    text = _SPACE.sub(" ", text).strip()
    return text if len(text) <= MAX_UPSTREAM_CHARS else text[: MAX_UPSTREAM_CHARS - 1] + "…"


def _from_json(data: object) -> UpstreamError | None:
    if not isinstance(data, dict):
        return None
    code = data.get("error_code")
    message = data.get("message")
    if "error" in data:  # legacy API 1.2 style, also the bare `{"error": ...}` of some agents
        inner = data["error"]
        if isinstance(inner, dict):  # OpenAI style {"error": {"code", "message"}}
            code = code or inner.get("code") or inner.get("type")
            message = inner.get("message", message)
        else:
            message = inner
    elif data.get("detail"):  # SCIM errors
        message = data["detail"]
    if code is None and message is None:
        return None
    return UpstreamError(
        error_code=_clip(str(code)) if code else None,
        message=_clip(str(message)) if message not in (None, "") else None,
    )


def _from_html(text: str) -> UpstreamError:
    for pattern in (_HTML_PRE, _HTML_TITLE, _HTML_H1):
        match = pattern.search(text)
        if match:
            found = _clip(html.unescape(_TAGS.sub(" ", match.group(1))))
            if found:
                return UpstreamError(message=found, is_html=True)
    return UpstreamError(is_html=True)


def parse_error_body(body: bytes | str, content_type: str | None = None) -> UpstreamError:
    """Read the upstream error code and message out of an error body of any shape."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    stripped = text.strip()
    if not stripped:
        return UpstreamError()
    looks_html = stripped[:200].lower().startswith(("<!doctype html", "<html")) or "<body" in stripped.lower()
    if "html" in (content_type or "").lower() or looks_html:
        return _from_html(stripped)
    try:
        parsed = _from_json(json.loads(stripped))
    except ValueError:
        parsed = None
    if parsed is not None:
        return parsed
    match = _PLAIN_ERROR.match(stripped)
    if match:
        return UpstreamError(error_code=match.group(1), message=_clip(match.group(2)))
    return UpstreamError(message=_clip(stripped))


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


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds (fractions tolerated) or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return _http_date_seconds(value)


def _http_date_seconds(value: str) -> float | None:
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        logger.debug("unreadable Retry-After header: %.40r", value)
        return None


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
        detail = f" Genie said: {_clip(str(text))}" if text else ""
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
