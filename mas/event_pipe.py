"""A one-producer hand-over of stream items from a plain thread to an asyncio coroutine.

`EventPipe` is how `mas.api` moves one stream's events from its thread to the response's
coroutine without waking the event loop per event; `stop` tells the thread its caller left.
It is not a general queue: one producer, one consumer, and it knows nothing of events or SSE.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque


class EventPipe:
    """Items from one stream thread (the only producer) to the response's coroutine; `stop` goes back.

    Items go into a deque, and the coroutine is woken only when it is waiting: an asyncio queue
    fed by `call_soon_threadsafe` writes the loop's self-pipe for every event, and under load each
    such system call hands the GIL to another busy stream thread, starving the event loop (bench
    P5, 50 concurrent streams: the p95 first-event delay fell by about a third with this).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.items: deque[object] = deque()
        self.stop = threading.Event()
        self._waiter: asyncio.Future[None] | None = None  # set and cleared by the coroutine only
        self._woken: asyncio.Future[None] | None = None  # the producer's: one wake per waiter

    def post(self, item: object) -> bool:
        """Queue `item`; False when the server is shutting down (the event loop is closed)."""
        if self.loop.is_closed():
            self.stop.set()
            return False
        self.items.append(item)
        waiter = self._waiter  # read after the append: a coroutine that set it will see the item
        if waiter is None or waiter is self._woken:
            return True
        self._woken = waiter
        try:
            self.loop.call_soon_threadsafe(_wake, waiter)
        except RuntimeError:  # the event loop is closed
            self.stop.set()
            return False
        return True

    def drain(self) -> list[object]:
        items = []
        while self.items:
            items.append(self.items.popleft())
        return items

    async def wait(self, timeout: float | None) -> bool:
        """Wait until an item is queued; False after `timeout` seconds without one."""
        if self.items:
            return True
        waiter = self.loop.create_future()
        self._waiter = waiter
        try:
            if not self.items:  # re-checked once the waiter is visible, so no wake-up is lost
                await asyncio.wait({waiter}, timeout=timeout)
        finally:
            self._waiter = None
        return bool(self.items)


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
