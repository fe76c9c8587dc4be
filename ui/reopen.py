"""Opening a stored conversation into this session, the URL that names it, and the user's list of them.

Opening reads the turns (parsing only the results the page draws at once; `hydrate` the rest
when shown), marks a turn cut off mid-stream as interrupted, restores the conversation's backend
state and rebinds pins to the parts on screen. Writes are `ui.history`; drawing is `ui.conversations`.
"""

from __future__ import annotations

import copy

import streamlit as st

from mas.errors import StoreError
from mas.store import ConversationInfo
from mas.transcript import ToolPart, Turn
from ui import history, session


def new_chat() -> None:
    """Button callback: start over; the finished conversation stays in the list."""
    session.new_chat()
    history.state().open = None
    st.session_state["conversation_state"] = {}
    st.query_params.pop(history.QUERY, None)


def open_conversation(conversation_id: str) -> bool:
    """Load a conversation of this user into the session; False when there is none by that id."""
    mine = history.state()
    found = history.store()
    if found is None:
        return False
    try:
        # Only the turns the page draws at once are parsed now; older ones when shown (`hydrate`).
        loaded = found.conversation(mine.user, conversation_id, parse_last=history.RECENT_PARSED)
    except StoreError as exc:
        history.note_failure(mine, exc)
        return False
    if loaded is None:
        return False
    for turn in loaded.turns:
        _settle(turn)
    pending = mine.pending.get(conversation_id)
    if pending is not None:  # turns written meanwhile in memory are newer than the stored ones
        stored = {t.id: i for i, t in enumerate(loaded.turns)}
        for position, turn in pending.turns.values():
            if turn.id in stored:
                loaded.turns[stored[turn.id]] = turn
            else:
                loaded.turns.insert(min(position, len(loaded.turns)), turn)
    st.session_state["turns"] = loaded.turns
    st.session_state["conversation_state"] = copy.deepcopy(loaded.state)
    st.session_state.pop("show_all_turns", None)
    mine.open = loaded.info
    _rebind_pins(loaded.turns)
    st.query_params[history.QUERY] = conversation_id
    if loaded.unreadable:
        st.session_state["history_notice"] = (
            f"{len(loaded.unreadable)} saved answer(s) could not be read and are left out: "
            f"{loaded.unreadable[0]}"
        )
    return True


def hydrate(turns: list[Turn]) -> None:
    """Before drawing `turns`: parse any results an open left for later (older turns)."""
    from mas.store.history import hydrate as parse_deferred

    parse_deferred(turns)


def _settle(turn: Turn) -> None:
    """A turn saved while still streaming was cut off by a crash or restart: show it as interrupted."""
    if turn.status != "streaming":
        return
    turn.status = "interrupted"
    for part in turn.tools:
        if part.state == "running":
            part.state = "stopped"


def _rebind_pins(turns: list[Turn]) -> None:
    """Pins of parts now on screen share the part object again (so "Pinned" shows, choices follow)."""
    by_key = {f"{turn.id}-{index}": (turn, part) for turn in turns for index, part in enumerate(turn.parts)}
    for pin in session.pins():
        turn, part = by_key.get(pin.id, (None, None))
        if turn is not None and isinstance(part, ToolPart):
            hydrate([turn])  # the card draws it now, even if the chat shows that turn only later
            pin.part = part


def sync_url() -> None:
    """On the Chat page: open the conversation the URL names (reload, a shared link); keep the URL current."""
    mine = history.state()
    wanted = st.query_params.get(history.QUERY)
    if wanted and (mine.open is None or wanted != mine.open.id):
        if not open_conversation(wanted):
            st.query_params.pop(history.QUERY, None)
            if history.store() is not None:
                st.session_state["history_notice"] = "That conversation is not in your history."
    elif not wanted and mine.open is not None and history.enabled():
        st.query_params[history.QUERY] = mine.open.id


def conversations(search: str | None = None) -> list[ConversationInfo]:
    mine = history.state()
    found = history.store()
    if found is None:
        return []
    if search:
        try:
            return found.conversations(mine.user, search=search)
        except StoreError as exc:
            history.note_failure(mine, exc)
            return []
    if mine.listing is None:
        try:
            mine.listing = found.conversations(mine.user)
        except StoreError as exc:
            history.note_failure(mine, exc)
            return []
    return mine.listing


def rename(conversation_id: str, title: str) -> None:
    mine = history.state()
    found = history.store()
    if found is None:
        return
    try:
        found.rename(mine.user, conversation_id, title)
    except StoreError as exc:
        history.note_failure(mine, exc)
        return
    if mine.open is not None and mine.open.id == conversation_id:
        mine.open = ConversationInfo(**{**mine.open.__dict__, "title": " ".join(title.split())})
    mine.listing = None


def delete(conversation_id: str) -> None:
    mine = history.state()
    found = history.store()
    if found is None:
        return
    try:
        found.delete(mine.user, conversation_id)
    except StoreError as exc:
        history.note_failure(mine, exc)
        return
    mine.pending.pop(conversation_id, None)
    mine.listing = None
    if mine.open is not None and mine.open.id == conversation_id:
        new_chat()
