"""The emulator's observer interface: hooks through which a harness watches and steers each request.

The request handler (`mas.demo.handler`) asks its `Observer` for one `Exchange` per request and
calls it at fixed points: before answering a route, around each streamed event, and at the
end. The base `Exchange` plays every request straight and records nothing; a test harness
(tests/support) builds recording and fault injection on top, over the same real HTTP. No
faults, no recording and no protocol here.
"""

from __future__ import annotations

import hashlib
import socket
from dataclasses import dataclass
from typing import Any, Literal, Protocol

RouteName = Literal["invocations", "metadata"]
Outcome = Literal["ok", "error", "disconnected"]


def fingerprint(value: str | None) -> str | None:
    """sha256 hex of an Authorization header value: whose request it is, without holding the token."""
    return hashlib.sha256(value.encode()).hexdigest() if value is not None else None


@dataclass(frozen=True)
class RequestInfo:
    """One request as read, before it is answered (never the raw Authorization header)."""

    method: str
    path: str
    body: Any
    headers: dict[str, str]
    """The request headers without Authorization and Cookie."""
    identity: str | None
    """`fingerprint` of the Authorization header."""
    peer: tuple[str, int]
    """The client's address: one per TCP connection, so connection reuse is visible."""


class StreamEnded(Exception):
    """Raised inside a stream to end it now: the client went away, or a hook cut it on purpose."""


class Wire(Protocol):
    """What a hook may do to the connection of its request (the handler implements it)."""

    @property
    def connection(self) -> socket.socket: ...

    def send_json(self, status: int, payload: Any, *, extra: dict[str, str] | None = None) -> None: ...

    def send_body(
        self, status: int, data: bytes, *, content_type: str, extra: dict[str, str] | None = None
    ) -> None: ...

    def write_chunk(self, data: bytes) -> None:
        """Write one HTTP chunk of the stream; raises `StreamEnded` if the client is gone."""
        ...

    def wait(self, seconds: float) -> None:
        """Sleep, but wake when the emulator closes."""
        ...

    def drop(self) -> None:
        """Close the connection after this request (no keep-alive)."""
        ...


class Exchange:
    """The hooks of one request. Every method of this base does nothing: the request plays straight."""

    def intercept(self, route: RouteName, wire: Wire) -> bool:
        """Called before `route` is answered; True when the hook answered (or dropped) it itself."""
        return False

    def as_json(self) -> bool:
        """True to answer one JSON body although a stream was asked for."""
        return False

    def pacing(self, default: float) -> float:
        """Seconds between this stream's events."""
        return default

    def before_event(self, sent: int, line: bytes | None, wire: Wire) -> None:
        """Before writing event line number `sent` (None: after the last); may raise `StreamEnded`."""

    def wrote(self, *, event: bool) -> None:
        """A chunk of the stream went out: an event (`event`), or the closing `[DONE]`."""

    def outcome(self, outcome: Outcome) -> None:
        """How the request ended as the handler saw it."""

    def finished(self) -> None:
        """The handler is done with the request."""


PLAIN = Exchange()


class Observer(Protocol):
    def exchange(self, request: RequestInfo) -> Exchange: ...
