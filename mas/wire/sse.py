"""Server-sent-events framing: bytes of a `text/event-stream` body in, `SSEEvent`s out.

A push-style parser with no I/O, following the WHATWG event-stream rules (LF, CR and CRLF line
ends, a leading BOM, comments, `event:`/`id:`/`retry:` fields, multi-line `data:`, invalid
UTF-8 replaced). It knows nothing about JSON or about what the events mean: that is
`mas.wire.normalize` and `mas.wire.decode`.
"""

from __future__ import annotations

from typing import NamedTuple

# Spec: https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
# httpx-sse's decoders (the first choice) were measured first: on a 20 MB ResponsesAgent
# stream their str line splitting plus per-line field parsing cost more than json.loads itself,
# so framing is done here on bytes. UTF-8 never puts CR or LF bytes inside a character, so lines
# are split before decoding, and a character split across chunks is whole again once its line is.
_BOM = b"\xef\xbb\xbf"
_DEFAULT_TYPE = "message"
_new_event = tuple.__new__


class SSEEvent(NamedTuple):
    """One dispatched event: its data lines joined with LF, and its optional fields."""

    data: str
    event: str = _DEFAULT_TYPE
    id: str = ""
    retry: int | None = None


class SSEParser:
    """Incremental event-stream parser: `feed(chunk)` as bytes arrive, then `finish()` once.

    After `finish()`, `truncated` says whether the body ended inside a line (bytes after the
    last line end), which a client reports as a stream cut mid-line.
    """

    def __init__(self) -> None:
        self._partial: list[bytes] = []
        self._at_start = True
        self._skip_lf = False
        self._data: list[bytes] = []
        self._event = b""
        self._last_id = ""
        self._retry: int | None = None
        self.truncated = False

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Parse one chunk of the body; return the events it completed."""
        if self._at_start:
            chunk = self._strip_bom(chunk)
        if self._skip_lf and chunk:
            # A CR ended the last chunk; an LF opening this one belongs to the same line end.
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if not chunk:
            return []
        end = max(chunk.rfind(b"\n"), chunk.rfind(b"\r"))
        if end < 0:
            # No line end: keep the piece; joining once when the line ends keeps megabyte lines linear.
            self._partial.append(chunk)
            return []
        lines_text = chunk[: end + 1]
        if self._partial:
            self._partial.append(lines_text)
            lines_text = b"".join(self._partial)
        self._partial = [chunk[end + 1 :]] if end + 1 < len(chunk) else []
        # Only a CR that is the chunk's last byte may pair with an LF opening the next chunk; a CR
        # followed by more bytes has ended its line already (found by hypothesis at 10,000 cases).
        self._skip_lf = lines_text[-1:] == b"\r" and not self._partial
        if b"\r" in lines_text:
            lines_text = lines_text.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = lines_text.split(b"\n")
        lines.pop()
        return self._lines(lines)

    def finish(self) -> list[SSEEvent]:
        """End of body: return any last event and set `truncated`."""
        if self._at_start and self._partial:
            self._partial = [b"".join(self._partial)]
        self.truncated = any(self._partial)
        self._partial = []
        if self.truncated or not self._data:
            return []
        # The spec drops an event whose blank line never came; servers that close right after
        # their last `data:` line are common enough that it is dispatched instead.
        return [self._dispatch()]

    def _strip_bom(self, chunk: bytes) -> bytes:
        head = b"".join([*self._partial, chunk])
        if len(head) < len(_BOM) and _BOM.startswith(head):
            self._partial = [head] if head else []
            return b""
        self._partial = []
        self._at_start = False
        return head[len(_BOM) :] if head.startswith(_BOM) else head

    def _lines(self, lines: list[bytes]) -> list[SSEEvent]:
        # The hot loop of the whole decoder: one `data:` line and one blank line per event.
        events: list[SSEEvent] = []
        data = self._data
        for line in lines:
            if line[:5] == b"data:":
                data.append(line[6:] if line[5:6] == b" " else line[5:])
            elif not line:
                if len(data) == 1 and not self._event and self._retry is None:
                    # The common event, built without `_dispatch` (`tuple.__new__` is NamedTuple's `_make`).
                    events.append(
                        _new_event(
                            SSEEvent, (data[0].decode("utf-8", "replace"), _DEFAULT_TYPE, self._last_id, None)
                        )
                    )
                    data.clear()
                elif data:
                    events.append(self._dispatch())
                    data = self._data
                else:
                    # Spec: a blank line after no data dispatches nothing, and resets the type.
                    self._event, self._retry = b"", None
            elif line[:1] != b":":
                self._field(line)
        return events

    def _field(self, line: bytes) -> None:
        name, colon, value = line.partition(b":")
        if colon and value[:1] == b" ":
            value = value[1:]
        if name == b"event":
            self._event = value
        elif name == b"data":
            self._data.append(value)
        elif name == b"id" and b"\0" not in value:
            self._last_id = value.decode("utf-8", "replace")
        elif name == b"retry" and value.isdigit():
            self._retry = int(value)

    def _dispatch(self) -> SSEEvent:
        data, event, retry = self._data, self._event, self._retry
        self._data, self._event, self._retry = [], b"", None
        raw = data[0] if len(data) == 1 else b"\n".join(data)
        kind = event.decode("utf-8", "replace") if event else _DEFAULT_TYPE
        return SSEEvent(raw.decode("utf-8", "replace"), kind, self._last_id, retry)
