"""What one browser session owns: its connection, its chat turns, its pins and its preflight.

Everything here lives in `st.session_state`, never in module globals or shared caches, because
a connection may carry the signed-in user's token.
The preflight runs once per session on a background pool (`mas.endpoint.preflight`); pages poll its
future on later reruns and never wait for it. Rendering is elsewhere (`ui.sidebar`, the pages).
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import streamlit as st

from mas.endpoint.connection import resolve
from mas.errors import MasError
from mas.transcript import ToolPart, Turn

if TYPE_CHECKING:
    from mas.endpoint.connection import Connection
    from mas.endpoint.preflight import PreflightReport


@dataclass
class Pin:
    """A result pinned to the Dashboard: the tool part itself (its chart choice follows) and its question."""

    turn_question: str
    part: ToolPart
    id: str
    title: str | None = None
    """The card's title when renamed or stored (else the question)."""
    data_as_of: float | None = None
    """When the pinned rows were fetched (epoch seconds)."""


def request_headers() -> Mapping[str, str]:
    """The headers of this session's websocket request (the Apps proxy's X-Forwarded-* among them).

    A function of its own so tests can stand in for the proxy: AppTest cannot seed headers.
    """
    return st.context.headers


def connection() -> Connection:
    """This session's connection, resolved once from the headers of its websocket request.

    Raises `MasError` (a `ConfigError`) when the configuration cannot work; not cached then, so a
    reload after fixing it tries again.
    """
    conn: Connection | None = st.session_state.get("connection")
    if conn is None:
        conn = resolve(headers=request_headers())
        st.session_state["connection"] = conn
    return conn


def connection_error() -> str | None:
    """The configuration problem that keeps this session from connecting, or None."""
    try:
        connection()
    except MasError as exc:
        return str(exc)
    return None


RELOAD_NOTICE = "The app's code changed, so this session's chat and pins were cleared."


def discard_outdated() -> bool:
    """Drop this session's turns and pins if an earlier version of the code made them; True if it did.

    When a source file changes, Streamlit re-imports every module of the app (its file watcher,
    in development), and the records kept in `st.session_state` become instances of the old
    classes: `isinstance` no longer recognises them and replaying them fails with a traceback.
    """
    kept_turns = st.session_state.get("turns") or []
    kept_pins = st.session_state.get("pins") or []
    if all(type(t) is Turn for t in kept_turns) and all(type(p) is Pin for p in kept_pins):
        return False
    st.session_state["turns"] = []
    st.session_state["pins"] = []
    return True


def result_views() -> dict[str, Any]:
    """This session's render caches (`ui.result.ResultView`s) by tool-part id; never on the record."""
    views: dict[str, Any] = st.session_state.setdefault("result_views", {})
    return views


def conversation_state() -> dict[str, Any]:
    """Backend state of the open conversation (e.g. a Genie conversation id), saved with it."""
    state: dict[str, Any] = st.session_state.setdefault("conversation_state", {})
    return state


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
    st.session_state.pop("show_all_turns", None)
    st.session_state.pop("conversation_state", None)  # a new chat is a new Genie conversation


def preflight(*, again: bool = False) -> Future[PreflightReport] | None:
    """The session's preflight, started on first call (or `again`) without waiting for it.

    None when the session has no connection (its configuration error is shown instead).
    """
    future: Future[PreflightReport] | None = st.session_state.get("preflight")
    if future is not None and not again:
        return future
    if connection_error() is not None:
        return None
    from mas.endpoint.preflight import preflight_in_background

    future = preflight_in_background(connection())
    st.session_state["preflight"] = future
    return future
