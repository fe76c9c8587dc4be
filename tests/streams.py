"""Test helpers for wire streams: load `.sse` fixtures, build SSE bodies, re-chunk bytes.

Used by the decoding tests (and free for the transport tests) to replay the same bytes whole,
byte by byte and at seeded random chunk sizes. Not a fixture store itself: the quirks live
as files under `tests/fixtures/streams/`.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from mas.wire.decode import iter_events

FIXTURES = Path(__file__).parent / "fixtures" / "streams"


def fixture_names() -> list[str]:
    """Every `.sse` fixture file name, sorted."""
    return sorted(path.name for path in FIXTURES.glob("*.sse"))


def load(name: str) -> bytes:
    """The raw bytes of one fixture."""
    return (FIXTURES / name).read_bytes()


def sse_body(*payloads: dict[str, Any] | str, line_end: str = "\n") -> bytes:
    """An SSE body with one `data:` event per payload (dicts as compact JSON, strings as they are)."""
    lines = []
    for payload in payloads:
        data = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
        lines.append(f"data: {data}{line_end}{line_end}")
    return "".join(lines).encode()


def byte_by_byte(data: bytes) -> Iterator[bytes]:
    """One byte per chunk."""
    return (data[index : index + 1] for index in range(len(data)))


def random_chunks(data: bytes, *, seed: int, max_size: int = 64) -> list[bytes]:
    """Chunks of seeded random sizes between 1 and `max_size` (empty chunks included now and then)."""
    rng = random.Random(seed)
    chunks, start = [], 0
    while start < len(data):
        size = rng.randint(0, max_size)
        chunks.append(data[start : start + size])
        start += size
    return chunks


def split_at(data: bytes, cuts: Iterable[int]) -> list[bytes]:
    """`data` split at the given offsets (sorted, clipped to the data)."""
    points = sorted({min(max(cut, 0), len(data)) for cut in cuts})
    bounds = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


def decoded(chunks: Iterable[bytes]) -> list[dict[str, Any]]:
    """`iter_events` over the chunks, as the events' JSON dicts."""
    return [event.model_dump() for event in iter_events(chunks)]
