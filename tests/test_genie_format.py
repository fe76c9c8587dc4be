"""The Genie tool output: a markdown table with the SQL, or the statement-response JSON with string cells."""

from __future__ import annotations

import json
from decimal import Decimal

from mas.demo.engine import Column, QueryResult
from mas.demo.genie_format import MAX_ROWS, genie_output, markdown_table, statement_id
from mas.demo.intents import Intent
from mas.demo.plans import build_plan

PLAN = build_plan(Intent(kind="breakdown", dimension="region"))
RESULT = QueryResult(
    columns=(Column("region", "VARCHAR", "STRING"), Column("net_revenue", "DECIMAL(38,2)", "DECIMAL"),
             Column("pct_of_total", "DOUBLE", "DOUBLE")),
    rows=(("North America", Decimal("96178379.60"), 38.6), ("A|B", Decimal("1.00"), None)),
)


def test_markdown_has_description_sql_fence_and_pipe_table() -> None:
    text = genie_output(PLAN, RESULT, shape="markdown")
    description, fence, table = text.split("\n\n")
    assert description == PLAN.description
    assert fence == f"```sql\n{PLAN.sql}\n```"
    assert table.splitlines() == [
        "| region | net_revenue | pct_of_total |",
        "|---|---|---|",
        "| North America | 96178379.60 | 38.6 |",
        "| A\\|B | 1.00 |  |",
    ]


def test_json_is_the_statement_response_shape_with_string_cells() -> None:
    payload = json.loads(genie_output(PLAN, RESULT, shape="json"))
    assert payload["query"] == PLAN.sql
    assert payload["description"] == PLAN.description
    response = payload["statement_response"]
    assert response["status"] == {"state": "SUCCEEDED"}
    assert response["statement_id"] == statement_id(PLAN.sql)
    manifest = response["manifest"]
    assert manifest["schema"]["columns"] == [
        {"name": "region", "type_name": "STRING", "type_text": "VARCHAR", "position": 0},
        {"name": "net_revenue", "type_name": "DECIMAL", "type_text": "DECIMAL(38,2)", "position": 1},
        {"name": "pct_of_total", "type_name": "DOUBLE", "type_text": "DOUBLE", "position": 2},
    ]
    assert (manifest["total_row_count"], manifest["truncated"]) == (2, False)
    expected = [["North America", "96178379.60", "38.6"], ["A|B", "1.00", None]]
    assert response["result"]["data_array"] == expected
    assert response["result"]["row_count"] == 2


def test_long_results_are_truncated_and_say_so() -> None:
    rows = tuple((i,) for i in range(MAX_ROWS + 50))
    long = QueryResult(columns=(Column("n", "BIGINT", "LONG"),), rows=rows)
    payload = json.loads(genie_output(PLAN, long, shape="json"))["statement_response"]
    assert payload["manifest"]["total_row_count"] == MAX_ROWS + 50
    assert payload["manifest"]["truncated"] is True
    assert len(payload["result"]["data_array"]) == MAX_ROWS
    markdown = genie_output(PLAN, long, shape="markdown")
    assert markdown.endswith(f"_Showing the first {MAX_ROWS} of {MAX_ROWS + 50} rows._")
    assert len(markdown_table(long).splitlines()) == MAX_ROWS + 2


def test_statement_id_is_stable_and_uuid_shaped() -> None:
    assert statement_id("SELECT 1") == statement_id("SELECT 1")
    assert statement_id("SELECT 1") != statement_id("SELECT 2")
    assert len(statement_id("SELECT 1").split("-")) == 5
