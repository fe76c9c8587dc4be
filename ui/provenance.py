"""Where a result came from, one click away: agent, question asked, SQL, rows, time, trace id.

`details(part, trace_id=…)` draws a tool call's provenance inside its status or expander: the
agent by name (a Genie space's title, looked up once per session as this session's identity),
the raw tool id, the question the Supervisor asked, the SQL (wrapped, with a copy button) or a plain
"this agent returned no SQL", the description, rows shown of rows returned, the time taken and the
trace id. `agent_name` and `heading` name the speaker. It does not draw results (`ui.result`).
"""

from __future__ import annotations

import streamlit as st

from mas.agents import readable_name, space_id
from mas.endpoint.genie_spaces import SpaceTitles
from mas.transcript import ToolPart
from ui import session
from ui.text import literal

_TITLES = "space_titles"
NO_SQL = "This agent returned no SQL."


def _titles() -> SpaceTitles | None:
    """This session's space-title lookups, bound to its connection's identity (never shared)."""
    if session.connection_error() is not None:
        return None
    client = session.connection().workspace_client
    kept = st.session_state.get(_TITLES)
    if kept is None or kept[0] is not client:
        kept = (client, SpaceTitles(client))
        st.session_state[_TITLES] = kept
    titles: SpaceTitles = kept[1]
    return titles


def agent_name(raw: str | None) -> str:
    """How to call the agent behind a tool or `<name>` marker: a Genie space's title when this
    identity may read it, else its name in words (`mas.agents.readable_name`)."""
    space = space_id(raw)
    if space is None:
        return readable_name(raw)
    titles = _titles()
    title = titles.title(space) if titles is not None else None
    return readable_name(raw, titles={space: title} if title else None)


def heading(agent: str | None) -> None:
    """A light heading naming who speaks next, where a `<name>` marker changed the speaker."""
    st.caption(f":material/record_voice_over: **{literal(agent_name(agent))}**")


def rows_text(part: ToolPart) -> str | None:
    """ "Showing 4 of 4 rows returned", from the parsed table and the trace's (or source's) count."""
    shown = part.result.row_count if part.result is not None and part.result.table is not None else None
    total = part.rows_returned
    if total is None and part.result is not None and part.result.total_rows is not None:
        total = part.result.total_rows
    if shown is None and total is None:
        return None
    if total is None:
        return f"{shown:,} row{'s' if shown != 1 else ''} shown"
    if shown is None:
        return f"{total:,} row{'s' if total != 1 else ''} returned"
    return f"Showing {shown:,} of {total:,} row{'s' if total != 1 else ''} returned"


def time_text(part: ToolPart) -> str | None:
    if part.duration is not None:
        return f"{part.duration:.1f} s (from the trace)"
    if part.elapsed is not None:
        return f"{part.elapsed:.1f} s"
    return None


def details(part: ToolPart, *, trace_id: str | None, prose: str | None = None) -> None:
    """The provenance of one tool call, top to bottom, each line labelled in plain words.

    `prose` is the sub-agent's own words as ready Markdown (the number check marks figures in it).
    """
    st.markdown(f"**Agent:** {literal(agent_name(part.name))} · {literal(part.name)}")
    if part.question:
        st.markdown(f"**Asked:** {literal(part.question)}")
    if part.description:
        st.caption(literal(part.description))
    elif prose is not None:
        st.caption(prose)
    elif part.result is not None and part.result.text:
        st.caption(literal(part.result.text))
    if part.sql:
        source = "from the agent's MLflow trace" if part.sql_from == "trace" else "from the agent's answer"
        st.markdown(f"**SQL** ({source})")
        st.code(part.sql, language="sql", wrap_lines=True)
    elif part.state != "running":
        st.caption(NO_SQL)
    facts = [f for f in (rows_text(part), time_text(part)) if f]
    if trace_id:
        facts.append(f"trace {literal(trace_id)}")
    if facts:
        st.caption(" · ".join(facts))
