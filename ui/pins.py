"""The Dashboard's pins, kept per user in the history store: pin, unpin, rename, reorder, load once.

The session's list (`ui.session.pins`) stays what the pages draw; this module mirrors every change
into the store, and fills the list from it once per session. A pin the store cannot take yet waits
in `ui.history` and is written when the store answers again. Drawing the cards is `ui.dashboard`.
"""

from __future__ import annotations

from mas.errors import StoreError
from mas.transcript import ToolPart
from ui import history, session
from ui.session import Pin


def load() -> None:
    """Once per session: the user's stored pins, in their order, ahead of any pinned before loading."""
    state = history.state()
    if state.pins_loaded:
        return
    found = history.store()
    if found is None:
        return
    try:
        stored = found.pins(state.user)
    except StoreError as exc:
        history.note_failure(state, exc)
        return
    state.pins_loaded = True
    current = session.pins()
    known = {pin.id for pin in current}
    loaded = [
        Pin(turn_question=p.question, part=p.part, id=p.id, title=p.title, data_as_of=p.data_as_of)
        for p in stored
        if p.id not in known
    ]
    current[:0] = loaded


def pin(part: ToolPart, *, question: str, key: str) -> None:
    """Button callback: pin `part` (once; a reopened conversation's part may be pinned already)."""
    existing = next((p for p in session.pins() if p.id == key), None)
    if existing is not None:
        existing.part = part
        return
    session.pin(part, question=question, key=key)
    added = next((p for p in session.pins() if p.id == key), None)
    if added is not None:
        added.title = question
        added.data_as_of = history.data_as_of(part)
    state = history.state()
    if not history.enabled():
        return
    turn_id = next((t.id for t in session.turns() if any(x is part for x in t.parts)), None)
    conversation_id = state.open.id if state.open is not None and turn_id is not None else None
    state.pending_pins.append((key, part, question, conversation_id, turn_id))
    history.flush()


def unpin(pin_id: str) -> None:
    session.unpin(pin_id)
    state = history.state()
    state.pending_pins = [p for p in state.pending_pins if p[0] != pin_id]
    _write(lambda found: found.remove_pin(state.user, pin_id))


def rename(pin_id: str, title: str) -> None:
    clean = " ".join(title.split())
    if not clean:
        return
    for pin_ in session.pins():
        if pin_.id == pin_id:
            pin_.title = clean
    state = history.state()
    _write(lambda found: found.rename_pin(state.user, pin_id, clean))


def move(pin_id: str, offset: int) -> None:
    """Button callback: move a pin `offset` places (-1 up, +1 down) and store the new order."""
    pins = session.pins()
    index = next((i for i, p in enumerate(pins) if p.id == pin_id), None)
    if index is None or not 0 <= index + offset < len(pins):
        return
    pins[index], pins[index + offset] = pins[index + offset], pins[index]
    state = history.state()
    order = [p.id for p in pins]
    _write(lambda found: found.order_pins(state.user, order))


def _write(action: object) -> None:
    state = history.state()
    if not history.enabled():
        return
    found = history.store()
    if found is None:
        return
    try:
        action(found)  # type: ignore[operator]
    except StoreError as exc:
        history.note_failure(state, exc)
