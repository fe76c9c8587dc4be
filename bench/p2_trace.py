"""P2T: an answer whose last event carries a 1 MB MLflow trace: decoding speed, and what reading it costs.

The stream is P2's shape (deltas, Genie calls, table outputs) ending in an `output_item.done` whose
`databricks_output.trace` is about 1 MB of MLflow 3 span JSON (hundreds of spans with JSON-encoded
attributes, a few `genie-*` spans with `poll_query_results` children), as a live Supervisor sends
it with `return_trace`. Baseline, timed interleaved: openai-python's SSE decoder plus `json.loads`
on the same bytes. Also: the time `mas.wire.trace.summarize` and `attach_trace` take per answer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from bench.measure import Row, interleaved, median
from bench.p2_decode import _chunks, _openai, _turn

SPACE = "genie-01f0d3a5c2b14e6f8a9b7c6d5e4f3a21"
TRACE_BYTES = 1_000_000


def _attrs(**values: Any) -> dict[str, str]:
    return {key.replace("__", "."): json.dumps(value) for key, value in values.items()}


def big_trace(target: int = TRACE_BYTES, *, genie_calls: int = 4) -> dict[str, Any]:
    """An MLflow 3 trace of about `target` bytes: LLM and tool spans, and `genie_calls` Genie spans."""
    t0 = 1_764_576_000_000_000_000
    spans: list[dict[str, Any]] = []

    def span(sid: str, parent: str | None, name: str, **attrs: Any) -> None:
        start = t0 + len(spans) * 1_000_000
        spans.append({"trace_id": "tr-bench", "span_id": sid, "parent_span_id": parent, "name": name,
                      "start_time_unix_nano": start, "end_time_unix_nano": start + 500,
                      "events": [], "status": {"code": "STATUS_CODE_OK", "message": ""},
                      "attributes": _attrs(**attrs)})  # fmt: skip

    span("root", None, "supervisor-agent", mlflow__spanType="AGENT")
    for call in range(genie_calls):
        sql = f"SELECT region, SUM(net_revenue) FROM sales WHERE q = {call} GROUP BY region"
        span(f"g{call}", "root", SPACE, sql_query=sql, description=f"Revenue by region, query {call}.",
             mlflow__spanInputs={"genie_query": f"Revenue by region {call}"})  # fmt: skip
        span(f"p{call}", f"g{call}", "poll_query_results", mlflow__spanInputs={"query_str": sql},
             mlflow__spanOutputs={"statement_response": {"manifest": {"total_row_count": 4}}})  # fmt: skip
    filler = "The supervisor considered the revenue question and the tools available. " * 8
    n = 0
    while len(json.dumps(spans)) < target:
        for _ in range(50):
            span(f"l{n}", "root", "ChatDatabricks", mlflow__spanType="CHAT_MODEL",
                 mlflow__spanInputs={"messages": [{"role": "user", "content": filler}]},
                 mlflow__spanOutputs={"choices": [{"message": {"content": filler}}]})  # fmt: skip
            n += 1
    return {"info": {"trace_id": "tr-bench", "state": "OK"}, "data": {"spans": spans}}


def traced_stream(trace: dict[str, Any], *, turns: int = 20) -> bytes:
    parts: list[bytes] = []
    for n in range(turns):
        for event in _turn(n):
            parts.append(b"data: " + json.dumps(event).encode() + b"\n\n")
    last = {"type": "response.output_item.done", "databricks_output": {"trace": trace},
            "item": {"type": "message", "id": "msg_last", "role": "assistant",
                     "content": [{"type": "output_text", "text": "Done."}]}}  # fmt: skip
    parts.append(b"data: " + json.dumps(last).encode() + b"\n\n")
    parts.append(b"data: [DONE]\n\n")
    return b"".join(parts)


def _ours(body: bytes) -> int:
    from mas.wire.decode import iter_events

    return sum(1 for _ in iter_events(_chunks(body)))


def _rate(fn: object, body: bytes, events: int) -> float:
    start = time.perf_counter()
    fn(body)  # type: ignore[operator]
    return events / (time.perf_counter() - start)


def _parse_ms(trace: dict[str, Any]) -> float:
    from mas.transcript import ToolPart, Turn, attach_trace
    from mas.wire.trace import summarize

    turn = Turn(question="q", parts=[ToolPart(name=SPACE, call_id=f"c{i}", question=None) for i in range(4)])
    start = time.perf_counter()
    event = summarize(trace)
    attach_trace(turn, event)
    took = (time.perf_counter() - start) * 1000
    assert all(p.sql for p in turn.tools), "every Genie call got its SQL"
    return took


def _events(body: bytes) -> Iterator[None]:
    for line in body.split(b"\n"):
        if line.startswith(b"data: "):
            yield None


def run(*, quick: bool) -> list[Row]:
    trace = big_trace()
    body = traced_stream(trace)
    events = sum(1 for _ in _events(body))
    for warm in (_ours, _openai):
        warm(body)
    repeats = 5 if quick else 15
    ours, openai_rates = interleaved(
        lambda: _rate(_ours, body, events), lambda: _rate(_openai, body, events), repeats=repeats
    )
    ratio = median([a / b for a, b in zip(ours, openai_rates, strict=True)])
    parse = median([_parse_ms(trace) for _ in range(repeats)])
    trace_mb = len(json.dumps(trace)) / 1e6
    return [
        Row(
            id="P2T",
            measure=f"decode a {len(body) / 1e6:.1f} MB answer whose last event is a {trace_mb:.1f} MB trace",
            value=round(median(ours)),
            unit="events/s",
            baseline=round(median(openai_rates)),
            baseline_name="openai SSEDecoder + json.loads",
            target="≥ 1.0× openai",
            met=ratio >= 1.0,
            extra={"ratio_vs_openai": round(ratio, 3)},
        ),
        Row(
            id="P2T-parse",
            measure=f"read a {trace_mb:.1f} MB trace: Genie SQL, rows, time onto 4 tool parts",
            value=round(parse, 2),
            unit="ms",
            target="≤ 20 ms per answer",
            met=parse <= 20,
        ),
    ]
