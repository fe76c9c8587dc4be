"""What a failed request's body and headers say, read the way databricks-sdk reads them.

Pure functions: a status body of any shape (Databricks JSON, legacy `{"error": ...}`, plain
`CODE: message` text, HTML pages) becomes an `UpstreamError` with the upstream `error_code` and
`message`; a `Retry-After` header becomes seconds. No wording for the analyst (that is
`mas.http_errors`) and no I/O.
"""

from __future__ import annotations

import html
import json
import logging
import re
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

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
