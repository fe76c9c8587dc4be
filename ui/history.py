"""This session's link to the history store: who the user is, the open conversation, writes that lose nothing.

The question and its open turn are written before the request goes upstream, again as each tool
part completes (and every few seconds of text), and when the answer ends. When the store cannot
be reached the chat goes on in memory: unsaved turns and pins wait here and are written once it
answers again, and `problem()` says why nothing is saved meanwhile. Opening conversations is
`ui.reopen`; drawing them is `ui.conversations`.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from mas.errors import ConfigError, StoreError
from mas.settings import HistoryDb, history_db_from_env
from mas.store import ConversationInfo, Store, open_engine
from mas.store.history import title_from
from mas.transcript import ToolPart, Turn
from ui import session

logger = logging.getLogger(__name__)

LOCAL_USER = "local"
"""Everyone is this one user when no proxy says who they are (a local `streamlit run`)."""
PROGRESS_SECONDS = 3.0
"""While text streams, the open turn is rewritten at most this often (tool parts: at once)."""
RETRY_SECONDS = 5.0
"""A store that failed is tried again after this long, on the next write or page run."""
RECENT_PARSED = 5
"""Turns whose results are parsed when a conversation opens: the chat draws the last five at once."""
_KEY = "history_session"
QUERY = "c"
"""The query parameter naming the open conversation."""


def user_id(headers: Mapping[str, str]) -> str:
    """The signed-in user as the Apps proxy names them: X-Forwarded-Email, else X-Forwarded-User."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in ("x-forwarded-email", "x-forwarded-user"):
        value = (lowered.get(name) or "").strip()
        if value:
            return value
    return LOCAL_USER


@dataclass
class _Pending:
    info: ConversationInfo
    state: dict[str, Any]
    turns: dict[str, tuple[int, Turn]] = field(default_factory=dict)


@dataclass
class HistorySession:
    """What one browser session knows about its history (kept in `st.session_state`)."""

    user: str
    open: ConversationInfo | None = None
    pending: dict[str, _Pending] = field(default_factory=dict)
    pending_pins: list[tuple[str, ToolPart, str, str | None, str | None]] = field(default_factory=list)
    problem: str | None = None
    failed_at: float = 0.0
    pins_loaded: bool = False
    listing: list[ConversationInfo] | None = None
    last_progress: float = 0.0


# --- the store, one per process and target (the app's own identity; no user data is cached) -----

_stores: dict[HistoryDb, Store] = {}
_failures: dict[HistoryDb, tuple[float, str]] = {}
_lock = threading.Lock()


def target() -> HistoryDb | str:
    """The configured store, or the configuration problem as a sentence."""
    try:
        return history_db_from_env()
    except ConfigError as exc:
        return str(exc)


def _open_store(wanted: HistoryDb) -> Store:
    with _lock:
        store = _stores.get(wanted)
        if store is not None:
            return store
        failed = _failures.get(wanted)
        if failed is not None and time.monotonic() - failed[0] < RETRY_SECONDS:
            raise StoreError(failed[1])
        try:
            store = Store.open(open_engine(wanted, mint=_minter(wanted)))
        except StoreError as exc:
            _failures[wanted] = (time.monotonic(), str(exc))
            logger.warning("[STORE] history not available: %s", exc)
            raise
        _failures.pop(wanted, None)
        _stores[wanted] = store
        return store


def _minter(wanted: HistoryDb) -> Any:
    if wanted.kind != "lakebase" or wanted.lakebase is None:
        return None
    from mas.endpoint.auth import workspace_client
    from mas.store.lakebase import LakebaseCredentials

    try:
        client = workspace_client()
    except ValueError as exc:
        raise StoreError(f"The app's own Databricks credentials are not usable for Lakebase: {exc}") from exc
    return LakebaseCredentials(wanted.lakebase, client=client).mint


def store() -> Store | None:
    """The store when one is configured and answers, else None (and `problem()` says why)."""
    history = state()
    wanted = target()
    if isinstance(wanted, str):
        history.problem = wanted
        return None
    if wanted.kind == "none":
        return None
    try:
        found = _open_store(wanted)
    except StoreError as exc:
        note_failure(history, exc)
        return None
    return found


def enabled() -> bool:
    wanted = target()
    return not (isinstance(wanted, HistoryDb) and wanted.kind == "none")


def state() -> HistorySession:
    history: HistorySession | None = st.session_state.get(_KEY)
    if history is None or type(history) is not HistorySession:
        history = HistorySession(user=user_id(session.request_headers()))
        st.session_state[_KEY] = history
    return history


def problem() -> str | None:
    return state().problem


def note_failure(history: HistorySession, exc: StoreError) -> None:
    history.problem = str(exc)
    history.failed_at = time.monotonic()


def _ok(history: HistorySession) -> None:
    history.problem = None


# --- writes ------------------------------------------------------------------------------------


def _backend() -> tuple[str, str]:
    if session.connection_error() is not None:
        return "", ""
    conn = session.connection()
    return ("demo" if conn.identity == "demo" else "mas"), conn.endpoint_name


def begin(turn: Turn) -> None:
    """A question is being asked: open a conversation if none is, and write the question and open turn."""
    history = state()
    if history.open is None:
        backend, endpoint = _backend()
        now = time.time()
        history.open = ConversationInfo(
            id=uuid.uuid4().hex,
            title=title_from(turn.question),
            created_at=now,
            updated_at=now,
            backend=backend,
            endpoint=endpoint,
        )
        history.listing = None
        if enabled():
            st.query_params[QUERY] = history.open.id
    history.last_progress = time.monotonic()
    save(turn)


def progress(turn: Turn, part: object) -> None:
    """Called as the answer streams: write at once when a tool part completed, else at most every 3 s."""
    history = state()
    done_tool = isinstance(part, ToolPart) and part.state != "running"
    if done_tool or time.monotonic() - history.last_progress >= PROGRESS_SECONDS:
        history.last_progress = time.monotonic()
        save(turn)


def save(turn: Turn) -> None:
    """Queue `turn` (where it stands in the open conversation) and write everything queued."""
    history = state()
    if history.open is None or not enabled():
        return
    turns = session.turns()
    position = next((i for i, t in enumerate(turns) if t is turn), len(turns))
    pending = history.pending.setdefault(history.open.id, _Pending(info=history.open, state={}))
    pending.state = dict(session.conversation_state())
    pending.turns[turn.id] = (position, turn)
    flush()


def forget(turn: Turn) -> None:
    """A turn was dropped from the open conversation (Retry): drop it from the store too."""
    history = state()
    if history.open is None:
        return
    pending = history.pending.get(history.open.id)
    if pending is not None:
        pending.turns.pop(turn.id, None)
    found = store()
    if found is not None:
        try:
            found.remove_turn(history.user, conversation_id=history.open.id, turn_id=turn.id)
        except StoreError as exc:
            note_failure(history, exc)


def flush(*, throttle: bool = False) -> None:
    """Write every queued turn and pin; on failure keep them queued and say why."""
    history = state()
    if not history.pending and not history.pending_pins:
        return
    if throttle and history.problem and time.monotonic() - history.failed_at < RETRY_SECONDS:
        return
    found = store()
    if found is None:
        return
    try:
        for conversation_id in list(history.pending):
            pending = history.pending[conversation_id]
            found.save_turns(
                history.user,
                conversation=pending.info,
                state=pending.state,
                turns=sorted(pending.turns.values(), key=lambda item: item[0]),
            )
            del history.pending[conversation_id]
        while history.pending_pins:
            pin_id, part, question, pin_conversation, turn_id = history.pending_pins[0]
            found.add_pin(
                history.user,
                pin_id=pin_id,
                part=part,
                question=question,
                title=question,
                conversation_id=pin_conversation,
                turn_id=turn_id,
                data_as_of=data_as_of(part),
            )
            history.pending_pins.pop(0)
    except StoreError as exc:
        note_failure(history, exc)
        return
    history.listing = None
    _ok(history)


def unsaved_count() -> int:
    history = state()
    return sum(len(p.turns) for p in history.pending.values()) + len(history.pending_pins)


def data_as_of(part: ToolPart) -> float | None:
    """When the part's rows were fetched: when its output arrived."""
    if part.output is None:
        return None
    return part.started_at + (part.elapsed or 0.0)
