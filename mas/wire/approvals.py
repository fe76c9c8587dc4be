"""Tool approvals: an `mcp_approval_request` item in, the input items that answer it out.

A Supervisor asks before it runs an MCP tool (a UC connection or a Databricks-App agent): the item
`{"type": "mcp_approval_request", "id", "name", "arguments", "server_label"}` ends the stream. To
go on, the client re-posts the whole history plus that request item plus an
`{"type": "mcp_approval_response", "approval_request_id", "approve"}` (shared/notes/mas-output.md
§1, sources D, J, M). It builds wire shapes only; sending them is `mas.endpoint.client`.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from mas.wire.events import ToolApproval
from mas.wire.toolcalls import as_text, parse_arguments


def approval_event(item: dict[str, Any]) -> ToolApproval:
    """The event for an `mcp_approval_request` item (read tolerantly: a missing id gets one)."""
    return ToolApproval(
        id=as_text(item.get("id")) or f"mcpr_{uuid.uuid4().hex[:12]}",
        name=as_text(item.get("name")) or "a tool",
        args=parse_arguments(item.get("arguments")),
        server=as_text(item.get("server_label")),
    )


def continuation_items(*, request_id: str, name: str, args: dict[str, Any], server: str | None,
                       approve: bool) -> list[dict[str, Any]]:  # fmt: skip
    """The request item as the endpoint sent it, then the user's answer to it."""
    request: dict[str, Any] = {"type": "mcp_approval_request", "id": request_id, "name": name,
                               "arguments": json.dumps(args, ensure_ascii=False)}  # fmt: skip
    if server is not None:
        request["server_label"] = server
    response = {"type": "mcp_approval_response", "id": f"mcpa_{uuid.uuid4().hex[:12]}",
                "approval_request_id": request_id, "approve": approve}  # fmt: skip
    return [request, response]
