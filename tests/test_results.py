"""`parse_tool_output` on every tool-output shape a MAS Genie sub-agent is known to return."""

from __future__ import annotations

import json
import os
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mas.results.toolresult import ToolResult, parse_tool_output

EXAMPLES = int(os.environ.get("MAS_HYPOTHESIS_EXAMPLES", "60"))
SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'


def _cells(result: ToolResult, column: str) -> list[Any]:
    assert result.table is not None
    return [None if pd.isna(v) else v for v in result.table[column].tolist()]


def _statement(rows: list[list[Any]], **manifest: Any) -> dict[str, Any]:
    columns = [
        {"name": "region", "type_name": "STRING", "type_text": "STRING", "position": 0},
        {"name": "revenue", "type_name": "DECIMAL", "type_text": "DECIMAL(38,2)", "position": 1},
        {"name": "orders", "type_name": "LONG", "position": 2},
        {"name": "month", "type_name": "DATE", "position": 3},
    ]
    return {
        "statement_id": "01ef",
        "status": {"state": "SUCCEEDED"},
        "manifest": {"format": "JSON_ARRAY", "schema": {"column_count": 4, "columns": columns}, **manifest},
        "result": {"chunk_index": 0, "row_offset": 0, "row_count": len(rows), "data_array": rows},
    }


ROWS = [
    ["EMEA", "1200.00", "3", "2024-01-01"],
    ["APAC", None, None, None],
    [SCRIPT, "-5.50", "1", "2024-02-01"],
]

# ---- prose and handoffs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "output",
    [
        "Revenue grew 12% last year, mostly in EMEA.",
        "Handed off to: agent-revenue-genie",
        "",
        "   \n ",
        "A | B without a delimiter row",
        "[link](http://x) is not JSON",
        '{"unterminated": ',
        "42",
    ],
)
def test_prose_gives_text_and_no_table(output: str) -> None:
    result = parse_tool_output(output)
    assert result.table is None and result.kind == "text" and not result.is_error
    assert result.text == output.strip()
    assert (result.row_count, result.total_rows, result.truncated) == (0, None, False)


# ---- markdown tables ----------------------------------------------------------------------------

MD_VARIANTS = {
    "outer pipes": "| region | revenue |\n|---|---|\n| EMEA | 1,200 |\n| APAC | 950 |",
    "no outer pipes": "region | revenue\n--- | ---\nEMEA | 1,200\nAPAC | 950",
    "alignment": "| region | revenue |\n|:---|---:|\n| EMEA | 1,200 |\n| APAC | 950 |",
    "indented": "  | region | revenue |\n  | :-: | - |\n  | EMEA | 1,200 |\n  | APAC | 950 |",
    "confluence": "||region||revenue||\n|EMEA|1,200|\n|APAC|950|",
    "as JSON string": json.dumps("| region | revenue |\n|---|---|\n| EMEA | 1,200 |\n| APAC | 950 |"),
}


@pytest.mark.parametrize("output", MD_VARIANTS.values(), ids=MD_VARIANTS.keys())
def test_markdown_table_variants(output: str) -> None:
    result = parse_tool_output(output)
    assert _cells(result, "region") == ["EMEA", "APAC"]
    assert _cells(result, "revenue") == [1200, 950]
    assert result.kind == "table" and result.row_count == 2 and result.text == ""


def test_table_within_prose_keeps_the_prose_and_takes_the_sql() -> None:
    output = (
        "Here is revenue by region:\n\n| region | revenue |\n|---|---|\n"
        "| EMEA | $1,200.50 |\n| APAC | ($300) |\n\n"
        "```sql\nSELECT region, SUM(revenue) AS revenue\nFROM sales GROUP BY region\n```\n\nEMEA leads."
    )
    result = parse_tool_output(output)
    assert result.text == "Here is revenue by region:\n\nEMEA leads."
    assert result.sql == "SELECT region, SUM(revenue) AS revenue\nFROM sales GROUP BY region"
    assert _cells(result, "revenue") == [1200.5, -300.0]
    revenue = result.columns[1]
    assert (revenue.role, revenue.format, revenue.currency) == ("measure", "currency", "USD")


def test_escaped_pipes_nulls_and_html_stay_verbatim() -> None:
    output = (
        f"| {SCRIPT} | value \\| note | amount |\n|---|---|---|\n| {IMG} | a \\| b | 5 |\n"
        "| **bold** |  | n/a |\n| `code` | =1+1 | 7 |"
    )
    result = parse_tool_output(output)
    assert result.table is not None
    assert list(result.table.columns) == [SCRIPT, "value | note", "amount"]
    assert _cells(result, SCRIPT) == [IMG, "bold", "code"]
    assert _cells(result, "value | note") == ["a | b", None, "=1+1"]
    assert _cells(result, "amount") == [5, None, 7]


@pytest.mark.parametrize(
    ("header", "names"),
    [
        ("| a | a | a |", ["a", "a (2)", "a (3)"]),
        ("|  | x |  |", ["column 1", "x", "column 3"]),
        ("| Revenue ($) | % change | 日本 |", ["Revenue ($)", "% change", "日本"]),
        ("| col with   spaces | 1 | 2 |", ["col with   spaces", "1", "2"]),
    ],
)
def test_weird_headers(header: str, names: list[str]) -> None:
    result = parse_tool_output(f"{header}\n|---|---|---|\n| x | y | z |")
    assert result.table is not None and list(result.table.columns) == names


def test_empty_markdown_table_keeps_its_columns() -> None:
    result = parse_tool_output("No rows matched.\n\n| region | revenue |\n|---|---|\n")
    assert result.table is not None and list(result.table.columns) == ["region", "revenue"]
    assert (result.row_count, result.kind, result.text) == (0, "table", "No rows matched.")


def test_one_by_one_is_a_kpi() -> None:
    result = parse_tool_output("Total revenue:\n\n| total_revenue |\n|---|\n| $12,345,678.90 |")
    assert result.kind == "kpi" and _cells(result, "total_revenue") == [12345678.9]


def test_second_table_stays_in_the_text() -> None:
    output = "| a |\n|---|\n| 1 |\n\nAnd also:\n\n| b |\n|---|\n| 2 |"
    result = parse_tool_output(output)
    assert result.table is not None and list(result.table.columns) == ["a"]
    assert "| b |" in result.text


def test_table_inside_a_non_sql_fence_is_not_parsed() -> None:
    output = "Example:\n```text\n| a |\n|---|\n| 1 |\n```"
    result = parse_tool_output(output)
    assert result.table is None and result.text == output


def test_showing_n_of_m_rows_note_is_an_honest_total() -> None:
    result = parse_tool_output("| a |\n|---|\n| 1 |\n| 2 |\n\n_Showing the first 2 of 1,250 rows._")
    assert (result.row_count, result.total_rows, result.truncated) == (2, 1250, True)


# ---- SQL ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "sql"),
    [
        ("```sql\nSELECT 1\n```", "SELECT 1"),
        ("```SQL\nselect 2\n```", "select 2"),
        (
            "```\n-- totals\nWITH t AS (SELECT 1) SELECT * FROM t\n```",
            "-- totals\nWITH t AS (SELECT 1) SELECT * FROM t",
        ),
        ("```sql\nSELECT 1\n```\nRetried:\n```sql\nSELECT 2\n```", "SELECT 2"),
        ({"sql": "SELECT 3"}, "SELECT 3"),
        ({"query": "SELECT 4", "description": "d"}, "SELECT 4"),
        ({"query": {"query": "SELECT 5"}}, "SELECT 5"),
        ({"attachments": [{"query": {"query": "SELECT 6"}}, {"query": {"query": "SELECT 7"}}]}, "SELECT 7"),
        ({"query": "What is our revenue?"}, None),
        ("```python\nprint('SELECT')\n```", None),
    ],
)
def test_sql(output: Any, sql: str | None) -> None:
    assert parse_tool_output(output).sql == sql


def test_sql_fence_is_removed_from_text_but_other_fences_stay() -> None:
    result = parse_tool_output("Query:\n```sql\nSELECT 1\n```\nCode:\n```python\nx = 1\n```")
    assert result.text == "Query:\n\nCode:\n```python\nx = 1\n```"


# ---- statement response -------------------------------------------------------------------------

STATEMENT_SHAPES = {
    "dict": _statement(ROWS),
    "wrapped dict": {"statement_response": _statement(ROWS)},
    "JSON text": json.dumps({"statement_response": _statement(ROWS)}),
    "pretty JSON text": json.dumps(_statement(ROWS), indent=2),
    "MCP wrapper": json.dumps({"type": "text", "text": json.dumps(_statement(ROWS)), "annotations": None}),
    "Genie query result in a message": {"query": "SELECT *", "statement_response": _statement(ROWS)},
    "JSON text of JSON text": json.dumps(json.dumps(_statement(ROWS))),
    "list of MCP content": [{"type": "text", "text": json.dumps(_statement(ROWS))}],
}


@pytest.mark.parametrize("output", STATEMENT_SHAPES.values(), ids=STATEMENT_SHAPES.keys())
def test_statement_response_is_typed_with_nulls_kept(output: Any) -> None:
    result = parse_tool_output(output)
    assert result.table is not None and result.kind == "table"
    dtypes = [str(t) for t in result.table.dtypes]
    assert dtypes[:3] == ["string", "float64", "Int64"] and dtypes[3].startswith("datetime64")
    assert _cells(result, "region") == ["EMEA", "APAC", SCRIPT]
    assert _cells(result, "revenue") == [1200.0, None, -5.5]
    assert _cells(result, "orders") == [3, None, 1]
    assert _cells(result, "month") == [pd.Timestamp("2024-01-01"), None, pd.Timestamp("2024-02-01")]
    assert result.row_count == 3 and not result.truncated


@pytest.mark.parametrize(
    ("manifest", "result_extra", "total", "truncated"),
    [
        ({"total_row_count": 3, "truncated": False}, {}, 3, False),
        ({"total_row_count": 5000, "truncated": True}, {}, 5000, True),
        ({"total_row_count": 5000}, {}, 5000, True),
        ({"truncated": True}, {}, None, True),
        ({}, {"next_chunk_index": 1}, None, True),
    ],
)
def test_truncated_statement_response(
    manifest: dict[str, Any], result_extra: dict[str, Any], total: int | None, truncated: bool
) -> None:
    doc = _statement(ROWS, **manifest)
    doc["result"].update(result_extra)
    for output in (doc, json.dumps(doc)):
        result = parse_tool_output(output)
        assert (result.row_count, result.total_rows, result.truncated) == (3, total, truncated)


def test_statement_without_rows_is_an_empty_typed_table() -> None:
    doc = _statement([])
    del doc["result"]["data_array"]
    result = parse_tool_output(json.dumps(doc))
    assert result.table is not None and result.row_count == 0
    assert list(result.table.columns) == ["region", "revenue", "orders", "month"]
    assert result.kind == "table"


def test_failed_statement_is_an_error() -> None:
    doc = {
        "statement_id": "x",
        "status": {"state": "FAILED", "error": {"message": "TABLE_OR_VIEW_NOT_FOUND"}},
        "manifest": {},
    }
    result = parse_tool_output(doc)
    assert result.is_error and result.text == "TABLE_OR_VIEW_NOT_FOUND"


def test_data_array_key_elsewhere_does_not_confuse_the_scan() -> None:
    doc = {"meta": {"data_array": [["decoy"]]}, "statement_response": _statement(ROWS)}
    result = parse_tool_output(json.dumps(doc))
    assert _cells(result, "region") == ["EMEA", "APAC", SCRIPT]


def test_statement_string_quarters_are_time_like_the_same_pipe_table() -> None:
    columns = [
        {"name": "order_quarter", "type_name": "STRING"},
        {"name": "net_revenue", "type_name": "DOUBLE"},
    ]
    rows = [["2023-Q2", "16.5"], ["2023-Q1", "14.0"], ["2023-Q3", "13.9"]]
    doc = {"manifest": {"schema": {"columns": columns}}, "result": {"data_array": rows}}
    pipe = "| order_quarter | net_revenue |\n|---|---|\n" + "".join(f"| {q} | {v} |\n" for q, v in rows)
    typed, text = parse_tool_output(json.dumps(doc)), parse_tool_output(pipe)
    assert typed.columns == text.columns
    assert [(c.role, c.format) for c in typed.columns] == [("time", "quarter"), ("measure", "currency")]
    assert _cells(typed, "order_quarter")[1] == pd.Timestamp("2023-01-01")


def test_statement_schema_without_types_is_coerced_like_text() -> None:
    doc = {
        "manifest": {"schema": {"columns": [{"name": "month"}, {"name": "revenue"}]}},
        "result": {"data_array": [["2024-01", "$5"], ["2024-02", "$6"]]},
    }
    result = parse_tool_output(doc)
    assert _cells(result, "revenue") == [5, 6]
    assert result.columns[0].format == "month"


# ---- columns/data envelopes, MCP wrappers and records -------------------------------------------


@pytest.mark.parametrize(
    "output",
    [
        {"columns": ["region", "revenue"], "data": [["EMEA", "1,200"], ["APAC", "950"]]},
        {"columns": ["region", "revenue"], "rows": [["EMEA", 1200], ["APAC", 950]]},
        {"columns": [{"name": "region"}, {"name": "revenue"}], "rows": [["EMEA", "1200"], ["APAC", "950"]]},
        {
            "columns": [{"name": "region", "type_name": "STRING"}, {"name": "revenue", "type_name": "INT"}],
            "data": [["EMEA", "1200"], ["APAC", "950"]],
        },
        {
            "columns": ["region", "revenue"],
            "data": [{"region": "EMEA", "revenue": 1200}, {"region": "APAC", "revenue": 950}],
        },
        [{"region": "EMEA", "revenue": 1200}, {"region": "APAC", "revenue": "950"}],
        json.dumps([{"region": "EMEA", "revenue": "1,200"}, {"region": "APAC", "revenue": "950"}]),
        {"data": [{"region": "EMEA", "revenue": 1200}, {"region": "APAC", "revenue": 950}]},
        {
            "type": "text",
            "text": json.dumps(
                {"columns": ["region", "revenue"], "rows": [["EMEA", "1200"], ["APAC", "950"]]}
            ),
        },
    ],
)
def test_envelopes_and_records(output: Any) -> None:
    result = parse_tool_output(output)
    assert _cells(result, "region") == ["EMEA", "APAC"]
    assert _cells(result, "revenue") == [1200, 950]
    assert result.kind == "table"


def test_uc_function_result_wrapped_mcp_style() -> None:
    # databricks-ai-bridge fixture shape (mas-output.md §2): a one-cell result with a trailing newline.
    inner = json.dumps({"is_truncated": False, "columns": ["output"], "rows": [["12\n"]]})
    result = parse_tool_output(json.dumps({"type": "text", "text": inner, "annotations": None, "meta": None}))
    assert result.kind == "kpi" and _cells(result, "output") == [12]


def test_envelope_truncation_flag() -> None:
    result = parse_tool_output({"is_truncated": True, "columns": ["a"], "rows": [["1"], ["2"]]})
    assert result.truncated and result.row_count == 2


def test_records_with_missing_keys_and_list_values() -> None:
    result = parse_tool_output([{"a": 1, "b": ["x", 1]}, {"a": None, "c": SCRIPT}])
    assert result.table is not None and list(result.table.columns) == ["a", "b", "c"]
    assert _cells(result, "a") == [1, None]
    assert _cells(result, "b") == ['["x",1]', None]
    assert _cells(result, "c") == [None, SCRIPT]


def test_dicts_holding_objects_are_containers_not_records() -> None:
    result = parse_tool_output([{"text": {"content": "hello"}}, {"query": {"query": "SELECT 1"}}])
    assert (result.table, result.text, result.sql) == (None, "hello", "SELECT 1")


# ---- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "text"),
    [
        ({"error": "Genie space not found"}, "Genie space not found"),
        ({"error": {"message": "Warehouse stopped", "type": "X"}}, "Warehouse stopped"),
        (
            {"error_code": "PERMISSION_DENIED", "message": "No SELECT on sales"},
            "PERMISSION_DENIED: No SELECT on sales",
        ),
        (json.dumps({"error": "boom"}), "boom"),
        ("Error: the query timed out.", "Error: the query timed out."),
        ("An error occurred while running the query.", "An error occurred while running the query."),
        ("Failed to reach the SQL warehouse", "Failed to reach the SQL warehouse"),
        (
            "INVALID_PARAMETER_VALUE: Error getting permissions for table(s): main.sales",
            "INVALID_PARAMETER_VALUE: Error getting permissions for table(s): main.sales",
        ),
        (
            {
                "status": "FAILED",
                "error": {"error": "Genie could not answer", "type": "BLOCK"},
                "attachments": [],
            },
            "Genie could not answer",
        ),
    ],
)
def test_errors(output: Any, text: str) -> None:
    result = parse_tool_output(output)
    assert result.is_error and result.text == text and result.table is None


@pytest.mark.parametrize(
    "output",
    [
        "Errors in the data were corrected below",
        {"error": None, "text": "fine"},
        "NOTE: fine",
        "| Error |\n|-|\n| 1 |",
        "Failed payments fell 12% in Q3.",
        "Error bars are not shown.",
        "total_revenue: 5",
    ],
)
def test_not_errors(output: Any) -> None:
    assert not parse_tool_output(output).is_error


# ---- Genie messages -----------------------------------------------------------------------------


def test_genie_message_with_attachments() -> None:
    message = {
        "id": "m1",
        "conversation_id": "c1",
        "content": "Top customers by revenue",
        "status": "COMPLETED",
        "attachments": [
            {
                "attachment_id": "a1",
                "query": {
                    "title": "Top customers",
                    "description": "Sums revenue per customer.",
                    "query": "SELECT customer, SUM(revenue) FROM sales GROUP BY 1 ORDER BY 2 DESC LIMIT 5",
                    "query_result_metadata": {"row_count": 250, "is_truncated": True},
                },
            },
            {"attachment_id": "a2", "text": {"id": "a2", "content": "Acme is the top customer."}},
            {"attachment_id": "a3", "suggested_questions": {"questions": ["What about last year?", " ", 3]}},
        ],
        "error": None,
    }
    result = parse_tool_output(json.dumps(message))
    assert result.text == "Acme is the top customer."
    assert result.sql is not None and result.sql.startswith("SELECT customer")
    assert result.suggestions == ["What about last year?"]
    assert (result.total_rows, result.truncated) == (250, True)


def test_description_is_the_prose_only_when_nothing_else_is() -> None:
    doc = {"query": "SELECT 1", "description": "Totals revenue.", "statement_response": _statement(ROWS)}
    assert parse_tool_output(doc).text == "Totals revenue."
    assert parse_tool_output({**doc, "text": "Main answer."}).text == "Main answer."


def test_suggestion_lists() -> None:
    result = parse_tool_output({"text": "ok", "suggestions": ["a", "b", "a"], "follow_up_questions": ["c"]})
    assert result.suggestions == ["a", "b", "c"]


# ---- robustness ---------------------------------------------------------------------------------


def test_deep_nesting_is_cut_off_without_error() -> None:
    doc: Any = {"text": "deep"}
    for _ in range(100):
        doc = {"wrapper": doc}
    assert parse_tool_output(doc).text == ""


def test_absurdly_nested_json_text_is_prose() -> None:
    text = "[" * 100_000 + "]" * 100_000
    assert parse_tool_output(text).table is None
    rows = '{"result": {"data_array": [' + "[" * 100_000 + "]" * 100_000 + "]}}"
    assert parse_tool_output(rows).table is None


def test_dict_input_is_not_mutated() -> None:
    doc = _statement(ROWS)
    before = json.dumps(doc)
    parse_tool_output(doc)
    assert json.dumps(doc) == before


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "text",
                    "query",
                    "sql",
                    "columns",
                    "rows",
                    "data",
                    "manifest",
                    "result",
                    "data_array",
                    "error",
                    "type",
                    "attachments",
                    "statement_response",
                    "schema",
                    "x",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=EXAMPLES, deadline=None)
@given(_JSON)
def test_never_raises_on_arbitrary_json(value: Any) -> None:
    for output in (value, json.dumps(value)):
        if isinstance(output, str | dict | list):
            result = parse_tool_output(output)
            assert result.kind in ("kpi", "table", "text")
            assert result.row_count == (0 if result.table is None else len(result.table))


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('|-: \n\\`ab1$%,.()[]{}"')), max_size=120))
def test_never_raises_on_table_like_text(text: str) -> None:
    result = parse_tool_output(text)
    assert result.table is None or result.row_count == len(result.table)
