"""mas: a streaming client for Databricks Multi-Agent Supervisor endpoints.

The public API is the client, the chat message models and the typed events it yields. It
never imports Streamlit; the UI lives in `ui/` and `pages/`.
"""

from __future__ import annotations

from mas.errors import MasError
from mas.wire.events import Done, ErrorEvent, Event, TextDelta, ToolCall, ToolOutput, parse_event
from mas.wire.messages import ChatMessage, StreamChatRequest

__all__ = [
    "ChatMessage",
    "Done",
    "ErrorEvent",
    "Event",
    "MASStreamingClient",
    "MasError",
    "StreamChatRequest",
    "TextDelta",
    "ToolCall",
    "ToolOutput",
    "parse_event",
]


def __getattr__(name: str) -> object:
    # The client pulls in httpx and databricks-sdk; import it on first use so that
    # `import mas` stays cheap for the UI and the CLI start-up.
    if name == "MASStreamingClient":
        from mas.endpoint.client import MASStreamingClient

        return MASStreamingClient
    raise AttributeError(f"module 'mas' has no attribute {name!r}")
