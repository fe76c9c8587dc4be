"""Conversations and pins that last, in the whole app under AppTest: saved as asked, reopened, per user.

Each test's history is its own SQLite file (tests/conftest.py sets MAS_HISTORY_DB); a new AppTest
is a new browser session of the same app process, as after a reload. `ui.session.request_headers`
stands in for the Apps proxy's X-Forwarded-Email. Faults: a corrupt file, Postgres stopped and back.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from support.emulator import Emulator

from mas.settings import history_db_from_env
from mas.store import ConversationInfo, Store, open_engine
from mas.transcript import TextPart, Turn
from ui import session

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


def _app(
    monkeypatch: pytest.MonkeyPatch,
    email: str | None = None,
    *,
    state: dict[str, Any] | None = None,
    **query: str,
) -> AppTest:
    headers = {"X-Forwarded-Email": email} if email else {}
    monkeypatch.setattr(session, "request_headers", lambda: headers)
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _store() -> Store:
    return Store.open(open_engine(history_db_from_env()))


def _sidebar_labels(at: AppTest) -> list[str]:
    return [b.label for b in at.sidebar.button]


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [w.value for w in at.warning]
    return "\n".join(parts)


def test_an_answer_is_stored_as_asked_and_reopens_in_a_new_session(
    monkeypatch: pytest.MonkeyPatch, demo_workspace: Emulator
) -> None:
    at = _app(monkeypatch)
    at.chat_input[0].set_value("Which region brings in the most revenue?").run()
    at.chat_input[0].set_value("What's our total revenue?").run()
    opened = at.query_params["c"]
    opened = opened[0] if isinstance(opened, list) else opened
    store = _store()
    try:
        (info,) = store.conversations("local")
        saved = store.conversation("local", info.id)
    finally:
        store.close()
    assert info.id == opened and info.title == "Which region brings in the most revenue?"
    assert saved is not None and [t.status for t in saved.turns] == ["complete", "complete"]
    assert saved.turns[0].tools and saved.turns[0].tools[0].result is not None
    assert info.backend == "mas" and info.endpoint

    again = _app(monkeypatch)  # a reload: a new session with an empty chat
    assert len(again.chat_message) == 0
    assert "Which region brings in the most revenue?" in _sidebar_labels(again)
    next(b for b in again.sidebar.button if b.label == info.title).click().run()
    assert not again.exception
    assert len(again.chat_message) == 4
    assert len(again.dataframe) >= 1 and len(again.metric) == 1  # the same renderer as live

    linked = _app(monkeypatch, c=info.id)  # a shared link by the same user lands on it
    assert len(linked.chat_message) == 4


def test_users_never_see_each_others_conversations(
    monkeypatch: pytest.MonkeyPatch, demo_workspace: Emulator
) -> None:
    ana = _app(monkeypatch, "ana@example.com")
    ana.chat_input[0].set_value("Ana asks about revenue trends").run()
    ana_id = ana.query_params["c"]
    ana_id = ana_id[0] if isinstance(ana_id, list) else ana_id
    ben = _app(monkeypatch, "ben@example.com")
    assert "Ana asks about revenue trends" not in _sidebar_labels(ben)
    ben_link = _app(monkeypatch, "ben@example.com", c=ana_id)  # Ana's link, opened by Ben
    assert len(ben_link.chat_message) == 0
    assert "not in your history" in "\n".join(i.value for i in ben_link.info)
    ana_again = _app(monkeypatch, "ana@example.com", c=ana_id)
    assert len(ana_again.chat_message) == 2


def test_a_turn_cut_off_while_streaming_reopens_as_interrupted(
    monkeypatch: pytest.MonkeyPatch, demo_workspace: Emulator
) -> None:
    store = _store()
    now = time.time()
    info = ConversationInfo(id="c0ffee", title="Cut off", created_at=now, updated_at=now)
    turn = Turn(question="Cut off question")
    turn.parts.append(TextPart(text="Half of the answer"))
    store.save_turns("local", conversation=info, state={"genie_conversation_id": "g-1"}, turns=[(0, turn)])
    store.close()
    at = _app(monkeypatch, c="c0ffee")
    assert "Half of the answer" in _text(at) and "Interrupted" in _text(at)
    assert at.session_state["conversation_state"] == {"genie_conversation_id": "g-1"}


def test_pins_last_keep_order_and_can_be_renamed(
    monkeypatch: pytest.MonkeyPatch, demo_workspace: Emulator
) -> None:
    at = _app(monkeypatch)
    for question in ("Show me revenue trends", "Which region brings in the most revenue?"):
        at.chat_input[0].set_value(question).run()
        [b for b in at.button if b.label == "Pin to dashboard"][-1].click().run()
    fresh = _app(monkeypatch)
    fresh.switch_page("pages/dashboard.py").run()
    titles = [m.value for m in fresh.markdown if m.value.startswith("**")]
    assert titles[:2] == ["**Show me revenue trends**", "**Which region brings in the most revenue?**"]
    assert any("Data as of" in c.value for c in fresh.caption)
    next(b for b in fresh.button if b.key and b.key.startswith("down-")).click().run()
    key = next(t.key for t in fresh.text_input if t.key and t.key.startswith("pin-title-"))
    fresh.text_input(key=key).set_value("Regions, renamed").run()
    fresh.button(key=key.replace("pin-title-", "pin-rename-")).click().run()
    later = _app(monkeypatch)
    later.switch_page("pages/dashboard.py").run()
    titles = [m.value for m in later.markdown if m.value.startswith("**")]
    assert titles[0] in ("**Regions, renamed**", "**Which region brings in the most revenue?**")
    assert len(titles) >= 2 and titles[1] != titles[0]


def test_rename_and_delete_from_the_sidebar(
    monkeypatch: pytest.MonkeyPatch, demo_workspace: Emulator
) -> None:
    # AppTest draws the sidebar of a navigation app on a session's first run only: each step below
    # is a fresh session (a reload), its clicks sent together with the values they read.
    at = _app(monkeypatch)
    at.chat_input[0].set_value("What's our total revenue?").run()
    opened = at.query_params["c"]
    opened = opened[0] if isinstance(opened, list) else opened
    at = _app(monkeypatch, c=opened)
    at.text_input(key=f"conv-title-{opened}").set_value("Revenue <script>alert(1)</script>")
    at.button(key=f"conv-rename-{opened}").click().run()
    at = _app(monkeypatch, c=opened)
    labels = _sidebar_labels(at)
    assert "Revenue <script>alert(1)</script>" not in labels  # shown escaped, as text
    assert "Revenue \\<script\\>alert(1)\\</script\\>" in labels
    assert [b for b in at.sidebar.button if b.key == f"conv-delete-yes-{opened}"] == []  # asks first
    at.button(key=f"conv-delete-{opened}").click().run()
    assert at.session_state["history_confirm_delete"] == opened
    at = _app(monkeypatch, c=opened, state={"history_confirm_delete": opened})  # the menu now asks again
    at.button(key=f"conv-delete-yes-{opened}").click().run()
    assert not at.exception and len(at.chat_message) == 0
    store = _store()
    try:
        assert store.conversations("local") == []
    finally:
        store.close()


def test_history_off_says_so_once(monkeypatch: pytest.MonkeyPatch, demo_workspace: Emulator) -> None:
    monkeypatch.setenv("MAS_HISTORY_DB", "none")
    at = _app(monkeypatch)
    notes = [c.value for c in at.sidebar.caption if "History is off" in c.value]
    assert len(notes) == 1 and "MAS_HISTORY_DB=none" in notes[0]
    at.chat_input[0].set_value("What's our total revenue?").run()
    assert len(at.chat_message) == 2 and "c" not in at.query_params


def test_a_corrupt_history_file_is_named_and_the_chat_still_works(
    monkeypatch: pytest.MonkeyPatch, demo_workspace: Emulator, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"\x00garbage, not a database" * 200)
    monkeypatch.setenv("MAS_HISTORY_DB", f"sqlite:///{broken}")
    at = _app(monkeypatch)
    at.chat_input[0].set_value("What's our total revenue?").run()
    assert not at.exception and len(at.chat_message) == 2 and len(at.metric) == 1
    banner = "\n".join(w.value for w in at.warning)
    assert "History is not being saved" in banner and "broken.db" in banner and "Traceback" not in banner


def test_postgres_down_mid_session_keeps_the_chat_and_writes_it_when_back(
    monkeypatch: pytest.MonkeyPatch, demo_workspace: Emulator, pg_cluster: Any
) -> None:
    monkeypatch.setenv("MAS_HISTORY_DB", pg_cluster.url(pg_cluster.fresh_database()))
    at = _app(monkeypatch)
    at.chat_input[0].set_value("What's our total revenue?").run()
    pg_cluster.stop()
    try:
        at.chat_input[0].set_value("Show me revenue trends").run()
        assert not at.exception and len(at.chat_message) == 4
        banner = "\n".join(w.value for w in at.warning)
        assert "History is not being saved" in banner and "unsaved" in banner
    finally:
        pg_cluster.start()
    time.sleep(5.1)  # the retry interval after a failure
    at.chat_input[0].set_value("Which region brings in the most revenue?").run()
    assert not any("History is not being saved" in w.value for w in at.warning)
    store = _store()
    try:
        (info,) = store.conversations("local")
        saved = store.conversation("local", info.id)
    finally:
        store.close()
    assert saved is not None
    assert [t.question for t in saved.turns] == [
        "What's our total revenue?",
        "Show me revenue trends",
        "Which region brings in the most revenue?",
    ]


def test_the_default_history_file_is_under_the_working_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAS_HISTORY_DB")
    for name in ("PGHOST",):
        monkeypatch.delenv(name, raising=False)
    engine = open_engine(history_db_from_env(), base_dir=Path(os.getcwd()))
    assert engine.where == str(Path.cwd() / "data" / "history.db")
    engine.engine.dispose()
    assert sqlite3.sqlite_version


def test_older_turns_of_a_reopened_conversation_draw_their_results_when_shown(
    monkeypatch: pytest.MonkeyPatch, demo_workspace: Emulator
) -> None:
    from conftest import GENIE_TABLE

    from mas.transcript import ToolPart, finish

    turns = []
    for index in range(7):
        turn = Turn(question=f"Question {index}")
        turn.parts.append(
            ToolPart(
                name="agent-revenue-genie",
                call_id=f"c{index}",
                question=None,
                output=GENIE_TABLE,
                state="complete",
                elapsed=0.5,
            )
        )
        finish(turn)
        turns.append(turn)
    store = _store()
    now = time.time()
    info = ConversationInfo(id="seven", title="Seven", created_at=now, updated_at=now)
    store.save_turns("local", conversation=info, state={}, turns=list(enumerate(turns)))
    store.close()
    at = _app(monkeypatch, c="seven")
    assert len(at.chat_message) == 10 and len(at.dataframe) == 5  # the last five, older behind a button
    next(b for b in at.button if b.key == "show-earlier").click().run()
    assert not at.exception and len(at.chat_message) == 14 and len(at.dataframe) == 7


def test_a_search_box_once_there_are_more_than_ten(
    monkeypatch: pytest.MonkeyPatch, demo_workspace: Emulator
) -> None:
    store = _store()
    for index in range(12):
        now = time.time() + index
        info = ConversationInfo(id=f"conv{index}", title=f"Question {index}", created_at=now, updated_at=now)
        store.save_turns("local", conversation=info, state={}, turns=[(0, Turn(question=info.title))])
    store.close()
    at = _app(monkeypatch)
    assert [t.key for t in at.sidebar.text_input] == ["history-search"]
    assert _sidebar_labels(at)[1] == "Question 11"  # newest first, after New chat
    found = _app(monkeypatch, state={"history-search": "question 1"})
    assert [b for b in _sidebar_labels(found) if b.startswith("Question")] == [
        "Question 11",
        "Question 10",
        "Question 1",
    ]
