"""Thumbs up or down under each answer, with an optional reason and comment, sent to its MLflow trace.

`render(turn)` draws the vote as a fragment: a click reruns only this block, and Streamlit queues a
fragment's widget rerun behind a running script instead of stopping it, so rating an old answer
never cuts off one that is streaming (streamlit #11746; `script_requests.py`,
`_fragment_run_should_not_preempt_script`, checked in 1.67). The vote is kept on the `Turn`; with a
trace id it goes to MLflow (`mas.endpoint.assessments`), without one the UI says it stays local.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from mas.endpoint.assessments import send_vote
from mas.feedback import REASONS
from mas.transcript import Feedback, Rating, Turn
from ui import session
from ui.text import literal

LOCAL_NOTE = "Saved with this conversation only: this answer has no MLflow trace to send it to."


def _record(turn: Turn, vote: Feedback) -> None:
    """Keep the vote on the turn and, when the answer has a trace, send it there now."""
    if turn.trace_id is None:
        turn.feedback = dataclasses.replace(vote, state="local")
        return
    turn.feedback = dataclasses.replace(vote, state="sending")
    turn.feedback = send_vote(session.connection(), trace_id=turn.trace_id, vote=turn.feedback)


def _voted(turn: Turn, key: str) -> None:
    choice = st.session_state.get(key)
    earlier = turn.feedback
    if choice is None:
        if earlier is not None and earlier.state != "sent":
            turn.feedback = None  # a vote that never left this app can simply be taken back
        return
    rating: Rating = "up" if choice == 1 else "down"
    if earlier is not None and earlier.rating == rating:
        return
    if earlier is None:
        vote = Feedback(rating=rating)
    else:
        vote = dataclasses.replace(earlier, rating=rating, reason=None if rating == "up" else earlier.reason)
    _record(turn, vote)


def _detailed(turn: Turn, reason_key: str, comment_key: str) -> None:
    if turn.feedback is None:
        return
    reason = st.session_state.get(reason_key)
    comment = (st.session_state.get(comment_key) or "").strip() or None
    if reason == turn.feedback.reason and comment == turn.feedback.comment:
        return
    _record(turn, dataclasses.replace(turn.feedback, reason=reason, comment=comment))


@st.fragment
def render(turn: Turn) -> None:
    """The vote widget, the reason and comment after a thumbs-down, and where the vote went."""
    key = f"vote-{turn.id}"
    vote = turn.feedback
    default = None if vote is None else (1 if vote.rating == "up" else 0)
    st.feedback("thumbs", key=key, default=default, on_change=_voted, args=(turn, key))
    vote = turn.feedback
    if vote is None:
        return
    if vote.rating == "down":
        reason_key, comment_key = f"vote-reason-{turn.id}", f"vote-comment-{turn.id}"
        args = (turn, reason_key, comment_key)
        with st.container(horizontal=True, vertical_alignment="bottom", gap="small"):
            st.pills("What was wrong?", REASONS, key=reason_key, default=vote.reason, on_change=_detailed,
                     args=args, label_visibility="collapsed")  # fmt: skip
            st.text_input("Comment", key=comment_key, value=vote.comment or "", on_change=_detailed,
                          args=args, max_chars=2000, placeholder="Anything else? (optional, Enter sends)",
                          label_visibility="collapsed")  # fmt: skip
    if vote.state == "sent":
        st.caption(":material/check: Sent to the agent's owners, on MLflow trace "
                   f"{literal(turn.trace_id or '')}.")  # fmt: skip
    elif vote.state == "local":
        st.caption(f":material/info: {LOCAL_NOTE}")
    elif vote.state == "failed":
        st.warning(literal(vote.error or "The vote could not be sent."), icon=":material/warning:")
