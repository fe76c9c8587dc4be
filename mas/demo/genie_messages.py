"""The demo Genie's messages: what one holds, which status it has reached, and how it renders.

A `GenieMessage` walks Genie's statuses one `step_seconds` at a time from its creation;
`render()` shows it as Genie's message JSON, with query, text and suggested-question attachments
appearing as the real API adds them. It does not map questions, serve routes or count rates
(see `mas.demo.genie_api` and `mas.demo.genie_rate`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from mas.demo.engine import QueryResult
from mas.demo.genie_downloads import INLINE_ROWS
from mas.demo.genie_format import statement_id
from mas.demo.plans import Plan

QUERY_STEPS = (
    "SUBMITTED",
    "FETCHING_METADATA",
    "FILTERING_CONTEXT",
    "ASKING_AI",
    "PENDING_WAREHOUSE",
    "EXECUTING_QUERY",
    "COMPLETED",
)
TEXT_STEPS = ("SUBMITTED", "FETCHING_METADATA", "ASKING_AI", "COMPLETED")
CLARIFY = (
    "Which figure do you mean — net revenue, orders, customers or units — and for which period or grouping?"
)
CLARIFY_SUGGESTIONS = (
    "What's our total revenue?",
    "Show me revenue trends",
    "Which region brings in the most revenue?",
)
FOLLOW_UPS = {
    "total": ("Show me revenue by region", "How did revenue trend by month?"),
    "breakdown": ("Show it by month", "What about 2024?"),
    "trend": ("Which region grew fastest?", "Show it by quarter"),
    "growth": ("Show revenue by region", "Compare 2025 with 2024"),
    "compare": ("Show it by region", "How did revenue trend by month?"),
}


@dataclass
class GenieQuery:
    attachment_id: str
    plan: Plan
    result: QueryResult


@dataclass
class GenieMessage:
    id: str
    conversation_id: str
    space_id: str
    content: str
    owner: str | None
    created: float
    queries: list[GenieQuery] = field(default_factory=list)
    text: str | None = None
    clarifying: bool = False
    follow_ups: tuple[str, ...] = ()
    expired: bool = False
    feedback: dict[str, Any] | None = None

    @property
    def steps(self) -> tuple[str, ...]:
        return QUERY_STEPS if self.queries else TEXT_STEPS


def status(message: GenieMessage, step_seconds: float) -> str:
    """The status `message` has reached now; a completed but expired result is QUERY_RESULT_EXPIRED."""
    steps = message.steps
    index = int((time.monotonic() - message.created) / step_seconds) if step_seconds > 0 else 99
    reached = steps[min(index, len(steps) - 1)]
    return "QUERY_RESULT_EXPIRED" if reached == "COMPLETED" and message.expired else reached


def render(message: GenieMessage, step_seconds: float) -> dict[str, Any]:
    """Genie's message JSON for `message` as of now."""
    current = status(message, step_seconds)
    reached = message.steps.index(current) if current in message.steps else len(message.steps) - 1
    attachments: list[dict[str, Any]] = []
    if reached >= message.steps.index("EXECUTING_QUERY" if message.queries else "COMPLETED"):
        attachments += [query_attachment(q) for q in message.queries]
    if reached == len(message.steps) - 1 and message.text:
        purpose = "FOLLOW_UP_QUESTION" if message.clarifying else "TEXT_ATTACHMENT_PURPOSE_ANSWER"
        attachments.append(
            {
                "attachment_id": f"{message.id[:12]}-t",
                "text": {"id": f"{message.id[:12]}-t", "content": message.text, "purpose": purpose},
            }
        )
        attachments.append(
            {
                "attachment_id": f"{message.id[:12]}-s",
                "suggested_questions": {"questions": list(message.follow_ups)},
            }
        )
    body: dict[str, Any] = {
        "id": message.id,
        "message_id": message.id,
        "conversation_id": message.conversation_id,
        "space_id": message.space_id,
        "content": message.content,
        "status": current,
        "created_timestamp": 1_764_547_200_000,
        "attachments": attachments,
    }
    if message.feedback is not None:
        body["feedback"] = message.feedback
    return body


def query_attachment(query: GenieQuery) -> dict[str, Any]:
    """A query attachment: the plan's SQL, title, description and thoughts, and its result's size."""
    plan, rows = query.plan, len(query.result.rows)
    thoughts = [
        {"thought_type": "THOUGHT_TYPE_DESCRIPTION", "content": plan.genie_query},
        {
            "thought_type": "THOUGHT_TYPE_DATA_SOURCING",
            "content": "Uses the `sales` view of the demo orders.",
        },
        {"thought_type": "THOUGHT_TYPE_STEPS", "content": f"Run the query; it returns {rows:,} rows."},
    ]
    return {
        "attachment_id": query.attachment_id,
        "query": {
            "id": query.attachment_id,
            "title": plan.title,
            "description": plan.description,
            "query": plan.sql,
            "statement_id": statement_id(plan.sql),
            "thoughts": thoughts,
            "query_result_metadata": {"row_count": rows, "is_truncated": rows > INLINE_ROWS},
        },
    }
