"""The number check on the page: a figure no result holds is highlighted and noted, live and on replay."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from conftest import APP_SCRIPT, GENIE_TABLE
from streamlit.testing.v1 import AppTest
from support.emulator import Emulator

from mas.figures import figures
from mas.transcript import Turn
from ui import checks
from ui.text import literal

GENIE_WORDS = json.dumps({
    "attachments": [
        {"text": {"content": "EMEA has net revenue of 1,200.50, while APAC has 777.77."}},
        {"query": {"query": "SELECT region, net_revenue FROM sales", "description": "Revenue by region"}},
    ],
    "statement_response": {
        "manifest": {"schema": {"columns": [{"name": "region", "type_name": "STRING"},
                                            {"name": "net_revenue", "type_name": "DOUBLE"}]}},
        "result": {"data_array": [["EMEA", "1200.50"], ["Americas", "950.25"]]},
    },
})  # fmt: skip


def script(answer: str, *, output: str = GENIE_TABLE) -> list[dict[str, Any]]:
    return [
        {"type": "response.output_item.done", "item": {
            "type": "function_call", "id": "fc1", "call_id": "c1", "name": "agent-revenue-genie",
            "arguments": json.dumps({"genie_query": "Net revenue by region"})}},
        {"type": "response.output_item.done", "item": {"type": "function_call_output", "call_id": "c1",
                                                      "output": output}},
        {"type": "response.output_text.delta", "item_id": "m1", "delta": answer},
        {"type": "response.completed", "response": {"status": "completed"}},
    ]  # fmt: skip


@pytest.fixture
def ask_scripted(
    monkeypatch: pytest.MonkeyPatch, emulator: Emulator, scripted: Callable[..., Any]
) -> Callable[..., AppTest]:
    monkeypatch.setenv("DATABRICKS_HOST", emulator.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", "tok-checks")

    def ask(answer: str, *, output: str = GENIE_TABLE) -> AppTest:
        emulator.set_responder(emulator.endpoint_name, scripted(script(answer, output=output)))
        at = AppTest.from_file(APP_SCRIPT, default_timeout=60).run()
        at.chat_input[0].set_value("Revenue by region?").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return ask


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.chat_message[1].markdown)


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.chat_message[1].caption]


def test_a_figure_not_in_the_table_is_marked_and_noted(ask_scripted: Callable[..., AppTest]) -> None:
    at = ask_scripted("EMEA leads with $1,200.50, up from $5.2M.")
    assert f":{checks.MARK}[\\$5.2M]" in _markdown(at)
    assert "\\$1,200.50" in _markdown(at) and f":{checks.MARK}[\\$1,200.50]" not in _markdown(at)
    assert any("\\$5.2M is not in the results of this answer." in c for c in _captions(at))
    assert at.session_state["turns"][0].status == "complete"


def test_a_clean_answer_gets_no_mark_and_no_note(ask_scripted: Callable[..., AppTest]) -> None:
    at = ask_scripted("EMEA leads with $1,200.50, ahead of the Americas by $250.25.")
    assert checks.MARK not in _markdown(at)
    assert not any("Number check" in c for c in _captions(at))


def test_a_genie_text_attachment_is_checked_too(ask_scripted: Callable[..., AppTest]) -> None:
    at = ask_scripted("Here is revenue by region.", output=GENIE_WORDS)
    [details] = [c for c in _captions(at) if "EMEA has net revenue" in c]
    assert f":{checks.MARK}[{literal('777.77')}]" in details and checks.MARK + "[1" not in details
    assert any(literal("777.77") + " is not in the results of this answer." in c for c in _captions(at))


def test_marking_keeps_the_rest_of_the_text_and_the_note_lists_each_figure_once() -> None:
    text = "Revenue was $5.2M, then $5.2M again, and 41.2% of it; the rest **stays**."
    found = figures(text)
    assert checks.marked(text, found).count(f":{checks.MARK}[") == 3
    assert (
        checks.marked(text, [])
        == "Revenue was \\$5.2M, then \\$5.2M again, and 41.2% of it; the rest **stays**."
    )
    note = checks.note_text(checks.TurnCheck(texts={0: found}))
    assert note == f"\\$5.2M and {literal('41.2%')} are not in the results of this answer."


def test_a_turn_still_streaming_or_without_tables_is_not_checked() -> None:
    turn = Turn(question="q")
    assert checks.check_turn(turn).flagged == []
