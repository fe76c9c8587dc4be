"""A Supervisor-like answer written with MLflow's own helpers, for MLflow's own servers to serve.

The upstream "LLM" is two scripted chat-completion streams that share one chunk id (some
gateways repeat it), turned into Responses items by MLflow's `output_to_responses_items_stream`:
so the narration and the final answer reach the wire as two messages with the same item id
(real-producers.md). Between them a Genie sub-agent call and its table. A question containing
"fail" raises mid-answer. Not a test: `agent_server.py` and `chat_agent.py` serve it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

SHARED_CHUNK_ID = "chatcmpl-shared"
GENIE_TOOL = "agent-revenue-genie"
CALL_ID = "call_genie_1"
GENIE_ARGS = {"genie_query": "Total net revenue by region"}
TABLE = "| region | net_revenue |\n|---|---|\n| EMEA | 1200.50 |\n| Americas | 950.25 |"
NARRATION = ["I'll ask ", "the revenue Genie space."]
ANSWER = ["EMEA leads ", "with $1,200.50."]
FAILURE = "Genie space is unavailable"


def _chunks(pieces: list[str], *, tool_call: bool) -> Iterator[dict[str, Any]]:
    for piece in pieces:
        yield {
            "id": SHARED_CHUNK_ID,
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": piece}}],
        }
    if tool_call:
        call = {
            "index": 0,
            "id": CALL_ID,
            "type": "function",
            "function": {"name": GENIE_TOOL, "arguments": json.dumps(GENIE_ARGS)},
        }
        yield {
            "id": SHARED_CHUNK_ID,
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": {"tool_calls": [call]}}],
        }


def narration_chunks() -> Iterator[dict[str, Any]]:
    return _chunks(NARRATION, tool_call=True)


def answer_chunks() -> Iterator[dict[str, Any]]:
    return _chunks(ANSWER, tool_call=False)


def last_user_text(messages: list[Any]) -> str:
    for message in reversed(messages):
        role = message.get("role") if isinstance(message, dict) else getattr(message, "role", None)
        if role == "user":
            content = message.get("content") if isinstance(message, dict) else getattr(message, "content", "")
            return content if isinstance(content, str) else json.dumps(content)
    return ""
