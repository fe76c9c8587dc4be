"""The Dashboard grid: pinned results as cards, two to a row, each renamable, movable and removable.

A card draws the pinned tool part with the same result renderer as the chat (`ui.result`), so
its chart choice is shared with the chat turn it came from, and says when its rows were fetched.
Pins are the user's, kept in the history store (`ui.pins`); wide tables scroll inside their card.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ui import pins, result
from ui.session import Pin
from ui.text import literal

COLUMNS = 2


def grid(shown: list[Pin]) -> None:
    for start in range(0, len(shown), COLUMNS):
        row = st.columns(COLUMNS, gap="medium")
        for offset, (column, pin) in enumerate(zip(row, shown[start : start + COLUMNS], strict=False)):
            with column, st.container(border=True):
                card(pin, first=start + offset == 0, last=start + offset == len(shown) - 1)


def as_of(timestamp: float | None) -> str | None:
    """ "Data as of 1 Dec 2026, 09:41 UTC", or None when the fetch time is unknown."""
    if timestamp is None:
        return None
    moment = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)
    return f"Data as of {moment.day} {moment:%b %Y, %H:%M} UTC"


def card(pin: Pin, *, first: bool = False, last: bool = False) -> None:
    part = pin.part
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.markdown(f"**{literal(pin.title or pin.turn_question)}**", width="stretch")
        st.button(
            "",
            key=f"up-{pin.id}",
            icon=":material/arrow_upward:",
            type="tertiary",
            disabled=first,
            help="Move up",
            on_click=pins.move,
            args=(pin.id, -1),
        )
        st.button(
            "",
            key=f"down-{pin.id}",
            icon=":material/arrow_downward:",
            type="tertiary",
            disabled=last,
            help="Move down",
            on_click=pins.move,
            args=(pin.id, 1),
        )
        with st.popover("", icon=":material/edit:", help="Rename this card", type="tertiary"):
            st.text_input(
                "Title", value=pin.title or pin.turn_question, key=f"pin-title-{pin.id}", max_chars=200
            )
            st.button("Rename", key=f"pin-rename-{pin.id}", on_click=_rename, args=(pin.id,))
    details = [literal(part.name)]
    if part.question and part.question != pin.turn_question:
        details = [f"{literal(part.name)} was asked: {literal(part.question)}"]
    fetched = as_of(pin.data_as_of)
    if fetched:
        details.append(fetched)
    st.caption(" · ".join(details))
    result.render(
        part, key=f"dash-{pin.id}", question=pin.turn_question, on_remove=lambda: pins.unpin(pin.id)
    )
    if part.sql:
        with st.expander("SQL", icon=":material/code:"):
            st.code(part.sql, language="sql")


def _rename(pin_id: str) -> None:
    pins.rename(pin_id, st.session_state.get(f"pin-title-{pin_id}", ""))
