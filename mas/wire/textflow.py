"""Answer text per message item: streamed deltas reconciled with the item's final text.

A MAS may stream a message as deltas, send it only whole in `output_item.done`, or both; it
also sends `<name>…</name>` speaker markers and `EMPTY` noise as message text. `TextFlow`
turns all of that into `TextDelta`s shown once, with markers setting `agent`. An item id that
comes back after its item was complete is a new message (MLflow reuses chunk ids as item ids).
It knows only text: which wire event carried it is `mas.wire.normalize`'s business.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from mas.wire.events import Event, TextDelta

log = logging.getLogger(__name__)

# A speaker marker is a message whose text is `<name>X</name>`; clients match it case-
# insensitively and also strip markers embedded in longer text (wire-format.md §3 and
# mas-output.md §3). Names are short slugs; the length bound keeps a held-back prefix small.
_MARKER = re.compile(r"<name>([^<>\n]{1,200})</name>", re.IGNORECASE)
_MARKER_AT_START = re.compile(r"\s*<name>([^<>\n]{1,200})</name>", re.IGNORECASE)
_OPEN_TAG = "<name>"
_CLOSE_TAG = "</name>"
_NOISE = "EMPTY"
_SEPARATOR = "\n\n"


@dataclass(slots=True)
class _Item:
    parts: list[str] = field(default_factory=list)
    held: str = ""
    holding: bool = True
    final: str | None = None
    """The item's `.done` text once it is complete; None while it may still grow."""

    def received(self) -> str:
        return "".join(self.parts)


def _may_become_special(text: str) -> bool:
    """Whether `text` could still grow into a whole marker or the `EMPTY` noise token."""
    head = text.lstrip()
    if not head:
        return True
    core = head.rstrip()
    if core == head and _NOISE.startswith(core):
        return True
    if core == _NOISE:
        return True
    if len(head) <= len(_OPEN_TAG):
        return _OPEN_TAG.startswith(head.lower())
    if not head.lower().startswith(_OPEN_TAG):
        return False
    tail = head[len(_OPEN_TAG) :]
    close = tail.find("<")
    name = tail if close < 0 else tail[:close]
    if len(name) > 200 or ">" in name or "\n" in name:
        return False
    return close < 0 or _CLOSE_TAG.startswith(tail[close:].lower())


class TextFlow:
    """Per-item text state of one answer; `agent` is the speaker the last marker named."""

    def __init__(self) -> None:
        self.agent: str | None = None
        self._items: dict[str, _Item] = {}
        self._current: str | None = None
        self._last_emitter: str | None = None
        # Wire item id -> the key of its latest message, when the id was reused after its
        # message was complete (see `_reopen`).
        self._alias: dict[str, str] = {}
        self._interrupted = False

    def delta(self, item_id: str, text: str) -> list[Event]:
        """A streamed piece of item `item_id`'s text."""
        key = self._alias.get(item_id, item_id) if self._alias else item_id
        if key == self._current and key == self._last_emitter:
            # The hot path: one more delta of the message already being shown (a complete
            # item is never current: completing it settles it).
            current = self._items[key]
            if not current.holding:
                current.parts.append(text)
                return [TextDelta(delta=text, agent=self.agent)]
        item = self._items.get(key)
        if item is not None and item.final is not None:
            key, item = self._reopen(item_id), None
        out = self.settle() if key != self._current else []
        if item is None:
            item = self._items[key] = _Item()
        self._current = key
        item.parts.append(text)
        if not item.holding:
            return out + self._emit(key, text)
        item.held += text
        return out + self._resolve(key, item)

    def done(self, item_id: str | None, text: str) -> list[Event]:
        """Item `item_id` is complete and its whole text is `text` (a message item's `.done`)."""
        wire_id = item_id if item_id is not None else ""
        key = self._alias.get(wire_id, wire_id)
        item = self._items.get(key)
        unnamed = self._items.get("")
        if item is None and unnamed is not None and unnamed.final is None and key != "":
            # Deltas that carried no item id, then a `.done` that does: the same message.
            item = self._items.pop("")
            self._items[key] = item
            if self._current == "":
                self._current = key
        if item is not None and item.final is not None:
            if text in (item.final, item.received()):
                # The same item reported done again (seen from live MAS endpoints, mas-output.md §3).
                log.debug("item %s reported done twice; shown once", wire_id)
                return self.settle()
            key, item = self._reopen(wire_id), None
        if item is None or not item.parts:
            out = self.settle()
            self._items[key] = _Item(parts=[text], holding=False, final=text)
            return out + self._whole(key, text)
        item.final = text
        return self._reconcile(key, item, text=text)

    def _reopen(self, wire_id: str) -> str:
        """A fresh key for a message whose wire id already named a complete message."""
        # MLflow's `output_to_responses_items_stream` uses the upstream chat-completion chunk id
        # as the item id, so two messages of one answer can share it (real-producers.md): the
        # later one is a new message, shown whole and in its own paragraph.
        key = f"{wire_id}\x00{len(self._items)}"
        self._alias[wire_id] = key
        log.debug("item id %r reused after its message was complete: a new message", wire_id)
        return key

    def interrupt(self) -> None:
        """A tool call or output was shown: the next text starts a new paragraph, whatever its item."""
        self._interrupted = True

    def settle(self) -> list[Event]:
        """Finish the item receiving deltas: held-back text is a marker, noise, or text after all."""
        key = self._current
        self._current = None
        item = self._items.get(key) if key is not None else None
        if key is None or item is None or not item.holding:
            return []
        item.holding = False
        held, item.held = item.held, ""
        marker = _MARKER_AT_START.match(held)
        if marker is not None:
            self.agent = marker.group(1).strip()
            held = held[marker.end() :].lstrip()
        if not held.strip() or held.strip() == _NOISE:
            if held.strip():
                log.debug("dropped noise message text %r", held)
            return []
        return self._emit(key, held)

    def _reconcile(self, key: str, item: _Item, *, text: str) -> list[Event]:
        out = self.settle() if self._current != key else []
        self._current = key
        received = item.received()
        if text.startswith(received):
            if len(text) > len(received):
                out.extend(self.delta(key, text[len(received) :]))
        else:
            # The `.done` text may differ from the deltas (GFM footnotes instead of streamed
            # annotations, wire-format.md §3); what was streamed stays, shown once.
            log.debug("item %s: done text differs from its streamed deltas; keeping the deltas", key)
        return out + self.settle()

    def _resolve(self, key: str, item: _Item) -> list[Event]:
        """Held-back text at an item's start: take whole markers off it; release it once it is text."""
        marker = _MARKER_AT_START.match(item.held)
        while marker is not None:
            self.agent = marker.group(1).strip()
            item.held = item.held[marker.end() :].lstrip()
            marker = _MARKER_AT_START.match(item.held)
        if _may_become_special(item.held):
            return []
        item.holding = False
        held, item.held = item.held, ""
        return self._emit(key, held)

    def _whole(self, key: str, text: str) -> list[Event]:
        out: list[Event] = []
        pieces = _MARKER.split(text)
        for index, piece in enumerate(pieces):
            if index % 2:
                self.agent = piece.strip()
                continue
            if index:
                piece = piece.lstrip()
            if piece.strip() and piece.strip() != _NOISE:
                out.extend(self._emit(key, piece))
            elif piece.strip():
                log.debug("dropped noise message text %r", piece)
        return out

    def _emit(self, key: str, text: str) -> list[Event]:
        if not text:
            return []
        if self._last_emitter != key or self._interrupted:
            # A new message item starts a new paragraph; items are not joined mid-sentence, nor
            # text of one item across a tool call (a reused id with no `.done` in between).
            if self._last_emitter is not None:
                text = _SEPARATOR + text.lstrip("\n")
            self._last_emitter = key
            self._interrupted = False
        return [TextDelta(delta=text, agent=self.agent)]
