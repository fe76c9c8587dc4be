"""What a Genie message holds, read tolerantly: its query, text and suggested-question attachments.

`query_attachments`, `text_attachments` and `suggestions` read a `GenieMessage` dict (sdk
`service/dashboards.py`: `GenieAttachment` has one of `query`, `text`, `suggested_questions`,
`viz`). `tool_output` builds the JSON the `tool.output` event carries, shaped so that
`mas.results.toolresult.parse_tool_output` finds the SQL, the statement result, the row count
and the follow-ups; `GenieDetails.from_output` reads back what only the UI shows (title, thoughts,
ids). No I/O.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

FOLLOW_UP_QUESTION = "FOLLOW_UP_QUESTION"
"""`TextAttachmentPurpose` of a clarifying question Genie asks back."""
THOUGHT_LABELS = {
    "THOUGHT_TYPE_DESCRIPTION": "Interpretation",
    "THOUGHT_TYPE_UNDERSTANDING": "Understanding",
    "THOUGHT_TYPE_DATA_SOURCING": "Data sources",
    "THOUGHT_TYPE_INSTRUCTIONS": "Instructions",
    "THOUGHT_TYPE_STEPS": "Steps",
}
GENIE_KIND = "genie"
"""Marks a tool output built here, so readers can tell it from a Supervisor's."""


@dataclass(frozen=True)
class QueryAttachment:
    attachment_id: str
    sql: str
    title: str = ""
    description: str = ""
    thoughts: tuple[str, ...] = ()
    statement_id: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TextAttachment:
    attachment_id: str
    content: str
    clarifying: bool = False


def _items(message: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items = message.get("attachments")
    return [a for a in items if isinstance(a, Mapping)] if isinstance(items, list) else []


def _thought(item: Any) -> str | None:
    if not isinstance(item, Mapping) or not str(item.get("content") or "").strip():
        return None
    label = THOUGHT_LABELS.get(str(item.get("thought_type")), "Thought")
    return f"{label}: {str(item['content']).strip()}"


def query_attachments(message: Mapping[str, Any]) -> list[QueryAttachment]:
    """The message's query attachments that already have their SQL, in order."""
    found = []
    for index, item in enumerate(_items(message)):
        query = item.get("query")
        if not isinstance(query, Mapping) or not str(query.get("query") or "").strip():
            continue
        raw_thoughts = query.get("thoughts")
        thoughts: list[Any] = raw_thoughts if isinstance(raw_thoughts, list) else []
        metadata = query.get("query_result_metadata")
        found.append(
            QueryAttachment(
                attachment_id=str(item.get("attachment_id") or query.get("id") or f"query-{index}"),
                sql=str(query["query"]).strip(),
                title=str(query.get("title") or ""),
                description=str(query.get("description") or ""),
                thoughts=tuple(t for t in map(_thought, thoughts) if t),
                statement_id=query.get("statement_id")
                if isinstance(query.get("statement_id"), str)
                else None,
                metadata=metadata if isinstance(metadata, Mapping) else {},
            )
        )
    return found


def text_attachments(message: Mapping[str, Any]) -> list[TextAttachment]:
    found = []
    for index, item in enumerate(_items(message)):
        text = item.get("text")
        if isinstance(text, Mapping) and str(text.get("content") or "").strip():
            found.append(
                TextAttachment(
                    attachment_id=str(item.get("attachment_id") or text.get("id") or f"text-{index}"),
                    content=str(text["content"]).strip(),
                    clarifying=text.get("purpose") == FOLLOW_UP_QUESTION,
                )
            )
    return found


def suggestions(message: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    for item in _items(message):
        block = item.get("suggested_questions")
        questions = block.get("questions") if isinstance(block, Mapping) else None
        if isinstance(questions, list):
            found += [q.strip() for q in questions if isinstance(q, str) and q.strip()]
    return list(dict.fromkeys(found))


def ordered(message: Mapping[str, Any]) -> list[QueryAttachment | TextAttachment]:
    """Query and text attachments in the order Genie gave them."""
    queries = {q.attachment_id: q for q in query_attachments(message)}
    texts = {t.attachment_id: t for t in text_attachments(message)}
    out: list[QueryAttachment | TextAttachment] = []
    for index, item in enumerate(_items(message)):
        key = str(item.get("attachment_id") or "")
        for kind, table in (("query", queries), ("text", texts)):
            fallback = f"{kind}-{index}"
            if isinstance(item.get(kind), Mapping) and (key or fallback) in table:
                out.append(table.pop(key or fallback))
    return out


@dataclass(frozen=True)
class Ids:
    space_id: str
    conversation_id: str
    message_id: str


def tool_output(
    query: QueryAttachment,
    *,
    ids: Ids,
    statement: Mapping[str, Any] | None,
    follow_ups: list[str],
    rerun: bool,
) -> str:
    """The `tool.output` JSON for one query attachment and its statement result."""
    payload: dict[str, Any] = {
        "kind": GENIE_KIND,
        "space_id": ids.space_id,
        "conversation_id": ids.conversation_id,
        "message_id": ids.message_id,
        "attachment_id": query.attachment_id,
        "title": query.title,
        "description": query.description,
        "query": query.sql,
        "thoughts": list(query.thoughts),  # strings: a list of records would read as a table
        "statement_id": query.statement_id,
        "rerun": rerun,
    }
    if query.metadata:
        payload["query_result_metadata"] = dict(query.metadata)
    if statement is not None:
        payload["statement_response"] = dict(statement)
    if follow_ups:
        payload["suggested_questions"] = follow_ups
    return json.dumps(payload)


@dataclass(frozen=True)
class GenieDetails:
    """What the UI shows beside the table of a Genie result: its title, thoughts and ids."""

    ids: Ids
    attachment_id: str
    title: str = ""
    thoughts: tuple[str, ...] = ()
    rerun: bool = False
    row_count: int | None = None

    @classmethod
    def from_output(cls, output: str | None) -> GenieDetails | None:
        """The details of a tool output built by `tool_output`; None for any other output."""
        if not output or not output.lstrip().startswith("{"):
            return None
        try:
            data = json.loads(output)
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("kind") != GENIE_KIND:
            return None
        raw_meta = data.get("query_result_metadata")
        meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
        rows = meta.get("row_count")
        return cls(
            ids=Ids(
                str(data.get("space_id", "")),
                str(data.get("conversation_id", "")),
                str(data.get("message_id", "")),
            ),
            attachment_id=str(data.get("attachment_id", "")),
            title=str(data.get("title") or ""),
            thoughts=tuple(str(t) for t in data.get("thoughts") or () if isinstance(t, str)),
            rerun=data.get("rerun") is True,
            row_count=rows if isinstance(rows, int) else None,
        )
