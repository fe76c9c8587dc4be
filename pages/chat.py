"""Chat: ask revenue questions, watch the answer stream with each Genie query's SQL, table and chart."""

from __future__ import annotations

import streamlit as st

from ui import chat, session

problem = session.connection_error()
prompt = st.chat_input("Ask about revenue…", submit_mode="stop", disabled=problem is not None)
question = prompt or chat.take_pending()
turns = session.turns()
chat.settle_interrupted(turns)

if problem is not None:
    st.error(problem, icon=":material/error:")
    st.stop()

chat.preflight_banner()
if not turns and not question:
    chat.welcome()
start = chat.first_shown(turns)
if start:
    chat.show_earlier(start)
for index in range(start, len(turns)):
    chat.replay(turns[index], last=question is None and index == len(turns) - 1)
if question:
    chat.ask(question)
