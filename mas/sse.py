"""Server-sent-events framing: bytes of an `text/event-stream` body in, `SSEEvent`s out.

A push-style parser with no I/O, following the WHATWG event-stream rules (LF, CR and CRLF line
ends, comments, `event:`/`id:`/`retry:` fields, multi-line `data:`). It knows nothing about
JSON or about what the events mean: that is `mas.normalize` and `mas.decode`.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

# httpx-sse is a kept, spec-following SSE library; its line and field decoders are private API
# (`httpx_sse._decoders`, checked against 0.4.3), so they are wrapped here and nowhere else.
from httpx_sse._decoders import SSEDecoder, SSELineDecoder


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One dispatched event: its data lines joined with LF, and its optional fields."""

    data: str
    event: str = ""
    id: str = ""
    retry: int | None = None


class SSEParser:
    """Incremental event-stream parser: `feed(chunk)` as bytes arrive, then `finish()` once.

    After `finish()`, `truncated` says whether the body ended inside a line (bytes after the
    last line end), which a client reports as a stream cut mid-line.
    """

    def __init__(self) -> None:
        # "utf-8-sig" drops the optional leading BOM the spec allows; "replace" is the spec's
        # handling of invalid UTF-8. The incremental decoder holds back a character split
        # across chunks until its last byte arrives.
        self._text = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
        self._lines = SSELineDecoder()
        self._fields = SSEDecoder()
        self._open_line = False
        self._pending = False
        self.truncated = False

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Parse one chunk of the body; return the events it completed."""
        return self._feed_text(self._text.decode(chunk))

    def finish(self) -> list[SSEEvent]:
        """End of body: return any last events and set `truncated`."""
        events = self._feed_text(self._text.decode(b"", True))
        tail = self._lines.flush()
        self.truncated = self._open_line
        if self.truncated:
            return events
        # A line ended by a CR as the body's last byte is still held by the line decoder,
        # which waits to see whether an LF follows.
        events.extend(self._dispatch(tail))
        if self._pending:
            # The spec drops an event whose blank line never came; servers that close right
            # after their last `data:` line are common enough that we dispatch it instead.
            events.extend(self._dispatch([""]))
        return events

    def _feed_text(self, text: str) -> list[SSEEvent]:
        if not text:
            return []
        self._open_line = text[-1] not in "\r\n"
        return self._dispatch(self._lines.decode(text))

    def _dispatch(self, lines: list[str]) -> list[SSEEvent]:
        events: list[SSEEvent] = []
        for line in lines:
            sse = self._fields.decode(line)
            if sse is None:
                self._pending = self._pending or (bool(line) and not line.startswith(":"))
                continue
            self._pending = False
            events.append(SSEEvent(data=sse.data, event=sse.event, id=sse.id, retry=sse.retry))
        return events
