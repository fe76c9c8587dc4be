"""Reads and writes of the history store's conversations with their turns, per user (pins: `mas.store.pins`).

Every statement is parameterised SQLAlchemy Core and scoped by the caller's user id; a turn is kept
whole as `Turn.to_dict()` JSON and read back with `Turn.from_dict()`. Database failures become
`StoreError` sentences naming the store (`mas.store.access`).
It holds no session state and caches nothing; deciding when to write is the caller's.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from mas.errors import StoreError, TranscriptError
from mas.store import schema
from mas.store.engine import StoreEngine
from mas.store.pins import PinStore
from mas.transcript import ToolPart, Turn

TITLE_CHARS = 80

# The two statements of every save, built once (each answer writes a few times while it streams).
_TOUCH = (
    sa.update(schema.conversations)
    .where(
        schema.conversations.c.id == sa.bindparam("cid"),
        schema.conversations.c.user_id == sa.bindparam("uid"),
    )
    .values(updated_at=sa.bindparam("updated_at"), state=sa.bindparam("state"))
)
_REWRITE_TURN = (
    sa.update(schema.turns)
    .where(
        schema.turns.c.conversation_id == sa.bindparam("cid"), schema.turns.c.turn_id == sa.bindparam("tid")
    )
    .values(
        position=sa.bindparam("position"),
        status=sa.bindparam("status"),
        updated_at=sa.bindparam("updated_at"),
        data=sa.bindparam("data"),
    )
)


@dataclass(frozen=True)
class ConversationInfo:
    id: str
    title: str
    created_at: float
    updated_at: float
    backend: str = ""
    endpoint: str = ""


@dataclass
class Conversation:
    info: ConversationInfo
    state: dict[str, Any]
    turns: list[Turn]
    unreadable: list[str] = field(default_factory=list)
    """Why turns that could not be read back were left out (e.g. a newer app's format)."""


def _deferred(doc: dict[str, Any]) -> Turn:
    """`Turn.from_dict` without parsing tool outputs: each tool part gets its raw output back afterwards."""
    parts = doc.get("parts") if isinstance(doc, dict) else None
    if not isinstance(parts, list):
        return Turn.from_dict(doc)
    outputs = [p.get("output") if isinstance(p, dict) else None for p in parts]
    turn = Turn.from_dict(
        {**doc, "parts": [{**p, "output": None} if isinstance(p, dict) else p for p in parts]}
    )
    for part, output in zip(turn.parts, outputs, strict=False):
        if isinstance(part, ToolPart):
            part.output = output
    return turn


def hydrate(turns: Sequence[Turn]) -> None:
    """Parse the tool outputs a deferred read left raw (what `ToolPart` does on creation)."""
    from mas.results.toolresult import parse_tool_output

    for turn in turns:
        for part in turn.tools:
            if part.result is None and part.output is not None:
                part.result = parse_tool_output(part.output)
                if part.sql is None:
                    part.sql = part.result.sql


def title_from(question: str) -> str:
    """A conversation's default title: its first question on one line, cut at a word."""
    line = " ".join(question.split())
    if len(line) <= TITLE_CHARS:
        return line or "New chat"
    return line[:TITLE_CHARS].rsplit(" ", 1)[0] + "…"


class Store(PinStore):
    """One history database: conversations and turns here, pins from `PinStore`. Open with `Store.open`."""

    @classmethod
    def open(cls, engine: StoreEngine) -> Store:
        """Connect and migrate to the current schema; `StoreError` if it cannot (the engine is disposed)."""
        store = cls(engine)
        try:
            with store._tx("opened") as conn:
                schema.migrate(conn, where=store.where, now=time.time())
        except StoreError:
            store.close()
            raise
        return store

    # --- conversations ---------------------------------------------------------------------

    def conversations(
        self, user: str, *, search: str | None = None, limit: int = 500
    ) -> list[ConversationInfo]:
        """The user's conversations, most recently active first; `search` filters titles (any case)."""
        c = schema.conversations
        query = sa.select(c.c.id, c.c.title, c.c.created_at, c.c.updated_at, c.c.backend, c.c.endpoint)
        query = query.where(c.c.user_id == user)
        if search and search.strip():
            query = query.where(sa.func.lower(c.c.title).contains(search.strip().lower(), autoescape=True))
        query = query.order_by(c.c.updated_at.desc(), c.c.id).limit(limit)
        with self._tx("read") as conn:
            return [ConversationInfo(*row) for row in conn.execute(query)]

    def conversation(
        self, user: str, conversation_id: str, *, parse_last: int | None = None
    ) -> Conversation | None:
        """One conversation with its turns in order, or None if this user has none by that id.

        With `parse_last`, only the last that many turns get their tool outputs parsed now; older
        ones keep the raw output with `result` None until `hydrate` (parsing is most of a read).
        """
        c, t = schema.conversations, schema.turns
        with self._tx("read") as conn:
            row = conn.execute(
                sa.select(
                    c.c.id, c.c.title, c.c.created_at, c.c.updated_at, c.c.backend, c.c.endpoint, c.c.state
                ).where(c.c.id == conversation_id, c.c.user_id == user)
            ).first()
            if row is None:
                return None
            docs = (
                conn.execute(
                    sa.select(t.c.data).where(t.c.conversation_id == conversation_id).order_by(t.c.position)
                )
                .scalars()
                .all()
            )
        turns, unreadable = [], []
        eager_from = 0 if parse_last is None else max(0, len(docs) - parse_last)
        for index, doc in enumerate(docs):
            try:
                turns.append(Turn.from_dict(doc) if index >= eager_from else _deferred(doc))
            except TranscriptError as exc:
                unreadable.append(str(exc))
        state = row.state if isinstance(row.state, dict) else {}
        return Conversation(info=ConversationInfo(*row[:6]), state=state, turns=turns, unreadable=unreadable)

    def save_turns(
        self,
        user: str,
        *,
        conversation: ConversationInfo,
        state: dict[str, Any],
        turns: Sequence[tuple[int, Turn]],
    ) -> None:
        """Create or touch the conversation and write each (position, turn) whole, in one transaction."""
        c, t = schema.conversations, schema.turns
        now = time.time()
        with self._tx("written") as conn:
            touched = conn.execute(
                _TOUCH, {"cid": conversation.id, "uid": user, "updated_at": now, "state": state}
            )
            # Usually the conversation exists and is this user's: that one statement touched it.
            owner = (
                user
                if touched.rowcount
                else conn.execute(sa.select(c.c.user_id).where(c.c.id == conversation.id)).scalar()
            )
            if owner is None:
                row = {
                    "id": conversation.id,
                    "user_id": user,
                    "title": conversation.title,
                    "created_at": conversation.created_at,
                    "updated_at": now,
                    "backend": conversation.backend,
                    "endpoint": conversation.endpoint,
                    "state": state,
                }
                conn.execute(sa.insert(c).values(**row))
            elif owner != user:
                raise StoreError("That conversation belongs to someone else; nothing was saved.")
            for position, turn in turns:
                values = {
                    "position": position,
                    "status": turn.status,
                    "updated_at": now,
                    "data": turn.to_dict(),
                }
                done = conn.execute(_REWRITE_TURN, {"cid": conversation.id, "tid": turn.id, **values})
                if done.rowcount == 0:
                    conn.execute(
                        sa.insert(t), {"conversation_id": conversation.id, "turn_id": turn.id, **values}
                    )

    def remove_turn(self, user: str, *, conversation_id: str, turn_id: str) -> None:
        t = schema.turns
        with self._tx("written") as conn:
            if self._owns(conn, user, conversation_id):
                conn.execute(
                    sa.delete(t).where(t.c.conversation_id == conversation_id, t.c.turn_id == turn_id)
                )

    def rename(self, user: str, conversation_id: str, title: str) -> None:
        c = schema.conversations
        clean = " ".join(title.split())[:200] or "Untitled"
        with self._tx("written") as conn:
            conn.execute(
                sa.update(c).where(c.c.id == conversation_id, c.c.user_id == user).values(title=clean)
            )

    def delete(self, user: str, conversation_id: str) -> None:
        """Delete the conversation and its turns (pins keep their own copy of the result)."""
        c, t = schema.conversations, schema.turns
        with self._tx("written") as conn:
            if self._owns(conn, user, conversation_id):
                conn.execute(sa.delete(t).where(t.c.conversation_id == conversation_id))
                conn.execute(sa.delete(c).where(c.c.id == conversation_id, c.c.user_id == user))

    @staticmethod
    def _owns(conn: sa.Connection, user: str, conversation_id: str) -> bool:
        c = schema.conversations
        found = conn.execute(sa.select(c.c.id).where(c.c.id == conversation_id, c.c.user_id == user)).first()
        return found is not None
