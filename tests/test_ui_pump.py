"""The event pump: a daemon thread drains the upstream stream so the page thread never blocks on it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from mas.errors import MasError
from mas.wire.events import Done, Event, TextDelta
from ui.pump import EventPump


def drain(pump: EventPump) -> list[Event]:
    events: list[Event] = []
    while not pump.finished:
        events.extend(pump.take(1.0))
    return events


def test_events_pass_through_in_order_and_the_end_is_seen() -> None:
    sent = [TextDelta(delta=str(i)) for i in range(50)] + [Done()]
    pump = EventPump(iter(sent)).start()
    assert drain(pump) == sent


def test_take_returns_nothing_when_the_upstream_is_silent() -> None:
    release = threading.Event()

    def silent() -> Iterator[Event]:
        release.wait(5)
        yield Done()

    pump = EventPump(silent()).start()
    assert pump.take(0.05) == [] and not pump.finished
    release.set()
    assert drain(pump) == [Done()]


def test_an_upstream_exception_is_raised_in_the_reading_thread() -> None:
    def broken() -> Iterator[Event]:
        yield TextDelta(delta="a")
        raise MasError("cut")

    pump = EventPump(broken()).start()
    with pytest.raises(MasError, match="cut"):
        drain(pump)


def test_cancel_closes_the_upstream_generator_at_its_next_event() -> None:
    closed = threading.Event()

    def endless() -> Iterator[Event]:
        try:
            while True:
                time.sleep(0.01)
                yield TextDelta(delta="x")
        finally:
            closed.set()

    pump = EventPump(endless()).start()
    assert pump.take(1.0)
    pump.cancel()
    assert closed.wait(2.0)
