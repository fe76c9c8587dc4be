"""The sources under a cited answer: numbered footnotes, each a link titled by its document.

`render(turn, numbering)` draws one caption per footnote after the answer's text, live and on
replay; the numbers match the `[n]` that `mas.citations.number_markers` put in the text. Only
http(s) links become links (`mas.citations.safe_url`); any other citation shows its title alone.
"""

from __future__ import annotations

import streamlit as st

from mas.citations import footnote_markdown, footnotes
from mas.transcript import Turn, citations


def due(turn: Turn, numbering: dict[str, int]) -> bool:
    return bool(numbering) or bool(citations(turn))


def render(turn: Turn, numbering: dict[str, int]) -> None:
    notes = footnotes(citations(turn), markers=len(numbering))
    if not notes:
        return
    with st.container(gap="small"):
        st.caption("**Sources**")
        for note in notes:
            st.caption(footnote_markdown(note))
