"""The Genie backend's preflight: can this identity see the configured Genie space?

`space_check(backend)` makes one `GET /api/2.0/genie/spaces/{id}` and returns (status, message,
fix) in the shape `mas.endpoint.preflight` turns into its `Check`; it never raises. With
MAS_BACKEND=genie there is no serving endpoint to look up, so this stands in for that check.
"""

from __future__ import annotations

from typing import Literal

from mas.errors import GenieError
from mas.genie.conversation import GenieBackend

CAN_RUN_FIX = (
    "Ask the space's owner for CAN_RUN on it (on Databricks Apps: the app's genie-space resource, "
    "see the README's Genie deploy), and for access to its SQL warehouse and tables."
)


def space_check(backend: GenieBackend) -> tuple[Literal["ok", "warn", "fail"], str, str | None]:
    try:
        space = backend.http.space()
    except GenieError as exc:
        if exc.status in (401, 403, 404):
            fix = "Check GENIE_SPACE_ID." if exc.status == 404 else CAN_RUN_FIX
            return "fail", exc.message, fix
        return "warn", exc.message, None
    title = str(space.get("title") or "").strip()
    named = f"'{title}' ({backend.space_id})" if title else backend.space_id
    return "ok", f"Asking the Genie space {named} directly (MAS_BACKEND=genie).", None
