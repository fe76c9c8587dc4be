"""The demo Genie sub-agent's tool output, in the two shapes clients must handle.

`genie_output(plan, result, shape=...)` renders what the supervisor's `function_call_output`
carries: "markdown" (a description, the SQL in a ```sql fence and a pipe table, like
databricks-ai-bridge's Genie wrapper) or "json" (`{"query", "description",
"statement_response"}` with string cells, like the Genie query-result API; see
shared/notes/wire-format.md §5). It does not run the SQL.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any, Literal

from mas.demo.engine import QueryResult
from mas.demo.plans import Plan

Shape = Literal["markdown", "json"]
MAX_ROWS = 100
"""Rows sent back at most; more are reported as truncated."""


def genie_output(plan: Plan, result: QueryResult, *, shape: Shape) -> str:
    if shape == "json":
        return json.dumps(statement_payload(plan, result))
    return markdown_output(plan, result)


def _cell(value: str | None) -> str:
    # A pipe inside a cell would end it; NULL is an empty cell.
    return "" if value is None else value.replace("|", "\\|").replace("\n", " ")


def markdown_table(result: QueryResult) -> str:
    names = [column.name for column in result.columns]
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    rows = result.string_rows()[:MAX_ROWS]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown_output(plan: Plan, result: QueryResult) -> str:
    text = f"{plan.description}\n\n```sql\n{plan.sql}\n```\n\n{markdown_table(result)}"
    if len(result.rows) > MAX_ROWS:
        text += f"\n\n_Showing the first {MAX_ROWS} of {len(result.rows)} rows._"
    return text


def statement_id(sql: str) -> str:
    """A stable statement id per SQL text, shaped like the warehouse's UUIDs."""
    return str(uuid.UUID(hashlib.sha256(sql.encode()).hexdigest()[:32]))


def statement_payload(plan: Plan, result: QueryResult) -> dict[str, Any]:
    rows = result.string_rows()[:MAX_ROWS]
    columns = [
        {"name": column.name, "type_name": column.type_name, "type_text": column.type_text,
         "position": position}
        for position, column in enumerate(result.columns)
    ]
    return {
        "query": plan.sql,
        "description": plan.description,
        "statement_response": {
            "statement_id": statement_id(plan.sql),
            "status": {"state": "SUCCEEDED"},
            "manifest": {
                "format": "JSON_ARRAY",
                "schema": {"column_count": len(columns), "columns": columns},
                "total_row_count": len(result.rows),
                "truncated": len(result.rows) > MAX_ROWS,
            },
            "result": {"chunk_index": 0, "row_offset": 0, "row_count": len(rows), "data_array": rows},
        },
    }
