"""Chat: ask revenue questions, watch the answer stream with each Genie query's SQL, table and chart."""

from __future__ import annotations

import streamlit as st

from ui import chat, report_view, session

if session.discard_outdated():
    st.toast(session.RELOAD_NOTICE, icon=":material/restart_alt:")
problem = session.connection_error()
# "disable": the answer's own Stop button stops it (ui.chat.stop_button), so the stop shows at once.
prompt = st.chat_input("Ask about revenue…", submit_mode="disable", disabled=problem is not None)
question = prompt or chat.take_pending()
turns = session.turns()
chat.settle_interrupted(turns)

if problem is not None:
    st.error(problem, icon=":material/error:")
    st.stop()

# Fixed slots above the turns: what a slot held last run is replaced at once, so the welcome's
# buttons do not linger (faded, clickable) above the first answer while it streams.
banner, intro, earlier = st.empty(), st.empty(), st.empty()
chat.preflight_banner(banner)
if not turns and not question:
    with intro.container():
        chat.welcome()
start = chat.first_shown(turns)
if start:
    with earlier.container():
        chat.show_earlier(start)
for index in range(start, len(turns)):
    chat.replay(turns[index], last=index == len(turns) - 1, asking=question is not None)
if question:
    chat.ask(question)
report_view.buttons(turns)
