"""Results on the page: honest row counts, the display cap, the CSV behind the download, a prose output."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from support.emulator import Emulator

from mas.results.export import DISPLAY_CAP, to_csv_bytes
from mas.results.toolresult import ToolResult, parse_tool_output
from ui.result import counts_caption

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


def statement(rows: int, *, total: int | None = None) -> str:
    manifest: dict[str, Any] = {"schema": {"columns": [
        {"name": "order_id", "type_name": "LONG"}, {"name": "net_revenue", "type_name": "DOUBLE"},
        {"name": "note", "type_name": "STRING"}]}}
    if total is not None:
        manifest |= {"total_row_count": total, "truncated": True}
    data = [[i, i * 1.5, "=HYPERLINK(\"x\")" if i == 0 else "ok"] for i in range(rows)]
    return json.dumps({"manifest": manifest, "result": {"data_array": data}})


def answer_with(output: str) -> list[dict[str, Any]]:
    return [
        {"type": "response.output_item.done", "item": {
            "type": "function_call", "id": "fc1", "call_id": "c1", "name": "genie-0123abcd",
            "arguments": json.dumps({"genie_query": "All orders"})}},
        {"type": "response.output_item.done", "item": {"type": "function_call_output", "call_id": "c1",
                                                      "output": output}},
        {"type": "response.output_text.delta", "item_id": "m1", "delta": "Here they are."},
        {"type": "response.completed", "response": {"status": "completed"}},
    ]  # fmt: skip


@pytest.fixture
def ask_scripted(
    monkeypatch: pytest.MonkeyPatch, emulator: Emulator, scripted: Callable[..., Any]
) -> Callable[[str], AppTest]:
    monkeypatch.setenv("DATABRICKS_HOST", emulator.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", "tok-result")

    def ask(output: str) -> AppTest:
        emulator.set_responder(emulator.endpoint_name, scripted(answer_with(output)))
        at = AppTest.from_file(APP, default_timeout=60).run()
        at.chat_input[0].set_value("All orders please").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return ask


def test_a_big_result_sends_at_most_the_cap_and_says_so(ask_scripted: Callable[[str], AppTest]) -> None:
    at = ask_scripted(statement(DISPLAY_CAP + 2_000, total=50_000))
    answer = at.chat_message[1]
    assert answer.dataframe[0].value.shape[0] == DISPLAY_CAP
    captions = [c.value for c in answer.caption]
    assert ("Showing 10,000 of 50,000 rows · the source returned only the first 12,000 · "
            "the CSV has all 12,000") in captions
    assert answer.status[0].label.startswith("genie-0123abcd · 50,000 rows")
    part = at.session_state["turns"][0].tools[0]
    assert part.result.row_count == DISPLAY_CAP + 2_000  # every parsed row is kept for the CSV


def test_a_prose_only_output_keeps_its_words_in_the_details(ask_scripted: Callable[[str], AppTest]) -> None:
    at = ask_scripted("I could not find any orders for that period.")
    assert len(at.chat_message[1].dataframe) == 0
    assert "could not find any orders" in at.chat_message[1].status[0].caption[0].value


def test_a_failed_sub_agent_shows_a_warning(ask_scripted: Callable[[str], AppTest]) -> None:
    failed = {"status": {"state": "FAILED", "error": {"message": "Warehouse is stopped"}}}
    at = ask_scripted(json.dumps(failed))
    part = at.session_state["turns"][0].tools[0]
    assert part.state == "error"
    assert any("Warehouse is stopped" in w.value for w in at.chat_message[1].warning)


def test_the_csv_has_every_parsed_row_and_defuses_formulas() -> None:
    result = parse_tool_output(statement(DISPLAY_CAP + 5))
    assert result.table is not None
    lines = to_csv_bytes(result.table).decode().splitlines()
    assert len(lines) == DISPLAY_CAP + 6
    assert lines[1] == '0,0.0,"\'=HYPERLINK(""x"")"'



@pytest.mark.parametrize(
    ("result", "shown", "caption"),
    [
        (ToolResult(row_count=24, table=pd.DataFrame()), 24, "24 rows"),
        (ToolResult(row_count=1, table=pd.DataFrame()), 1, "1 row"),
        (ToolResult(row_count=20_000, table=pd.DataFrame()), 10_000,
         "Showing 10,000 of 20,000 rows · the CSV has all 20,000"),
        (ToolResult(row_count=100, total_rows=5_000, truncated=True, table=pd.DataFrame()), 100,
         "Showing 100 of 5,000 rows · the source returned only the first 100"),
        (ToolResult(row_count=100, truncated=True, table=pd.DataFrame()), 100,
         "Showing 100 rows · the source cut the result and did not say how many there are"),
    ],
)
def test_counts_are_honest(result: ToolResult, shown: int, caption: str) -> None:
    assert counts_caption(result, shown) == caption


def test_the_csv_is_named_for_what_its_rows_are() -> None:
    from mas.transcript import ToolPart
    from ui.result import csv_file_name

    def named(asked: str | None, question: str = "Which region brings in the most revenue?") -> str:
        part = ToolPart(name="agent-revenue-genie", call_id="c1", question=asked)
        return csv_file_name(part, question=question)

    assert named("What is the net revenue by region, sorted from highest to lowest?") == (
        "net-revenue-by-region-sorted-from-highest-to-lowest.csv")
    assert named(None, "What's our total revenue?") == "total-revenue.csv"
    assert named("<img src=x onerror=alert(1)>/../../etc") == "img-src-x-onerror-alert-1-etc.csv"
    assert named("???") == "result.csv"
    assert len(named("revenue " * 40)) <= 64
