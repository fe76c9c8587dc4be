"""P2: decode throughput, bytes → typed `mas` events, on a ~20 MB ResponsesAgent stream.

The stream is synthesised here (deltas, function calls, big markdown and JSON tool outputs,
in the shape the demo and live MAS endpoints send), then fed in 64 KiB chunks as a socket
would. Baselines, timed interleaved in the same process: openai-python's SSE decoder plus
`json.loads`, and a bare line split plus `json.loads`. Events per second, higher is better.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

from bench.measure import Row, interleaved, median

CHUNK = 64 * 1024


def _table_output(rows: int) -> str:
    lines = ["| month | region | revenue |", "|---|---|---|"]
    lines += [f"| 2024-{1 + i % 12:02d} | EMEA | ${1000 + i:,}.00 |" for i in range(rows)]
    return "Monthly revenue.\n\n```sql\nSELECT 1\n```\n\n" + "\n".join(lines)


def _turn(n: int) -> Iterator[dict[str, object]]:
    item = f"msg_{n}"
    for word in (
        "Revenue ",
        "grew ",
        "strongly ",
        "in ",
        "the ",
        "fourth ",
        "quarter, ",
        "led ",
        "by ",
        "EMEA. ",
    ) * 8:
        yield {"type": "response.output_text.delta", "item_id": item, "delta": word, "sequence_number": n}
    yield {
        "type": "response.output_item.done",
        "item": {
            "type": "function_call",
            "id": f"fc_{n}",
            "call_id": f"call_{n}",
            "name": "agent-revenue-genie",
            "arguments": json.dumps({"genie_query": "revenue by month"}),
        },
    }
    yield {
        "type": "response.output_item.done",
        "item": {"type": "function_call_output", "call_id": f"call_{n}", "output": _table_output(200)},
    }


def recorded_stream(target_bytes: int = 20_000_000) -> bytes:
    """A ResponsesAgent SSE body of about `target_bytes`, ending in `response.completed` and `[DONE]`."""
    parts: list[bytes] = []
    size = 0
    n = 0
    while size < target_bytes:
        for event in _turn(n):
            line = b"data: " + json.dumps(event).encode() + b"\n\n"
            parts.append(line)
            size += len(line)
        n += 1
    parts.append(b'data: {"type": "response.completed", "response": {"id": "resp_1"}}\n\n')
    parts.append(b"data: [DONE]\n\n")
    return b"".join(parts)


def _chunks(body: bytes) -> Iterator[bytes]:
    for start in range(0, len(body), CHUNK):
        yield body[start : start + CHUNK]


def _ours(body: bytes) -> int:
    from mas.wire.decode import iter_events

    return sum(1 for _ in iter_events(_chunks(body)))


def _openai(body: bytes) -> int:
    from openai._streaming import SSEDecoder

    count = 0
    for sse in SSEDecoder().iter_bytes(_chunks(body)):
        if sse.data != "[DONE]":
            json.loads(sse.data)
        count += 1
    return count


def _bare(body: bytes) -> int:
    count = 0
    for line in body.split(b"\n"):
        if line.startswith(b"data: ") and line != b"data: [DONE]":
            json.loads(line[6:])
            count += 1
    return count


def _rate(fn: object, body: bytes, events: int) -> float:
    start = time.perf_counter()
    fn(body)  # type: ignore[operator]
    return events / (time.perf_counter() - start)


def run(*, quick: bool) -> list[Row]:
    body = recorded_stream(5_000_000 if quick else 20_000_000)
    events = _bare(body)
    for warm in (_ours, _openai, _bare):  # imports and first-call caches stay out of the timings
        warm(body[: len(body) // 20].rsplit(b"\n\n", 1)[0] + b"\n\n")
    repeats = 3 if quick else 7
    ours_a, openai_rates = interleaved(
        lambda: _rate(_ours, body, events), lambda: _rate(_openai, body, events), repeats=repeats
    )
    ours_b, bare_rates = interleaved(
        lambda: _rate(_ours, body, events), lambda: _rate(_bare, body, events), repeats=repeats
    )
    ours = median(ours_a + ours_b)
    # Ratios of the pairs run back to back, then their median: the noise of one pair cancels.
    vs_openai = median([a / b for a, b in zip(ours_a, openai_rates, strict=True)])
    vs_bare = median([a / b for a, b in zip(ours_b, bare_rates, strict=True)])
    mb = len(body) / 1e6
    return [
        Row(
            id="P2",
            measure=f"decode {mb:.0f} MB ResponsesAgent stream → typed events",
            value=round(ours),
            unit="events/s",
            baseline=round(median(openai_rates)),
            baseline_name="openai SSEDecoder + json.loads",
            target="≥ 1.0× openai",
            met=vs_openai >= 1.0,
            extra={"ratio_vs_openai": round(vs_openai, 3)},
        ),
        Row(
            id="P2-bare",
            measure="same stream, against a bare line split",
            value=round(ours),
            unit="events/s",
            baseline=round(median(bare_rates)),
            baseline_name="bytes.split + json.loads",
            target="≥ 0.5× bare",
            met=vs_bare >= 0.5,
            extra={"ratio_vs_bare": round(vs_bare, 3)},
        ),
    ]
