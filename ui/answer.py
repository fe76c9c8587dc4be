"""One renderer for a recorded assistant answer: the tool labels, the parts, and the end notes of a `Turn`.

Replay draws the parts from the record with `st.expander` in place of the live `st.status` (a
status costs 50 ms to create, see shared/notes/streamlit-rerun-costs.md). It is not the live
stream (`ui.live.stream_turn` draws the same parts as they arrive); results themselves are `ui.result`.
"""

from __future__ import annotations

import streamlit as st

from mas.citations import number_markers
from mas.transcript import TextPart, ToolPart, Turn
from ui import approval, checks, footnotes, genie_view, provenance, result
from ui.text import literal


def tool_label(part: ToolPart) -> str:
    """The one-line summary of a tool call: who was asked, how it went, how long it took."""
    took = f" · {part.elapsed:.1f} s" if part.elapsed is not None else ""
    name = provenance.agent_name(part.name)
    if part.state == "running":
        return f"Querying {name}…{took}"
    if part.state == "stopped":
        return f"{name} · stopped{took}"
    if part.state == "error":
        return f"{name} · failed{took}"
    rows = result.rows_label(part)
    # "SQL" in plain words: the provenance is one click away (ui.provenance).
    return f"{name}{' · ' + rows if rows else ''}{took} · SQL"


def replay_tool(
    part: ToolPart, *, key: str, question: str, turn: Turn | None = None, index: int | None = None
) -> None:
    with st.expander(tool_label(part), icon=_icon(part)):
        provenance.details(part, trace_id=turn.trace_id if turn else None, prose=_prose(part, turn, index))
        genie_view.details(part)
    result.render(part, key=key, question=question)
    genie_view.extras(part)


def _prose(part: ToolPart, turn: Turn | None, index: int | None) -> str | None:
    """The sub-agent's own words as caption Markdown, flagged figures marked (`ui.checks`)."""
    return checks.tool_text(turn, index, part) if part.result is not None and part.result.text else None


def heading_due(turn: Turn, part: TextPart) -> bool:
    """Whether a text part starts with a new speaker (a `<name>` marker), after something was shown."""
    index = turn.parts.index(part)
    if part.agent is None or index == 0:
        return False
    earlier = [p.agent for p in turn.parts[:index] if isinstance(p, TextPart)]
    return not earlier or earlier[-1] != part.agent


def _icon(part: ToolPart) -> str:
    return {
        "complete": ":material/check_circle:",
        "error": ":material/error:",
        "stopped": ":material/stop_circle:",
        "running": ":material/hourglass_top:",
    }[part.state]


def replay_answer(turn: Turn) -> None:
    """Draw the parts of a finished (or interrupted) answer from its record; no parsing, no status widgets."""
    numbering: dict[str, int] = {}
    for index, part in enumerate(turn.parts):
        if isinstance(part, TextPart):
            if heading_due(turn, part):
                provenance.heading(part.agent)
            if part.text:
                st.markdown(number_markers(checks.answer_text(turn, index, part), numbering))
        elif part.approval is not None:
            approval.render(turn, part)
        else:
            replay_tool(part, key=f"{turn.id}-{index}", question=turn.question, turn=turn, index=index)
    if footnotes.due(turn, numbering):
        footnotes.render(turn, numbering)
    checks.note(turn)


def end_notes_due(turn: Turn) -> bool:
    ended_early = turn.status in ("stopped", "error", "interrupted")
    return ended_early or (turn.status == "complete" and not turn.parts)


def end_notes(turn: Turn) -> None:
    """What follows the answer's parts: a stop note, the error (Retry is the page's), or why it is empty."""
    if turn.status == "stopped":
        st.caption(":material/stop_circle: Stopped. What arrived before the stop is kept above.")
    elif turn.status == "interrupted":
        st.caption(":material/warning: Interrupted: the app stopped while this answer was streaming. "
                   "What was saved before is kept above.")  # fmt: skip
    elif turn.status == "error" and turn.error:
        st.error(literal(turn.error), icon=":material/error:")
    elif turn.status == "complete" and not turn.parts:
        st.caption("The endpoint finished without an answer.")
