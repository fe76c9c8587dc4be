"""What the chat shows of a direct-Genie answer beyond the Supervisor path's: progress, thoughts, more.

`ProgressLine` is the live status line ("Running the query… · 12 s", the rate-limit wait with
the place in the queue) drawn from `status` events while Genie works. `details` adds a Genie
result's title and thoughts inside its (collapsed) tool expander, beside the SQL; `extras` offers
"Download all rows" for a truncated result (streamed by `mas.downloads`); `thumbs`
rates a Genie answer through Genie's feedback API. Reading outputs is `mas.genie.attachments`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from mas.downloads import download_url
from mas.errors import MasError
from mas.genie.attachments import GenieDetails, Ids
from mas.genie.conversation import LAST_MESSAGE_KEY
from mas.genie.feedback import rating_for, send_feedback
from mas.transcript import ToolPart, Turn
from mas.wire.events import Status
from ui import session
from ui.text import literal

logger = logging.getLogger(__name__)

MESSAGES_KEY = "genie_messages"
"""In the conversation state: Genie's message id of each turn, by turn id (for feedback)."""


class ProgressLine:
    """The one-line progress of a waiting answer, in a placeholder; its elapsed time keeps ticking."""

    def __init__(self, slot: DeltaGenerator) -> None:
        self.slot = slot
        self.last: Status | None = None
        self._received = 0.0

    @property
    def active(self) -> bool:
        return self.last is not None

    def show(self, event: Status) -> None:
        self.last, self._received = event, time.monotonic()
        self._draw()

    def tick(self) -> None:
        if self.last is not None:
            self._draw()

    def clear(self) -> None:
        if self.last is not None:
            self.last = None
            self.slot.empty()

    def _draw(self) -> None:
        event = self.last
        if event is None:
            return
        text = f":material/hourglass_top: {literal(event.message)}"
        if event.queue_position is not None and event.queue_position > 1:
            text += f" · place {event.queue_position} in the queue"
        if event.elapsed is not None:
            text += f" · {event.elapsed + time.monotonic() - self._received:.0f} s"
        self.slot.caption(text)


def details(part: ToolPart) -> None:
    """Title and thoughts of a Genie result, under its SQL in the tool's expander."""
    found = GenieDetails.from_output(part.output)
    if found is None:
        return
    if found.title:
        st.markdown(f"**{literal(found.title)}**")
    if found.thoughts:
        st.markdown("**Genie's thoughts**")
        for thought in found.thoughts:
            st.caption(literal(thought))
    if found.rerun:
        st.caption(":material/refresh: The stored result had expired; Genie re-ran the query.")


def extras(part: ToolPart) -> None:
    """Below a Genie result: "Download all rows" when Genie's inline result was cut at 5,000 rows."""
    found = GenieDetails.from_output(part.output)
    result = part.result
    if found is None or result is None or not result.truncated:
        return
    total = result.total_rows or found.row_count
    label = f"Download all {total:,} rows (CSV)" if total else "Download all rows (CSV)"
    st.link_button(
        label,
        download_url(found.ids, found.attachment_id),
        icon=":material/download:",
        help="Genie returns at most 5,000 rows here; this fetches every row as a file.",
    )


def remember(turn: Turn, state: dict[str, Any]) -> None:
    """After an answer: file Genie's message id of `turn` in the conversation state (for feedback)."""
    message_id = state.pop(LAST_MESSAGE_KEY, None)
    if isinstance(message_id, str) and message_id:
        state.setdefault(MESSAGES_KEY, {})[turn.id] = message_id


def answered_by_genie(turn: Turn) -> bool:
    """Whether `turn` was answered by a Genie space directly (its votes go to Genie's feedback API)."""
    return _ids(turn) is not None


def _ids(turn: Turn) -> Ids | None:
    state = session.conversation_state()
    message_id = state.get(MESSAGES_KEY, {}).get(turn.id)
    conversation_id = state.get("genie_conversation_id")
    space_id = state.get("genie_space_id")
    if not (message_id and conversation_id and space_id):
        return None
    return Ids(str(space_id), str(conversation_id), str(message_id))


def _send(turn_id: str, key: str) -> None:
    turn = next((t for t in session.turns() if t.id == turn_id), None)
    ids = _ids(turn) if turn is not None else None
    genie = session.connection().genie
    if ids is None or genie is None:
        return
    try:
        send_feedback(genie.http, ids, rating=rating_for(st.session_state.get(key)))
    except MasError as exc:
        logger.warning("[GENIE] feedback not sent: %s", exc)
        st.toast(f"Your rating could not be sent to Genie: {exc}", icon=":material/error:")


def thumbs(turn: Turn) -> None:
    """Thumbs under a Genie answer; a vote goes to Genie's feedback API at once."""
    if turn.status != "complete" or _ids(turn) is None:
        return
    key = f"genie-feedback-{turn.id}"
    st.feedback("thumbs", key=key, on_change=_send, args=(turn.id, key))
