"""The Chat page in AppTest, against the emulator serving the demo supervisor over real HTTP.

Each test runs the whole app script (`streamlit_app.py` → navigation → `pages/chat.py`) in-process;
the app reaches the emulator as a configured workspace (DATABRICKS_HOST), so faults can be injected
into the very next request. AppTest shows the final element tree of each run, not the stream.
"""

from __future__ import annotations

import base64
import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any

import pytest
from conftest import APP_SCRIPT as APP
from conftest import UI_TOKEN as TOKEN
from streamlit.testing.v1 import AppTest
from support.emulator import Emulator, Fault

from mas.transcript import TextPart, ToolPart, Turn


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(block: Any) -> str:
    return "\n".join(m.value for m in block.markdown)


def turns(at: AppTest) -> list[Turn]:
    return list(at.session_state["turns"])


def test_an_empty_chat_welcomes_with_starter_questions_that_ask(app: AppTest) -> None:
    starters = [b for b in app.button if b.key and b.key.startswith("starter-")]
    assert 4 <= len(starters) <= 6
    starters[0].click().run()
    assert not app.exception
    assert app.chat_message[0].markdown[0].value.startswith("What")
    assert turns(app)[0].status == "complete"


def test_a_trend_question_streams_text_a_status_with_sql_a_table_and_a_line_chart(app: AppTest) -> None:
    ask(app, "Show me revenue trends")
    user, answer = app.chat_message[0], app.chat_message[1]
    assert (user.name, answer.name) == ("user", "assistant")
    assert "revenue" in texts(answer).lower()
    [status] = answer.status
    assert status.label.startswith("Revenue Genie · 36 rows")  # agent-revenue-genie, read as words
    assert status.state == "complete"
    assert "SELECT" in status.code[0].value.upper()
    assert answer.dataframe[0].value.shape[0] == 36
    assert len(app.get("vega_lite_chart")) == 1
    assert any(c.value.startswith("Line chart:") for c in answer.caption)
    assert any(c.value == "36 rows" for c in answer.caption)
    turn = turns(app)[0]
    assert turn.status == "complete" and turn.tools[0].chart_kind == "line"
    assert [type(p) for p in turn.parts] == [TextPart, ToolPart, TextPart]


def test_a_total_is_a_kpi_card(app: AppTest) -> None:
    ask(app, "What's our total revenue?")
    [metric] = app.chat_message[1].metric
    assert metric.value.startswith("$") and metric.value.endswith("M")
    assert len(app.get("vega_lite_chart")) == 0


def test_replay_draws_the_same_results_with_an_expander_and_parses_nothing(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    ask(app, "Which region brings in the most revenue?")
    import mas.results.toolresult

    def no_parsing(output: object) -> None:
        raise AssertionError("a rerun re-parsed a tool output")

    monkeypatch.setattr(mas.results.toolresult, "parse_tool_output", no_parsing)
    app.run()
    assert not app.exception
    answer = app.chat_message[1]
    assert len(answer.status) == 0
    assert app.expander[0].label.startswith("Revenue Genie · 4 rows")  # agent-revenue-genie, read as words
    assert "SELECT" in app.expander[0].code[0].value.upper()
    assert answer.dataframe[0].value.shape[0] == 4
    assert len(app.get("vega_lite_chart")) == 1


def test_the_whole_history_goes_to_the_endpoint_each_turn(app: AppTest, demo_emulator: Emulator) -> None:
    ask(app, "What's our total revenue?")
    first_answer = turns(app)[0].answer_text
    ask(app, "Which region brings in the most revenue?")
    sent = demo_emulator.invocations()[-1].body["input"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[0]["content"] == "What's our total revenue?"
    assert sent[1]["content"] == first_answer
    assert sent[2]["content"] == "Which region brings in the most revenue?"


def test_an_upstream_error_shows_in_the_bubble_keeps_the_history_and_the_next_turn_works(
    app: AppTest, demo_emulator: Emulator
) -> None:
    ask(app, "What's our total revenue?")
    demo_emulator.inject(Fault(status=500, message="internal failure"))
    ask(app, "Show me revenue trends")
    failed = app.chat_message[3]
    assert failed.name == "assistant" and len(failed.error) == 1
    assert TOKEN not in failed.error[0].value
    assert any(b.label == "Retry" for b in failed.button)
    assert turns(app)[1].status == "error"
    assert len(app.chat_message[1].metric) == 1  # the earlier answer is intact

    ask(app, "Which region brings in the most revenue?")
    assert turns(app)[2].status == "complete"
    assert len(app.chat_message[5].dataframe) == 1
    assert len(app.chat_message[1].metric) == 1


def test_a_stream_cut_mid_answer_keeps_what_arrived_and_retry_asks_again(
    app: AppTest, demo_emulator: Emulator
) -> None:
    demo_emulator.inject(Fault(cut_after=12))
    ask(app, "Show me revenue trends")
    turn = turns(app)[0]
    assert turn.status == "error" and turn.parts, "the partial answer is kept"
    answer = app.chat_message[1]
    assert answer.markdown and len(answer.error) == 1
    retry = next(b for b in answer.button if b.label == "Retry")
    retry.click().run()
    assert not app.exception
    [again] = turns(app)
    assert again.question == "Show me revenue trends" and again.status == "complete"


def test_a_chart_switch_is_kept_in_the_history(app: AppTest) -> None:
    ask(app, "Show me revenue trends")
    switch = app.segmented_control[0]
    assert switch.options == ["Line", "Bar"] and switch.value == "line"
    switch.set_value("bar").run()
    assert turns(app)[0].tools[0].chart_kind == "bar"
    ask(app, "What's our total revenue?")
    assert turns(app)[0].tools[0].chart_kind == "bar"
    assert any(c.value.startswith("Bar chart:") for c in app.chat_message[1].caption)
    assert app.segmented_control[0].value == "bar"


def test_a_turn_left_streaming_by_a_stop_is_marked_stopped_with_what_arrived(app: AppTest) -> None:
    cut = Turn(question="Show me revenue trends", parts=[TextPart("Let me check the revenue")])
    app.session_state["turns"] = [cut]
    app.run()
    assert cut.status == "stopped"
    assert "Let me check the revenue" in texts(app.chat_message[1])
    assert any("Stopped" in c.value for c in app.chat_message[1].caption)


def test_follow_up_suggestions_ask_the_next_question(app: AppTest) -> None:
    ask(app, "What's our total revenue?")
    follow = [b for b in app.button if b.key and b.key.startswith("follow-")]
    assert follow
    question = follow[0].label
    follow[0].click().run()
    assert turns(app)[1].question == question


def test_only_recent_turns_are_drawn_until_earlier_ones_are_asked_for(app: AppTest) -> None:
    from ui.chat import RECENT_TURNS

    app.session_state["turns"] = [
        Turn(question=f"question {i}", parts=[TextPart(f"answer {i}")], status="complete")
        for i in range(RECENT_TURNS + 3)
    ]
    app.run()
    assert len(app.chat_message) == 2 * RECENT_TURNS
    earlier = next(b for b in app.button if b.key == "show-earlier")
    assert earlier.label == "Show 3 earlier questions"
    earlier.click().run()
    assert len(app.chat_message) == 2 * (RECENT_TURNS + 3)


def test_new_chat_clears_the_turns(demo_workspace: Emulator) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["turns"] = [Turn(question="q", parts=[TextPart("a")], status="complete")]
    # AppTest drops the sidebar of st.navigation apps after the first run, so click it in that run.
    at.run()
    next(b for b in at.sidebar.button if b.label == "New chat").click().run()
    assert not at.exception
    assert turns(at) == []
    assert any(b.key == "starter-0" for b in at.button)


def test_new_chat_can_be_pressed_right_after_the_first_answer(demo_workspace: Emulator) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["pending_question"] = "What's our total revenue?"  # a starter click, in the first run
    at.run()
    assert turns(at)[0].status == "complete"
    # The sidebar is drawn before the page asks: it used to see no turns and stay disabled.
    new_chat = next(b for b in at.sidebar.button if b.label == "New chat")
    assert not new_chat.disabled


def test_starters_read_row_by_row_so_narrow_screens_keep_their_order(app: AppTest) -> None:
    from ui.chat import STARTERS

    # Columns stack on a narrow screen: the tree order is the order a phone shows them in.
    starters = [b.label for b in app.button if b.key and b.key.startswith("starter-")]
    assert starters == list(STARTERS)


def test_answers_wear_the_brand_mark_not_streamlits_orange_avatar(app: AppTest) -> None:
    from ui.brand import ASSISTANT_AVATAR, PRIMARY

    ask(app, "What's our total revenue?")
    app.run()  # and on replay
    user, answer = app.chat_message[0], app.chat_message[1]
    assert user.avatar == "user"
    assert answer.name == "assistant" and answer.avatar == ASSISTANT_AVATAR
    assert PRIMARY.encode() in base64.b64decode(ASSISTANT_AVATAR.split(",", 1)[1])


def _previous_generation_of(module_name: str) -> ModuleType:
    """The module as Streamlit's file watcher leaves it after a source change: same code, new classes."""
    origin = importlib.import_module(module_name).__file__
    spec = importlib.util.spec_from_file_location(f"{module_name}_before_reload", origin)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_records_from_before_a_code_reload_are_cleared_with_a_notice_not_a_traceback(app: AppTest) -> None:
    old = _previous_generation_of("mas.transcript.model")
    app.session_state["turns"] = [old.Turn(question="q", parts=[old.TextPart("a")], status="complete")]
    app.run()
    assert not app.exception
    assert turns(app) == []
    assert "code changed" in app.toast[0].value
    assert any(b.key == "starter-0" for b in app.button)
    app.run()
    assert not app.toast  # once
