"""The live side of an answer: `stream_turn`, the generator handed to `st.write_stream` while it streams.

It folds `mas` events into the turn record, yields coalesced text (`_TextBuffer`), and yields
callables that draw each tool call as an `st.status` the moment it starts and its result right
below when its output arrives (`_LiveTools`). It is not the replay of a stored answer; that is `ui.answer`.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Generator, Iterator
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from mas.citations import number_markers
from mas.transcript import Part, TextPart, ToolPart, Turn, apply_event
from mas.wire.events import Event, Status, TextDelta, ToolApproval, ToolCall, ToolOutput, TraceEvent
from ui import approval, footnotes, genie_view, provenance, result
from ui.answer import heading_due, tool_label
from ui.pump import EventPump
from ui.text import answer_markdown, literal

TEXT_FLUSH_SECONDS = 0.05
"""Coalesce text for this long: `st.write_stream` re-sends the whole text on every chunk."""
TICK_SECONDS = 0.5
"""Refresh elapsed-time labels this often; each refresh is also a point where Stop takes effect."""

Chunk = str | Callable[[], None]


class _LiveTools:
    """The live Streamlit handles of the tool calls of one streaming answer (never stored in state)."""

    def __init__(self, turn: Turn) -> None:
        self.turn = turn
        self.handles: dict[int, tuple[DeltaGenerator, Any]] = {}
        self.details: dict[int, DeltaGenerator] = {}

    def opener(self, part: ToolPart) -> Callable[[], None]:
        def open_status() -> None:
            box = st.container()
            with box:
                status = st.status(tool_label(part), expanded=True)
                with status:
                    if part.question:
                        st.markdown(f"**Asked:** {literal(part.question)}")
            self.handles[id(part)] = (box, status)

        return open_status

    def closer(self, part: ToolPart) -> Callable[[], None]:
        def close_status() -> None:
            index = self.turn.parts.index(part)
            box, status = self.handles.get(id(part)) or (st.container(), None)
            if status is None:
                with box:
                    status = st.status(tool_label(part), expanded=False)
            with status:
                slot = self.details[id(part)] = st.empty()
                with slot.container():
                    provenance.details(part, trace_id=self.turn.trace_id)
                    genie_view.details(part)
            status.update(label=tool_label(part), state=_status_state(part), expanded=False)
            with box:
                result.render(part, key=f"{self.turn.id}-{index}", question=self.turn.question)
                genie_view.extras(part)

        return close_status

    def refresh(self) -> Callable[[], None]:
        """Redraw the provenance of the calls already drawn (a trace brought their SQL)."""

        def redraw() -> None:
            for part in self.turn.tools:
                slot = self.details.get(id(part))
                if slot is not None:
                    with slot.container():
                        provenance.details(part, trace_id=self.turn.trace_id)

        return redraw

    def tick(self) -> None:
        """Refresh the running calls' labels with their elapsed time."""
        now = time.time()
        for part in self.turn.tools:
            handle = self.handles.get(id(part))
            if part.state == "running" and handle is not None:
                took = f" · {now - part.started_at:.0f} s" if now - part.started_at >= 1 else ""
                handle[1].update(label=f"Querying {provenance.agent_name(part.name)}…{took}")


def _status_state(part: ToolPart) -> Any:
    return "complete" if part.state == "complete" else "error"


def stream_turn(
    turn: Turn, events: Iterator[Event], *, waiting: DeltaGenerator,
    on_progress: Callable[[Part | None], None] | None = None,
) -> Generator[Chunk, None, None]:  # fmt: skip
    """Fold `events` into `turn` and yield what `st.write_stream` should draw, as it arrives.

    `waiting` is a placeholder above the answer that says "Thinking…" until the first event; it is
    also refreshed on each tick so a Stop is honoured while the endpoint is silent. Closing this
    generator (Stop, rerun, error) stops the pump, which closes the upstream request.
    `on_progress` hears of each completed tool part at once and of each batch of events (to save).
    """
    pump = EventPump(events).start()
    tools = _LiveTools(turn)
    progress = genie_view.ProgressLine(waiting)
    text = _TextBuffer()
    started, seen_any = time.monotonic(), False
    speaking: TextPart | None = None
    last_tick = started
    ended = False
    try:
        while not pump.finished:
            batch = pump.take(text.wait() if text.pending else TICK_SECONDS)
            if batch and not seen_any:
                seen_any = True
                waiting.empty()
            for event in batch:
                part = apply_event(turn, event)
                if isinstance(event, Status):
                    progress.show(event)
                elif isinstance(event, TextDelta):
                    progress.clear()
                    if isinstance(part, TextPart) and part is not speaking:
                        speaking = part
                        if heading_due(turn, part):
                            yield from text.flush(final=True)
                            yield functools.partial(provenance.heading, part.agent)
                    text.add(event.delta)
                elif isinstance(event, (ToolCall, ToolOutput)) and isinstance(part, ToolPart):
                    yield from text.flush(final=True)
                    yield tools.opener(part) if isinstance(event, ToolCall) else tools.closer(part)
                elif isinstance(event, ToolApproval) and isinstance(part, ToolPart):
                    yield from text.flush(final=True)
                    yield functools.partial(approval.render, turn, part)
                elif isinstance(event, TraceEvent):
                    yield from text.flush(final=True)
                    yield tools.refresh()
                if on_progress is not None and isinstance(event, ToolOutput):
                    on_progress(part)
            if on_progress is not None and batch:
                on_progress(None)
            yield from text.flush(final=pump.finished)
            now = time.monotonic()
            if not batch and now - last_tick >= TICK_SECONDS:
                _tick(tools, waiting, seen_any=seen_any, waited=now - started, progress=progress)
                last_tick = now
        yield from text.flush(final=True)
        if footnotes.due(turn, text.numbering):
            yield functools.partial(footnotes.render, turn, text.numbering)
        ended = True
    finally:
        pump.cancel()
        if not ended:
            # Stopped (or rerun) mid-answer: keep exactly the text that reached the screen.
            text.discard_unshown(turn)


class _TextBuffer:
    """Coalesces text deltas: the first piece goes out at once, later ones every 50 ms."""

    def __init__(self) -> None:
        self.pending = ""
        self.last_flush: float | None = None
        self.numbering: dict[str, int] = {}
        """Footnote numbers of the `[^id]` markers shown so far (`mas.citations`)."""
        self.unconfirmed = 0
        """Characters of the last chunk handed out that `st.write_stream` has not yet sent: it checks
        for Stop/rerun *before* sending a chunk, so the chunk a stop interrupts never showed."""

    def add(self, delta: str) -> None:
        self.pending += delta

    def wait(self) -> float:
        since = time.monotonic() - (self.last_flush or 0.0)
        return max(0.0, TEXT_FLUSH_SECONDS - since)

    def flush(self, *, final: bool) -> Iterator[str]:
        now = time.monotonic()
        due = self.last_flush is None or now - self.last_flush >= TEXT_FLUSH_SECONDS
        if not self.pending or not (due or final):
            return
        # A "$" at the very end may be a dollar whose digits are still on the way: keep it back.
        cut = len(self.pending) - 1 if self.pending.endswith("$") and not final else len(self.pending)
        marker = self.pending.rfind("[^")
        if not final and marker >= 0 and "]" not in self.pending[marker:]:
            cut = min(cut, marker)  # a footnote marker still arriving: number it whole
        if cut == 0:
            return
        out, self.pending = self.pending[:cut], self.pending[cut:]
        self.last_flush = now
        self.unconfirmed = len(out)
        yield answer_markdown(number_markers(out, self.numbering))
        self.unconfirmed = 0  # asked for the next chunk: this one was sent

    def discard_unshown(self, turn: Turn) -> None:
        """Cut from the end of the turn's text what never reached the screen (buffered or interrupted)."""
        extra = len(self.pending) + self.unconfirmed
        self.pending, self.unconfirmed = "", 0
        # The unshown text is the end of the answer's text; a tool call may already follow it in the
        # record (its event was folded in before the text ahead of it was flushed).
        for part in reversed([p for p in turn.parts if isinstance(p, TextPart)]):
            if not extra:
                break
            cut = min(extra, len(part.text))
            part.text = part.text[: len(part.text) - cut]
            extra -= cut
            if not part.text:
                turn.parts.remove(part)


def _tick(
    tools: _LiveTools,
    waiting: DeltaGenerator,
    *,
    seen_any: bool,
    waited: float,
    progress: genie_view.ProgressLine,
) -> None:
    if progress.active:
        progress.tick()  # also refreshes the running calls' labels below
        tools.tick()
    elif not seen_any:
        waiting.caption(f":material/hourglass_top: Thinking… {waited:.0f} s")
    elif any(p.state == "running" for p in tools.turn.tools):
        tools.tick()
    else:
        # Nothing to refresh, but an update is what lets a Stop through while the endpoint is silent.
        waiting.empty()
