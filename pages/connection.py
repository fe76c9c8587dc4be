"""Connection: which endpoint, which workspace or the demo, as whom, and whether the endpoint is usable."""

from __future__ import annotations

import streamlit as st

from ui import connection_view, session

st.title("Connection")
problem = session.connection_error()
if problem is not None:
    st.error(problem, icon=":material/error:")
    st.stop()

connection_view.summary(session.connection())
st.subheader("Endpoint check")
again = st.button("Check again", icon=":material/refresh:")
future = session.preflight(again=again)
connection_view.preflight(future)
