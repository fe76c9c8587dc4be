"""The demo's MLflow traces: recorded while an answer is produced, returned when the request asks.

A live Supervisor answers `databricks_options.return_trace: true` with its MLflow trace as
`databricks_output.trace` on the last output item (shared/notes/mas-output.md §3). `TraceRecorder`
collects the demo's Genie calls as MLflow 3 span JSON (`span_id`, `parent_span_id`,
`*_unix_nano`, attribute values JSON-encoded, as `Span.to_dict` writes them), and `with_trace`
puts the finished trace on the stream. Reading traces is `mas.wire.trace`, not this.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any, Protocol

# The demo Genie space of the live-style demo: a fixed 32-hex id, answered by `mas.demo.genie_api`.
DEMO_SPACE_ID = "01f0d3a5c2b14e6f8a9b7c6d5e4f3a21"
DEMO_SPACE_TITLE = "Revenue Analytics"
DEMO_SPACE_DESCRIPTION = "Net and gross revenue, orders and units by month, region, channel and product."
LIVE_GENIE_TOOL = f"genie-{DEMO_SPACE_ID}"


def _attrs(**values: Any) -> dict[str, str]:
    return {key.replace("__", "."): json.dumps(value) for key, value in values.items()}


def _span_id() -> str:
    return uuid.uuid4().hex[:16]


class TraceRecorder:
    """The spans of one answer; `genie_call` records a Genie sub-agent call and its query."""

    def __init__(self, *, root_name: str) -> None:
        self.trace_id = f"tr-{uuid.uuid4().hex}"
        self._root = _span_id()
        self._root_name = root_name
        self._started = time.time_ns()
        self._spans: list[dict[str, Any]] = []

    def _span(self, *, span_id: str, parent: str | None, name: str, start: int, end: int,
              attributes: dict[str, str]) -> dict[str, Any]:  # fmt: skip
        return {"trace_id": self.trace_id, "span_id": span_id, "parent_span_id": parent, "name": name,
                "start_time_unix_nano": start, "end_time_unix_nano": end, "events": [],
                "status": {"code": "STATUS_CODE_OK", "message": ""}, "attributes": attributes}  # fmt: skip

    def genie_call(self, *, tool: str, question: str, sql: str, description: str, rows: int,
                   started: int, ended: int) -> None:  # fmt: skip
        """A `genie-*` span with `sql_query` and `description`, and its `poll_query_results` child."""
        genie = _span_id()
        self._spans.append(self._span(
            span_id=genie, parent=self._root, name=tool, start=started, end=ended,
            attributes=_attrs(mlflow__spanType="TOOL", mlflow__spanInputs={"genie_query": question},
                              sql_query=sql, description=description,
                              mlflow__spanOutputs={"row_count": rows}),
        ))  # fmt: skip
        self._spans.append(self._span(
            span_id=_span_id(), parent=genie, name="poll_query_results", start=started, end=ended,
            attributes=_attrs(
                mlflow__spanInputs={"query_str": sql},
                mlflow__spanOutputs={"statement_response": {"manifest": {"total_row_count": rows}}}),
        ))  # fmt: skip

    def trace(self) -> dict[str, Any]:
        """The trace as `Trace.to_dict` shapes it: `info` and `data.spans`, the root span first."""
        now = time.time_ns()
        root = self._span(span_id=self._root, parent=None, name=self._root_name, start=self._started, end=now,
                          attributes=_attrs(mlflow__spanType="AGENT", mlflow__traceRequestId=self.trace_id))
        info = {"trace_id": self.trace_id, "request_time": self._started // 1_000_000, "state": "OK",
                "execution_duration": (now - self._started) // 1_000_000}  # fmt: skip
        return {"info": info, "data": {"spans": [root, *self._spans]}}


def with_trace(events: Iterator[dict[str, Any]], recorder: TraceRecorder) -> Iterator[dict[str, Any]]:
    """`events` with the finished trace as `databricks_output.trace` on the last output item.

    Each `output_item.done` is held back until the next event shows whether it was the last.
    """
    held: dict[str, Any] | None = None
    for event in events:
        if held is not None:
            if event.get("type") == "response.completed":
                held = {**held, "databricks_output": {"trace": recorder.trace()}}
            yield held
            held = None
        if event.get("type") == "response.output_item.done":
            held = event
            continue
        yield event
    if held is not None:
        yield {**held, "databricks_output": {"trace": recorder.trace()}}


class _Responder(Protocol):
    def respond(self, input_items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]: ...


def wants_trace(body: dict[str, Any]) -> bool:
    options = body.get("databricks_options")
    return isinstance(options, dict) and options.get("return_trace") is True


def respond(
    responder: _Responder, body: dict[str, Any], items: list[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """The responder's events for a request's input `items`; traced when the body asks and the
    responder can trace."""
    traced = getattr(responder, "respond_with_trace", None)
    if wants_trace(body) and callable(traced):
        events: Iterator[dict[str, Any]] = traced(items)
        return events
    return responder.respond(items)
