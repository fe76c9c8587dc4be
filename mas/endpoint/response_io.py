"""Reading what is left of an httpx response: a bounded body, or the tail after the last event.

Two small I/O helpers of `mas.endpoint.client`: `read_bounded` reads at most a limit (error and
JSON bodies), `drain_in_background` reads and closes a finished stream so its connection goes
back to the pool. No decoding and no wording here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import httpx

logger = logging.getLogger(__name__)

MAX_DRAIN_BYTES = 1024 * 1024


def read_bounded(response: httpx.Response, limit: int) -> bytes:
    """At most `limit` bytes of the body (stops reading there)."""
    data = bytearray()
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) >= limit:
            break
    return bytes(data[:limit])


def drain_in_background(response: httpx.Response, chunks: Iterator[bytes]) -> None:
    """Read what follows the terminal event (`[DONE]`, the chunked terminator), then close.

    A response closed mid-body cannot go back to the pool (each question would open a new TLS
    connection); a thread keeps the caller from waiting on a server that lingers after the end.
    """

    def drain() -> None:
        drained = 0
        try:
            for chunk in chunks:
                drained += len(chunk)
                if drained > MAX_DRAIN_BYTES:
                    logger.debug("[STREAM] more than %d bytes after the terminal event; closing", drained)
                    break
        except httpx.HTTPError as exc:
            logger.debug("[STREAM] draining after the terminal event failed: %s", exc)
        finally:
            response.close()
            logger.debug("[STREAM] response closed after draining %d bytes", drained)

    threading.Thread(target=drain, name="mas-drain", daemon=True).start()
