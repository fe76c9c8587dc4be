"""How a tool output says it failed: an `error` object, an `error_code` with a message, a statement
whose state is FAILED or CANCELED, or prose that opens like an error ("Error: …", "Failed to …").

Shapes from mas-output.md §3 and wire-format.md §5. It only recognises failures and words them;
what the parsed result does with one is `mas.results.toolresult`'s.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_ERROR_TEXT = re.compile(
    r"^(?:error|exception)\s*[:!(-]|^(?:an?\s+)?error\s+(?:occurred|while|when|during|calling|executing|getting)\b"
    r"|^failed\s+to\b|^failure\s*:",
    re.I,
)
_ERROR_CODE = re.compile(r"^[A-Z]+(?:_[A-Z]+)+:")  # e.g. "INVALID_PARAMETER_VALUE: …" (mas-output.md §3)
_FAILED = frozenset({"FAILED", "CANCELED", "CANCELLED", "CLOSED"})


def error_of(item: Mapping[str, Any]) -> tuple[str | None, set[str]]:
    """The error a dict reports (None if none) and the keys it was read from."""
    error, code, status = item.get("error"), item.get("error_code"), item.get("status")
    if error:
        detail = error.get("message") or error.get("error") if isinstance(error, Mapping) else error
        return str(detail or json.dumps(error)), {"error", "message"}
    if code and isinstance(item.get("message"), str):
        return f"{code}: {item['message']}", {"error_code", "message"}
    if isinstance(status, Mapping) and status.get("state") in _FAILED:
        detail = status.get("error")
        text = detail.get("message") if isinstance(detail, Mapping) else None
        return text or f"The query ended as {status['state']}.", {"status"}
    return None, set()


def is_error_text(text: str) -> bool:
    """Prose that opens like an error message."""
    return bool(_ERROR_TEXT.match(text) or _ERROR_CODE.match(text))
