"""The sidebar every page shares: who is signed in, as whom the app asks, demo or workspace, new chat.

It shows names and identities only; never a token. Where the connection comes from is
`ui.session`; what each identity means is explained at length on the Connection page.
"""

from __future__ import annotations

import streamlit as st

from ui import conversations, reopen, session
from ui.text import literal

IDENTITY_LABELS = {
    "user": "Asking as you (your own data permissions)",
    "app": "Asking as the app's service principal",
    "demo": "Asking the embedded demo",
}


def render() -> None:
    with st.sidebar:
        problem = session.connection_error()
        if problem is not None:
            st.error(problem, icon=":material/error:")
        else:
            _identity()
        # Never disabled: the sidebar is drawn before the page, so on the run that asks the first
        # question it would still see an empty chat and stay greyed out after the answer.
        st.button("New chat", icon=":material/add_comment:", on_click=reopen.new_chat, width="stretch")
        conversations.render()


def _identity() -> None:
    conn = session.connection()
    if conn.identity == "demo":
        st.badge("Demo data", icon=":material/science:", color="orange")
    email = conn.user_email or session.request_headers().get("x-forwarded-email")
    if email:
        st.markdown(f"Signed in as **{literal(email)}**")
    st.caption(IDENTITY_LABELS[conn.identity])
    if conn.genie is not None:
        st.caption(f"Genie space `{conn.genie.space_id}`")
    else:
        st.caption(f"Endpoint `{conn.endpoint_name}`")

