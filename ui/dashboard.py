"""The Dashboard grid: pinned results as cards, two to a row, each removable.

A card draws the pinned tool part with the same result renderer as the chat (`ui.result`), so
its chart choice is shared with the chat turn it came from. Pins live in the session only.
"""

from __future__ import annotations

import streamlit as st

from ui import result, session
from ui.session import Pin
from ui.text import literal

COLUMNS = 2


def grid(pins: list[Pin]) -> None:
    for start in range(0, len(pins), COLUMNS):
        row = st.columns(COLUMNS, gap="medium")
        for column, pin in zip(row, pins[start : start + COLUMNS], strict=False):
            with column, st.container(border=True):
                card(pin)


def card(pin: Pin) -> None:
    part = pin.part
    st.markdown(f"**{literal(pin.turn_question)}**")
    if part.question and part.question != pin.turn_question:
        st.caption(f"{literal(part.name)} was asked: {literal(part.question)}")
    else:
        st.caption(literal(part.name))
    result.render(
        part, key=f"dash-{pin.id}", question=pin.turn_question, on_remove=lambda: session.unpin(pin.id)
    )
    if part.sql:
        with st.expander("SQL", icon=":material/code:"):
            st.code(part.sql, language="sql")
