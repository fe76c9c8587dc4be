"""What one browser session owns: its connection, its chat turns, its pins and its preflight.

Everything here lives in `st.session_state`, never in module globals or shared caches, because
a connection may carry the signed-in user's token (issue 4: tokens live only with their session).
The preflight runs once per session on a background thread that never touches Streamlit; the
page reads its holder on later reruns. Rendering is elsewhere (`ui.sidebar`, the pages).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import streamlit as st

from mas.connection import resolve
from mas.errors import MasError
from ui.history import ToolPart, Turn

if TYPE_CHECKING:
    from mas.connection import Connection
    from mas.preflight import PreflightReport

logger = logging.getLogger(__name__)


@dataclass
class Pin:
    """A result pinned to the Dashboard: the tool part itself (so its chart choice follows) and its question."""

    turn_question: str
    part: ToolPart
    id: str


@dataclass
class PreflightHolder:
    """The session's preflight result, filled in by a background thread."""

    report: PreflightReport | None = None
    failure: str | None = None
    done: threading.Event = field(default_factory=threading.Event)


def connection() -> Connection:
    """This session's connection, resolved once from the headers of its websocket request.

    Raises `MasError` (a `ConfigError`) when the configuration cannot work; not cached then, so a
    reload after fixing it tries again.
    """
    conn: Connection | None = st.session_state.get("connection")
    if conn is None:
        conn = resolve(headers=st.context.headers)
        st.session_state["connection"] = conn
    return conn


def connection_error() -> str | None:
    """The configuration problem that keeps this session from connecting, or None."""
    try:
        connection()
    except MasError as exc:
        return str(exc)
    return None


def turns() -> list[Turn]:
    return st.session_state.setdefault("turns", [])


def pins() -> list[Pin]:
    return st.session_state.setdefault("pins", [])


def is_pinned(part: ToolPart) -> bool:
    return any(pin.part is part for pin in pins())


def pin(part: ToolPart, *, question: str, key: str) -> None:
    if not is_pinned(part):
        pins().append(Pin(turn_question=question, part=part, id=key))


def unpin(pin_id: str) -> None:
    st.session_state["pins"] = [p for p in pins() if p.id != pin_id]


def new_chat() -> None:
    """Start over: the turns go, pinned results stay on the Dashboard."""
    st.session_state["turns"] = []


def preflight(*, rerun: bool = False) -> PreflightHolder:
    """The session's preflight, started on first call (or again with `rerun`) without blocking."""
    holder: PreflightHolder | None = st.session_state.get("preflight")
    if holder is not None and not rerun:
        return holder
    holder = PreflightHolder()
    st.session_state["preflight"] = holder
    try:
        conn = connection()
    except MasError as exc:
        holder.failure = str(exc)
        holder.done.set()
        return holder
    threading.Thread(target=_run_preflight, args=(conn, holder), name="mas-preflight", daemon=True).start()
    return holder


def _run_preflight(conn: Connection, holder: PreflightHolder) -> None:
    from mas.preflight import run_preflight

    try:
        holder.report = run_preflight(conn)
    except MasError as exc:
        holder.failure = str(exc)
    finally:
        holder.done.set()
