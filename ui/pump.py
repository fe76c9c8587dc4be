"""Reads a `mas` event stream on a daemon thread, so the script thread never blocks on the network.

Streamlit honours a Stop (or a rerun) only when the script calls into Streamlit, so a page that
waited inside `next(events)` through a minutes-long Genie query could not be stopped. With the
pump the page waits on a queue with a timeout, ticks its elapsed-time labels, and stays
interruptible. It is not a parser or a renderer; events pass through unchanged.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from mas.wire.events import Event


@dataclass(frozen=True)
class _End:
    """The upstream iterator is exhausted (or was closed after a cancel)."""


@dataclass(frozen=True)
class _Failure:
    error: BaseException


class EventPump:
    """Drains `events` on a background thread; `take()` hands batches to the caller's thread."""

    def __init__(self, events: Iterator[Event]) -> None:
        self._events = events
        self._queue: queue.Queue[Event | _End | _Failure] = queue.Queue()
        self._cancelled = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mas-event-pump", daemon=True)
        self.finished = False

    def start(self) -> EventPump:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            for event in self._events:
                if self._cancelled.is_set():
                    break
                self._queue.put(event)
        except Exception as exc:  # handed to the page thread and re-raised there, not swallowed
            self._queue.put(_Failure(exc))
        finally:
            close = getattr(self._events, "close", None)
            if close is not None:
                # Closing the client's generator closes its HTTP response (mas.endpoint.client's finally).
                close()
            self._queue.put(_End())

    def take(self, timeout: float) -> list[Event]:
        """Every event available now, waiting at most `timeout` s for the first; [] if none came.

        Sets `finished` once the stream has ended; re-raises an error the upstream iterator raised.
        """
        batch: list[Event] = []
        try:
            item = self._queue.get(timeout=max(timeout, 0.0))
            while True:
                if isinstance(item, _End):
                    self.finished = True
                    break
                if isinstance(item, _Failure):
                    self.finished = True
                    raise item.error
                batch.append(item)
                item = self._queue.get_nowait()
        except queue.Empty:
            pass
        return batch

    def cancel(self) -> None:
        """Stop reading: the thread closes the upstream stream at its next event.

        A read that is blocked in the socket cannot be interrupted from another thread without
        the response object; the thread is a daemon and the idle-read timeout bounds it.
        """
        self._cancelled.set()
