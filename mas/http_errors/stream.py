"""The words for a failed stream from a serving endpoint: the terminal `ErrorEvent` of `mas.endpoint.client`.

Pure functions from an HTTP status and the body's `UpstreamError`, or a network failure, to the
sentence (with its fix) the analyst reads. Part of `mas.http_errors`, the one place for error
wording; reading the body is `mas.error_body`, and there is no I/O or retry policy here.
"""

from __future__ import annotations

import logging

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
