"""Dashboard pins in the history store: a user's pinned tool results, their titles and their order.

A pin keeps its own copy of the result as a one-part `Turn.to_dict()` JSON, so deleting the
conversation it came from leaves it whole; every statement is scoped by the caller's user id. It is
not the conversations and turns (`mas.store.history`), and it holds no session state.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from mas.errors import TranscriptError
from mas.store import schema
from mas.store.access import StoreAccess
from mas.transcript import ToolPart, Turn


@dataclass(frozen=True)
class StoredPin:
    id: str
    part: ToolPart
    question: str
    title: str
    position: int
    conversation_id: str | None
    turn_id: str | None
    data_as_of: float | None


class PinStore(StoreAccess):
    """The pin reads and writes of a history database (`mas.store.history.Store` is one)."""

    def pins(self, user: str) -> list[StoredPin]:
        """The user's pins in dashboard order; pins an older or newer app wrote unreadably are left out."""
        p = schema.pins
        with self._tx("read") as conn:
            rows = conn.execute(
                sa.select(p).where(p.c.user_id == user).order_by(p.c.position, p.c.created_at)
            ).all()
        found = []
        for row in rows:
            try:
                turn = Turn.from_dict(row.data)
            except TranscriptError:
                continue
            part = next((x for x in turn.parts if isinstance(x, ToolPart)), None)
            if part is not None:
                found.append(StoredPin(
                    id=row.id, part=part, question=turn.question, title=row.title, position=row.position,
                    conversation_id=row.conversation_id, turn_id=row.turn_id, data_as_of=row.data_as_of,
                ))  # fmt: skip
        return found

    def add_pin(
        self, user: str, *, pin_id: str, part: ToolPart, question: str, title: str,
        conversation_id: str | None, turn_id: str | None, data_as_of: float | None,
    ) -> None:  # fmt: skip
        """Pin `part` last on the user's dashboard (again: nothing changes)."""
        p = schema.pins
        doc = Turn(question=question, id=turn_id or "pin", parts=[part], status="complete").to_dict()
        with self._tx("written") as conn:
            if (
                conn.execute(sa.select(p.c.id).where(p.c.user_id == user, p.c.id == pin_id)).first()
                is not None
            ):
                return
            last = conn.execute(sa.select(sa.func.max(p.c.position)).where(p.c.user_id == user)).scalar()
            row = {
                "user_id": user,
                "id": pin_id,
                "conversation_id": conversation_id,
                "turn_id": turn_id,
                "part_id": part.id,
                "title": title,
                "position": (last or 0) + 1,
                "data_as_of": data_as_of,
                "created_at": time.time(),
                "data": doc,
            }
            conn.execute(sa.insert(p).values(**row))

    def remove_pin(self, user: str, pin_id: str) -> None:
        p = schema.pins
        with self._tx("written") as conn:
            conn.execute(sa.delete(p).where(p.c.user_id == user, p.c.id == pin_id))

    def rename_pin(self, user: str, pin_id: str, title: str) -> None:
        p = schema.pins
        clean = " ".join(title.split())[:200] or "Untitled"
        with self._tx("written") as conn:
            conn.execute(sa.update(p).where(p.c.user_id == user, p.c.id == pin_id).values(title=clean))

    def order_pins(self, user: str, pin_ids: Sequence[str]) -> None:
        """Store the dashboard order: `pin_ids` first to last."""
        p = schema.pins
        with self._tx("written") as conn:
            for position, pin_id in enumerate(pin_ids, 1):
                conn.execute(
                    sa.update(p).where(p.c.user_id == user, p.c.id == pin_id).values(position=position)
                )
