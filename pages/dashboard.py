"""Dashboard: the results pinned from the chat, in a grid, each with its question and SQL."""

from __future__ import annotations

import streamlit as st

from ui import conversations, dashboard, session

st.title("Dashboard")
if session.discard_outdated():
    st.toast(session.RELOAD_NOTICE, icon=":material/restart_alt:")
conversations.status()
pins = session.pins()
if not pins:
    st.info("Nothing pinned yet. Use **Pin to dashboard** under any table, chart or KPI in the chat.",
            icon=":material/push_pin:")
    st.page_link("pages/chat.py", label="Go to the chat", icon=":material/forum:")
    st.stop()

st.caption(f"{len(pins)} pinned result{'s' if len(pins) != 1 else ''}.")
dashboard.grid(pins)
