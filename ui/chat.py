"""The pieces of the Chat page: welcome and starters, the history, asking live, follow-ups, retry.

`pages/chat.py` strings these together top to bottom. Asking appends a `Turn` in state "streaming"
before the first byte, so an answer cut short by Stop or a rerun is found and marked stopped with
everything that arrived. Drawing answers is `ui.answer`; the session's state is `ui.session`.
"""

from __future__ import annotations

import sys
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from mas.errors import MasError
from mas.transcript import ToolPart, Turn, fail, finish, stop, to_messages
from mas.wire.approvals import continuation_items
from mas.wire.messages import ChatMessage
from ui import approval, brand, checks, feedback, genie_view, history, session
from ui.answer import end_notes, end_notes_due, replay_answer
from ui.live import stream_turn
from ui.text import literal

STARTERS = (
    "What's our total revenue?",
    "Show me revenue trends",
    "Which region brings in the most revenue?",
    "What are our top 10 products by revenue?",
    "How did revenue change quarter over quarter?",
    "Which sales channel grew fastest this year?",
)
_PENDING = "pending_question"
_SHOW_ALL = "show_all_turns"
RECENT_TURNS = 5
"""Turns drawn in full on every rerun; earlier ones wait behind "Show earlier" (issue 5, P3)."""


def ask_later(question: str) -> None:
    """Button callback: ask `question` on the rerun the click starts."""
    st.session_state[_PENDING] = question


def take_pending() -> str | None:
    return st.session_state.pop(_PENDING, None)


def retry(turn_id: str) -> None:
    """Button callback: drop the failed turn and ask its question again."""
    turns = session.turns()
    failed = next((t for t in turns if t.id == turn_id), None)
    if failed is not None:
        turns.remove(failed)
        history.forget(failed)
        ask_later(failed.question)


def settle_interrupted(turns: list[Turn]) -> None:
    """A turn still "streaming" at the start of a run was cut off by Stop or a rerun: mark it stopped."""
    for turn in turns:
        if turn.status == "streaming":
            stop(turn)


def first_shown(turns: list[Turn]) -> int:
    """Index of the first turn to draw: only the recent ones, unless the user asked for all."""
    if st.session_state.get(_SHOW_ALL) or len(turns) <= RECENT_TURNS:
        return 0
    return len(turns) - RECENT_TURNS


def show_earlier(hidden: int) -> None:
    """The button that brings the earlier turns back (each rerun then draws all of them)."""
    st.button(
        f"Show {hidden} earlier question{'s' if hidden != 1 else ''}", key="show-earlier",
        icon=":material/expand_less:", type="tertiary", on_click=st.session_state.__setitem__,
        args=(_SHOW_ALL, True),
    )


def welcome() -> None:
    st.markdown("### Ask about revenue")
    st.markdown(
        "Answers stream from the agents; every Genie query shows its SQL, its rows as a table, "
        "a KPI or a chart you can switch, download or pin to the dashboard."
    )
    # Row by row, so a narrow screen (where columns stack) keeps the reading order.
    for row in range(0, len(STARTERS), 3):
        columns = st.columns(3)
        for index, question in enumerate(STARTERS[row : row + 3], row):
            columns[index - row].button(
                question, key=f"starter-{index}", on_click=ask_later, args=(question,), width="stretch"
            )


def preflight_banner(slot: DeltaGenerator) -> None:
    """A warning in `slot` when this session's endpoint check failed; nothing while it runs."""
    future = session.preflight()
    if future is None or not future.done():
        return
    report = future.result()
    if report.ok:
        return
    failing = next(c for c in report.checks if c.status == "fail")
    with slot.container():
        st.warning(f"**Endpoint check failed:** {literal(failing.message)}", icon=":material/warning:")
        st.page_link(
            "pages/connection.py", label="See the Connection page for the fix", icon=":material/cable:"
        )


def replay(turn: Turn, *, last: bool, asking: bool) -> None:
    """Draw an earlier turn; the last one ends with its follow-ups or Retry unless a question is asked now."""
    with st.chat_message("user"):
        st.markdown(literal(turn.question))
    with st.chat_message("assistant", avatar=brand.ASSISTANT_AVATAR):
        answered = approval.take_answer(turn) if last and not asking else None
        if answered is not None:
            _continue(turn, *answered)
            return
        if not last:
            replay_answer(turn)
            end_notes(turn)
            _vote(turn)
            return
        body, footer = st.container(), st.empty()
        with body:
            replay_answer(turn)
            _vote(turn)
        _footer(turn, footer, follow_ups=not asking)


def _continue(turn: Turn, part: ToolPart, approve: bool) -> None:
    """The answer after the user approved (or denied) a tool: approving re-posts the conversation
    with the request and the approval, and the rest of the answer streams into the same turn."""
    part.approval = "approved" if approve else "denied"
    body, footer = st.container(), st.empty()
    with body:
        replay_answer(turn)
        if approve and part.call_id is not None:
            earlier = [t for t in session.turns() if t is not turn]
            items = continuation_items(request_id=part.call_id, name=part.name, args=part.args,
                                       server=part.server, approve=True)  # fmt: skip
            turn.status = "streaming"
            stop_button(footer, turn)
            _stream(turn, to_messages(earlier, turn.question), extra_input=items)
        _vote(turn)
    _footer(turn, footer, follow_ups=True)


def _vote(turn: Turn) -> None:
    """Thumbs under a finished answer (a fragment: rating never interrupts a streaming answer)."""
    if turn.status != "complete" or not turn.parts:
        return
    if genie_view.answered_by_genie(turn):
        genie_view.thumbs(turn)  # Genie's own feedback API
    else:
        feedback.render(turn)


def _footer(turn: Turn, slot: DeltaGenerator, *, follow_ups: bool) -> None:
    """The stop or error note, then Retry or the follow-ups, in the slot under the answer.

    The newest answer, live or replayed, is a body and this slot, so its follow-up buttons are
    replaced as soon as the next question is asked instead of lingering (faded but clickable)
    until the next answer has finished streaming. Older answers are drawn flat (P3: no per-turn cost).
    """
    if follow_ups or end_notes_due(turn):
        with slot.container():
            end_notes(turn)
            if follow_ups:
                _after_answer(turn)


def stop_button(slot: DeltaGenerator, turn: Turn) -> None:
    """Stop, under the streaming answer, in the slot its footer takes when it ends.

    A click is a widget event, so Streamlit interrupts this run and starts the next one at once;
    that run finds the turn still streaming, marks it stopped, and replays it with the stop note
    and Retry. (The chat input's own Stop ends the run with no next one, and after a stop every
    further `st` call raises again: streamlit/runtime/scriptrunner_utils/script_requests.py,
    `on_scriptrunner_yield`, "If we have a STOP request, return the request and remain stopped".)
    """
    slot.button("Stop", key=f"stop-{turn.id}", icon=":material/stop_circle:", type="secondary")


def _after_answer(turn: Turn) -> None:
    if turn.status in ("error", "stopped"):
        st.button("Retry", key=f"retry-{turn.id}", icon=":material/refresh:", on_click=retry, args=(turn.id,))
    elif turn.suggestions:
        with st.container(horizontal=True, gap="small"):
            for index, question in enumerate(turn.suggestions):
                st.button(
                    question, key=f"follow-{turn.id}-{index}", on_click=ask_later, args=(question,),
                    icon=":material/subdirectory_arrow_right:",
                )


def ask(question: str) -> None:
    """Send the whole conversation plus `question`, and draw the answer as it streams."""
    turns = session.turns()
    messages = to_messages(turns, question)
    turn = Turn(question=question)
    turns.append(turn)
    history.begin(turn)  # the question is stored before the first byte goes upstream
    with st.chat_message("user"):
        st.markdown(literal(question))
    with st.chat_message("assistant", avatar=brand.ASSISTANT_AVATAR):
        body, footer = st.container(), st.empty()
        stop_button(footer, turn)
        with body:
            _stream(turn, messages)
            _vote(turn)
        _footer(turn, footer, follow_ups=True)
    if checks.of(turn).flagged:
        st.rerun()  # the streamed text is drawn already: replaying it is what marks the flagged figures


def _stream(
    turn: Turn, messages: list[ChatMessage], *, extra_input: list[dict[str, Any]] | None = None
) -> None:
    waiting = st.empty()
    waiting.caption(":material/hourglass_top: Thinking…")
    state = session.conversation_state()
    events = session.connection().stream_events(messages, extra_input=extra_input, state=state)
    chunks = stream_turn(turn, events, waiting=waiting, on_progress=lambda part: history.progress(turn, part))
    try:
        st.write_stream(chunks)
        finish(turn)
    except MasError as exc:
        fail(turn, message=str(exc))
    finally:
        # Stop and reruns arrive as exceptions from inside write_stream: only plain Python here.
        chunks.close()
        if turn.status == "streaming":
            stop(turn)
        if sys.exc_info()[1] is not None:  # Stop or a rerun is unwinding: the save below will not run
            history.save(turn)
    waiting.empty()
    genie_view.remember(turn, state)
    turn.suggestions = suggestions_for(turn)
    history.save(turn)


def suggestions_for(turn: Turn) -> list[str]:
    """The endpoint's own follow-ups when a result carried some, else a few derived from the last result."""
    from mas.results.followups import derive_followups

    results = [p.result for p in turn.tools if p.result is not None and not p.result.is_error]
    for tool_result in reversed(results):
        if tool_result.suggestions:
            return list(tool_result.suggestions)[:4]
    if turn.status != "complete" or not results:
        return []
    return list(derive_followups(turn.question, results[-1]))[:4]

