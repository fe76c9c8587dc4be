"""Turn an HTTP error answer from a serving endpoint into an `ErrorEvent` an analyst can act on.

Pure functions: a status, a content type and a body in; the upstream `error_code`/`message`
(parsed the way databricks-sdk's error deserializer does: Databricks JSON, legacy
`{"error": ...}`, plain `CODE: message` text, HTML pages) and a readable message out. It does
no I/O and knows nothing about retries (see `mas.client`).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass

from mas.events import ErrorEvent

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


def _headline(*, status: int, endpoint_name: str, upstream: UpstreamError, attempts: int) -> str:
    name = f"'{endpoint_name}'"
    if status == 401:
        return (
            "Your Databricks credentials were rejected (HTTP 401): they are missing, invalid or expired. "
            "Sign in again (reload the page) or refresh the token you configured."
        )
    if status == 403:
        return (
            f"You don't have permission to query the serving endpoint {name} (HTTP 403). "
            "Ask its owner for CAN_QUERY on the endpoint and on each of its sub-agents "
            "(Genie spaces and agent endpoints), and for access to the data they read."
        )
    if status == 404:
        return (
            f"There is no serving endpoint named {name} in this workspace (HTTP 404). "
            "Check MAS_ENDPOINT_NAME (or --endpoint) and that you are signed in to the right workspace."
        )
    if status == 429:
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        return (
            f"The serving endpoint {name} is rate limiting requests (HTTP 429) and still was{tries}. "
            "Wait a minute, then ask again."
        )
    if upstream.is_html and status < 400:
        return (
            f"The serving endpoint {name} answered with a web page (HTTP {status}) instead of a stream; "
            "this is often a sign-in page. Check the workspace host and your credentials."
        )
    if upstream.is_html:
        return (
            f"The serving endpoint {name} failed: the workspace answered with an error page "
            f"(HTTP {status}) instead of an answer. This is a problem on the serving side, not with your "
            "question; try again in a moment."
        )
    if status >= 500:
        return (
            f"The serving endpoint {name} failed upstream (HTTP {status}). This is a problem on the "
            "serving side, not with your question; try again in a moment."
        )
    if status in (400, 413, 422):
        return f"The serving endpoint {name} rejected the request (HTTP {status})."
    return f"The serving endpoint {name} answered with an error (HTTP {status})."


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
