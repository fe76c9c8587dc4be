"""The sidebar's history: the user's conversations newest first, New chat, open, rename, delete, search.

Also the one place that says what the history is doing: off (`MAS_HISTORY_DB=none`), or not being
saved and why, with how much waits to be written. The open conversation has a menu to rename it
or delete it (delete asks again). What happens on click is `ui.history`; titles are shown escaped.
"""

from __future__ import annotations

import streamlit as st

from mas.store import ConversationInfo
from ui import history, pins, reopen
from ui.text import literal

SEARCH_FROM = 10
"""Show a search box once there are more conversations than this."""
SHOWN = 30
_SWITCH = "history_switch_to_chat"
_CONFIRM = "history_confirm_delete"
_SLOT = "history_new_slot"


def render() -> None:
    """Inside `st.sidebar`, under New chat."""
    if st.session_state.pop(_SWITCH, False):
        st.switch_page("pages/chat.py")
    if not history.enabled():
        st.caption(
            ":material/history_toggle_off: History is off (MAS_HISTORY_DB=none): conversations and pins "
            "last only while this tab is open."
        )
        return
    pins.load()  # first: opening a conversation rebinds its pinned parts
    reopen.sync_url()  # before the list, so a reload with ?c= shows that conversation as the open one
    items = reopen.conversations()
    # Where a conversation this run starts shows up (`show_new`), the list being drawn already.
    slot = st.empty()
    st.session_state[_SLOT] = (slot, {info.id for info in items})
    if not items:
        return
    st.caption("Your conversations")
    search = ""
    if len(items) > SEARCH_FROM:
        search = st.text_input(
            "Search conversations",
            key="history-search",
            placeholder="Search titles…",
            icon=":material/search:",
            label_visibility="collapsed",
        )
    shown = reopen.conversations(search.strip()) if search.strip() else items
    if search.strip() and not shown:
        st.caption("No conversation matches.")
    state = history.state()
    open_id = state.open.id if state.open is not None else None
    for info in shown[:SHOWN]:
        if info.id == open_id:
            _open_row(info)
        else:
            st.button(
                literal(info.title),
                key=f"conv-{info.id}",
                type="tertiary",
                on_click=_open,
                args=(info.id,),
                width="stretch",
                icon=":material/chat_bubble_outline:",
            )
    if len(shown) > SHOWN:
        st.caption(f"{len(shown) - SHOWN} older conversation(s): search to find them.")


def show_new() -> None:
    """After an answer: the conversation it started, atop the sidebar list (drawn before it existed)."""
    state = history.state()
    slot, drawn = st.session_state.pop(_SLOT, (None, set()))
    if slot is None or state.open is None or state.open.id in drawn or state.problem is not None:
        return
    with slot.container():
        if not drawn:
            st.caption("Your conversations")
        # Just the title: its menu comes with the next run's list (a popover here costs every answer).
        st.button(
            literal(state.open.title),
            key=f"conv-{state.open.id}",
            type="secondary",
            width="stretch",
            icon=":material/chat_bubble:",
            disabled=True,
        )


def status() -> None:
    """The banner when history is not being saved (store unreachable, read-only, corrupt, misconfigured)."""
    notice = st.session_state.pop("history_notice", None)
    if notice:
        st.info(literal(notice), icon=":material/info:")
    problem = history.problem()
    if problem is None:
        return
    waiting = history.unsaved_count()
    tail = (
        f" {waiting} unsaved item(s) are kept in this tab and will be written when the store answers again."
        if waiting
        else " The chat goes on in this tab."
    )
    st.warning(f"**History is not being saved.** {literal(problem)}{tail}", icon=":material/cloud_off:")


def _open_row(info: ConversationInfo) -> None:
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.button(
            literal(info.title),
            key=f"conv-{info.id}",
            type="secondary",
            width="stretch",
            icon=":material/chat_bubble:",
            disabled=True,
        )
        with st.popover("", icon=":material/more_vert:", help="Rename or delete this conversation"):
            st.text_input("Title", value=info.title, key=f"conv-title-{info.id}", max_chars=200)
            st.button(
                "Rename",
                key=f"conv-rename-{info.id}",
                on_click=_rename,
                args=(info.id,),
                icon=":material/edit:",
            )
            if st.session_state.get(_CONFIRM) == info.id:
                st.caption("Delete this conversation and all its answers? Pins stay on the Dashboard.")
                st.button(
                    "Yes, delete it",
                    key=f"conv-delete-yes-{info.id}",
                    type="primary",
                    on_click=_delete,
                    args=(info.id,),
                    icon=":material/delete_forever:",
                )
            else:
                st.button(
                    "Delete…",
                    key=f"conv-delete-{info.id}",
                    on_click=st.session_state.__setitem__,
                    args=(_CONFIRM, info.id),
                    icon=":material/delete:",
                )


def _open(conversation_id: str) -> None:
    if reopen.open_conversation(conversation_id):
        st.session_state[_SWITCH] = True


def _rename(conversation_id: str) -> None:
    reopen.rename(conversation_id, st.session_state.get(f"conv-title-{conversation_id}", ""))


def _delete(conversation_id: str) -> None:
    st.session_state.pop(_CONFIRM, None)
    reopen.delete(conversation_id)
