"""The Streamlit render layer: everything that draws the chat, its results and the sidebar."""

from __future__ import annotations
