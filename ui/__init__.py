"""The Streamlit render layer: everything that draws the chat, its results and the sidebar."""
