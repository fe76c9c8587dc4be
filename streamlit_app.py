"""The app's entry: page set-up, navigation over Chat, Dashboard and Connection, and the sidebar.

`streamlit run streamlit_app.py` finds the `st.App` below by reading this file's syntax tree and
serves it with uvicorn, importing this module as `streamlit_app`: that import only builds the
ASGI app, so the SSE API (`POST /api/chat/stream`) answers on the same port as the UI. The page
script itself runs as `__main__` and takes the other branch.
"""

from __future__ import annotations

import streamlit as st

if __name__ != "__main__":
    from mas.api import routes

    app = st.App(__file__, routes=routes())
else:
    from ui import brand, sidebar

    st.set_page_config(page_title="Revenue chat", page_icon=brand.PAGE_ICON, layout="wide")
    page = st.navigation(
        [
            st.Page("pages/chat.py", title="Chat", icon=":material/forum:", default=True),
            st.Page("pages/dashboard.py", title="Dashboard", icon=":material/dashboard:"),
            st.Page("pages/connection.py", title="Connection", icon=":material/cable:"),
        ]
    )
    sidebar.render()
    page.run()
