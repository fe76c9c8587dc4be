"""A tool the agent asked leave to run: what it is, where it runs, its arguments, Approve or Deny.

`render(turn, part)` draws a pending `mcp_approval_request` (or what became of it). The buttons
only record the answer (`take_answer` hands it to the next run); `ui.chat` then re-posts the
conversation with the request and the answer (`mas.wire.approvals`) and streams the rest of the
answer into the same turn. It draws; it sends nothing itself.
"""

from __future__ import annotations

import json

import streamlit as st

from mas.transcript import ToolPart, Turn
from ui.provenance import agent_name
from ui.text import literal

_ANSWER = "approval_answer"


def _answered(turn_id: str, part_id: str, approve: bool) -> None:
    st.session_state[_ANSWER] = (turn_id, part_id, approve)


def take_answer(turn: Turn) -> tuple[ToolPart, bool] | None:
    """The approval the user just gave on `turn` (consumed), with the part it answers."""
    answer = st.session_state.get(_ANSWER)
    if answer is None or answer[0] != turn.id:
        return None
    del st.session_state[_ANSWER]
    part = next((p for p in turn.tools if p.id == answer[1] and p.approval == "pending"), None)
    return (part, bool(answer[2])) if part is not None else None


def render(turn: Turn, part: ToolPart) -> None:
    server = f" on {literal(part.server)}" if part.server else ""
    with st.container(border=True):
        st.markdown(f":material/front_hand: **Approval needed:** the agent wants to run "
                    f"**{literal(agent_name(part.name))}**{server}.")  # fmt: skip
        st.caption(f"Tool {literal(part.name)} · arguments:")
        st.code(json.dumps(part.args, indent=2, ensure_ascii=False), language="json", wrap_lines=True)
        if part.approval == "pending":
            with st.container(horizontal=True, gap="small"):
                st.button("Approve", key=f"approve-{part.id}", type="primary", icon=":material/check:",
                          on_click=_answered, args=(turn.id, part.id, True))  # fmt: skip
                st.button("Deny", key=f"deny-{part.id}", icon=":material/block:",
                          on_click=_answered, args=(turn.id, part.id, False))  # fmt: skip
        elif part.approval == "approved":
            st.caption(":material/check: Approved: the agent went on with the tool.")
        else:
            st.caption(":material/block: Denied: the tool was not run.")
